import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  dihedralMaze,
  generateMazeDataset,
  generateMazes,
  type MazeDatasetOptions,
  mazeDistances,
  PuzzleOptionError,
} from '../src/index.js';
import {
  BUILD_FILE,
  buildMazeDataset,
  buildMismatch,
  mazeBuildSettings,
  readSplit,
  writeDataset,
} from '../src/node.js';

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
      const written = files(streamed);
      expect(JSON.parse(String(written.get(BUILD_FILE)))).toEqual(mazeBuildSettings(options));
      written.delete(BUILD_FILE);
      expect(written).toEqual(files(held));
      expect(buildMismatch(streamed, mazeBuildSettings(options))).toBeNull();
      expect(buildMismatch(streamed, mazeBuildSettings({ ...options, seed: 1 }))).toMatch(
        /^seed: \d+ there, 1 wanted$/,
      );
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

describe('generateMazes', () => {
  const classOf = (q: string, size: number) =>
    Array.from({ length: 8 }, (_, t) => dihedralMaze(q, size, t)).sort()[0];

  it('never holds out a transform of a training maze, even where mazes are few', () => {
    // 7x7 boards have 3x3 rooms: few trees and few start/goal pairs, so repeats are common.
    const options = { size: 7, numTrain: 40, numTest: 20, augment: false, seed: 3 };
    const mazes = [...generateMazes(options)];
    const train = new Set(
      mazes.filter((m) => m.split === 'train').map((m) => classOf(m.maze.question, 7)),
    );
    const test = mazes.filter((m) => m.split === 'test').map((m) => classOf(m.maze.question, 7));
    expect(test.filter((c) => train.has(c))).toEqual([]);
    expect(new Set(test).size).toBe(test.length);
  });

  it('keeps test mazes testMinPathLength apart while training mazes may be shorter', () => {
    const options = {
      size: 11,
      numTrain: 30,
      numTest: 10,
      augment: false,
      seed: 5,
      loopFraction: 0,
      testMinPathLength: 20,
    };
    const lengths = [...generateMazes(options)].map(({ split, maze }) => {
      const start = maze.question.indexOf('S');
      const goal = maze.question.indexOf('G');
      return { split, length: mazeDistances(maze.question, maze.size, start).dist[goal] };
    });
    const test = lengths.filter((l) => l.split === 'test').map((l) => l.length);
    expect(Math.min(...test)).toBeGreaterThanOrEqual(20);
    expect(
      Math.min(...lengths.filter((l) => l.split === 'train').map((l) => l.length)),
    ).toBeLessThan(20);
  });

  it('names the build when the board has too few mazes for the test split', () => {
    const options = { size: 5, numTrain: 50, numTest: 50, augment: false, seed: 1 };
    expect(() => [...generateMazes(options)]).toThrow(PuzzleOptionError);
    expect(() => [...generateMazes(options)]).toThrow(/5x5 mazes are too few for 100/);
  });
});
