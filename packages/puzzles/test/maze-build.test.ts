import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateMazeDataset, type MazeDatasetOptions } from '../src/index.js';
import { buildMazeDataset, readSplit, writeDataset } from '../src/node.js';

const tmp = mkdtempSync(join(tmpdir(), 'rrm-maze-build-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every file under `dir`, relative path -> bytes. */
function files(dir: string, sub = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of readdirSync(join(dir, sub), { withFileTypes: true })) {
    const rel = join(sub, e.name);
    if (e.isDirectory()) for (const [k, v] of files(dir, rel)) out.set(k, v);
    else out.set(rel, readFileSync(join(dir, rel)));
  }
  return out;
}

describe('buildMazeDataset (streamed to disk)', () => {
  it.each([
    { size: 7, numTrain: 5, numTest: 3, augment: true, seed: 4, loopFraction: 0 },
    { size: 11, numTrain: 3, numTest: 2, augment: false, seed: 9 },
  ] as MazeDatasetOptions[])(
    'writes what the in-memory generator writes, byte for byte (%o)',
    (options) => {
      const streamed = join(tmp, `streamed-${options.seed}`);
      const held = join(tmp, `held-${options.seed}`);
      const ticks: number[] = [];
      buildMazeDataset(streamed, { ...options, onProgress: (done) => ticks.push(done) });
      writeDataset(held, generateMazeDataset(options));
      expect(files(streamed)).toEqual(files(held));
      expect(ticks).toEqual(
        Array.from({ length: options.numTrain + options.numTest }, (_, i) => i + 1),
      );
      const train = readSplit(streamed, 'train');
      expect(train.metadata.total_groups).toBe(options.numTrain);
      train.close();
      expect(readdirSync(tmp).some((n) => n.includes('.tmp-'))).toBe(false);
    },
  );
});
