import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PuzzleSplit } from '@rrm/puzzles';
import { FIELDS, NpyFile, readIdentifiers, readSplit } from '@rrm/puzzles/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ArcTask,
  applyAugmentation,
  encodeArcGrid,
  parseAugmentationName,
} from '../src/index.js';
import { buildArcDataset, loadArcSubset } from '../src/node.js';
import { sharedPath } from './shared.js';

const mini = sharedPath('arc/official-layout-mini');
const tmp = mkdtempSync(join(tmpdir(), 'rrm-arc-build-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Top-left of the non-pad tokens: where the grid was placed on the canvas. */
function placement(row: Int32Array): { row: number; col: number } {
  let r0 = 30;
  let c0 = 30;
  row.forEach((v, i) => {
    if (v >= 2) {
      r0 = Math.min(r0, Math.floor(i / 30));
      c0 = Math.min(c0, i % 30);
    }
  });
  return { row: r0, col: c0 };
}

/**
 * The reference semantics checked on any built dataset: each puzzle's examples are
 * its task's pairs (demonstrations only for test-set tasks in train), under the
 * augmentation in its name, translated together in train with one example per
 * puzzle left at the origin, untranslated in test. Returns the number of translated examples.
 */
function checkSplit(
  split: PuzzleSplit,
  ids: string[],
  tasks: Map<string, { task: ArcTask; isTest: boolean }>,
  which: 'train' | 'test',
): number {
  const set = split.sets.all;
  const input = new Int32Array(900);
  const label = new Int32Array(900);
  let translated = 0;
  for (let g = 0; g < set.groupIndices.length - 1; g++) {
    const base = new Set<string>();
    for (let p = set.groupIndices[g]; p < set.groupIndices[g + 1]; p++) {
      const { id, augmentation } = parseAugmentationName(ids[set.puzzleIdentifiers[p]]);
      base.add(id);
      const { task, isTest } = tasks.get(id)!;
      const byKind = { train: task.train, test: task.test };
      const pairs =
        which === 'test'
          ? task.test
          : isTest
            ? task.train
            : task.keyOrder.flatMap((k) => byKind[k]);
      expect(set.puzzleIndices[p + 1] - set.puzzleIndices[p]).toBe(pairs.length);
      let atOrigin = 0;
      pairs.forEach((pair, i) => {
        set.inputs.readRow(set.puzzleIndices[p] + i, input, 0);
        set.labels.readRow(set.puzzleIndices[p] + i, label, 0);
        const at = placement(input);
        expect(placement(label)).toEqual(at);
        const aug = (x: typeof pair.input) =>
          augmentation ? applyAugmentation(x, augmentation) : x;
        expect(Array.from(input)).toEqual(Array.from(encodeArcGrid(aug(pair.input), at)));
        expect(Array.from(label)).toEqual(Array.from(encodeArcGrid(aug(pair.output!), at)));
        if (at.row === 0 && at.col === 0) atOrigin++;
        else translated++;
      });
      expect(atOrigin).toBeGreaterThanOrEqual(1);
    }
    expect(base.size).toBe(1);
  }
  if (which === 'test') expect(translated).toBe(0);
  return translated;
}

describe.skipIf(mini.missing)('ARC build against the reference official-layout-mini', () => {
  const out = join(tmp, 'mini');
  let tasks: Map<string, { task: ArcTask; isTest: boolean }>;
  beforeAll(() => {
    const subsets = ['training', 'evaluation'].map((s) =>
      loadArcSubset(join(mini.path, 'mini'), s, { requireSolutions: true }),
    );
    tasks = new Map(
      subsets.flatMap((s) =>
        s.tasks.map((task) => [task.id, { task, isTest: s.name === 'evaluation' }] as const),
      ),
    );
    buildArcDataset(out, subsets, { testSets: ['evaluation'], numAug: 3, seed: 42 });
  });

  it('writes the same metadata, files, dtypes and shapes', () => {
    for (const split of ['train', 'test']) {
      expect(readFileSync(join(out, split, 'dataset.json'), 'utf8')).toBe(
        readFileSync(join(mini.path, split, 'dataset.json'), 'utf8'),
      );
      for (const field of FIELDS) {
        const [ours, ref] = [out, mini.path].map(
          (d) => new NpyFile(join(d, split, `all__${field}.npy`)),
        );
        expect([ours.header.dtype, ours.header.shape], `${split}/${field}`).toEqual([
          ref.header.dtype,
          ref.header.shape,
        ]);
        ours.close();
        ref.close();
      }
    }
  });

  it('numbers the same puzzles: blank first, each task with its variants, test puzzles sharing train identifiers', () => {
    const [ours, ref] = [out, mini.path].map(readIdentifiers);
    expect(ours.length).toBe(ref.length);
    expect(ours[0]).toBe('<blank>');
    const bases = (ids: string[]) =>
      ids
        .slice(1)
        .map((n) => parseAugmentationName(n).id)
        .sort();
    expect(bases(ours)).toEqual(bases(ref));
    for (const dir of [out, mini.path]) {
      const train = readSplit(dir, 'train');
      const test = readSplit(dir, 'test');
      expect(Array.from(train.sets.all.puzzleIdentifiers)).toEqual(
        Array.from({ length: 72 }, (_, i) => i + 1),
      );
      expect(new Set(test.sets.all.puzzleIdentifiers).size).toBe(24);
      expect(
        [...test.sets.all.puzzleIdentifiers].every((id) =>
          train.sets.all.puzzleIdentifiers.includes(id),
        ),
      ).toBe(true);
    }
  });

  it('has the reference semantics, in our build and in the reference fixture alike', () => {
    for (const dir of [out, mini.path]) {
      const ids = readIdentifiers(dir);
      const moved = checkSplit(readSplit(dir, 'train'), ids, tasks, 'train');
      expect(moved).toBeGreaterThan(100);
      checkSplit(readSplit(dir, 'test'), ids, tasks, 'test');
    }
  });

  it('writes test_puzzles.json with the same tasks and answers', () => {
    const [ours, ref] = [out, mini.path].map((d) =>
      JSON.parse(readFileSync(join(d, 'test_puzzles.json'), 'utf8')),
    );
    expect(ours).toEqual(ref);
  });

  it('reproduces itself from the seed', () => {
    const again = join(tmp, 'again');
    const subsets = ['training', 'evaluation'].map((s) =>
      loadArcSubset(join(mini.path, 'mini'), s),
    );
    buildArcDataset(again, subsets, { testSets: ['evaluation'], numAug: 3, seed: 42 });
    for (const f of ['identifiers.json', 'train/all__inputs.npy', 'test/all__labels.npy']) {
      expect(Buffer.compare(readFileSync(join(again, f)), readFileSync(join(out, f))), f).toBe(0);
    }
  });
});
