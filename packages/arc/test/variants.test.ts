import { gridFromRows, gridsEqual, gridToRows } from '@rrm/puzzles';
import { Rng } from '@rrm/random';
import { describe, expect, it } from 'vitest';
import {
  ArcEvaluator,
  applyAugmentation,
  arcTestVariants,
  augmentationName,
  encodeArcGrid,
  pairsKey,
  parseTask,
  randomAugmentation,
} from '../src/index.js';

// Flip upside down.
const task = parseTask(
  'flip',
  {
    train: [{ input: [[1], [2], [0]], output: [[0], [2], [1]] }],
    test: [
      {
        input: [
          [5, 6],
          [7, 0],
        ],
        output: [
          [7, 0],
          [5, 6],
        ],
      },
    ],
  },
  { file: 'flip.json' },
);

describe('arcTestVariants', () => {
  it("uses the task's own variants from identifiers.json, with their identifiers", () => {
    const rng = new Rng(5);
    const a = augmentationName('flip', randomAugmentation(rng));
    const b = augmentationName('flip', randomAugmentation(rng));
    const other = augmentationName('other', randomAugmentation(rng));
    const identifiers = ['<blank>', 'other', other, 'flip', a, b];
    const { variants, learned } = arcTestVariants(task, { identifiers, numAug: 8, seed: 0 });
    expect(learned).toBe(true);
    expect(variants.map((v) => [v.name, v.identifier])).toEqual([
      ['flip', 3],
      [a, 4],
      [b, 5],
    ]);
    expect(variants[0].augmentation.transform).toBe(0);
  });

  it('draws distinct augmentations under the blank identifier when the task is not known', () => {
    for (const identifiers of [null, ['<blank>', 'other']]) {
      const { variants, learned } = arcTestVariants(task, { identifiers, numAug: 8, seed: 1 });
      expect(learned).toBe(false);
      expect(variants[0].name).toBe('flip');
      expect(variants.length).toBeGreaterThan(1);
      expect(variants.length).toBeLessThanOrEqual(9);
      expect(variants.every((v) => v.identifier === 0)).toBe(true);
      const keys = variants.map((v) => pairsKey([...task.train, ...task.test], v.augmentation));
      expect(new Set(keys).size).toBe(variants.length);
      // Seeded: the same variants again.
      expect(arcTestVariants(task, { identifiers, numAug: 8, seed: 1 }).variants).toEqual(variants);
    }
  });

  it('votes the answer back through every variant: answers in variant space, one winner', () => {
    const { variants } = arcTestVariants(task, { numAug: 8, seed: 2 });
    const answer = task.test[0].output!;
    const evaluator = new ArcEvaluator({
      identifiers: ['<blank>', ...variants.map((v) => v.name)],
      testPuzzles: { flip: { test: [{ input: gridToRows(task.test[0].input) }] } },
    });
    const rows = variants.map((v) => ({
      input: encodeArcGrid(applyAugmentation(task.test[0].input, v.augmentation)),
      // The last variant answers wrongly: it stays a second candidate with one vote.
      pred: encodeArcGrid(
        v === variants.at(-1) ? gridFromRows([[9]]) : applyAugmentation(answer, v.augmentation),
      ),
    }));
    const cat = (key: 'input' | 'pred') => Int32Array.from(rows.flatMap((r) => [...r[key]]));
    evaluator.update({
      inputs: cat('input'),
      preds: cat('pred'),
      puzzleIdentifiers: variants.map((_, i) => i + 1),
      qHaltLogits: variants.map(() => 0),
    });
    const [first, second, ...rest] = evaluator.candidates('flip', 0);
    expect(gridsEqual(first.grid, answer)).toBe(true);
    expect(first.votes).toBe(variants.length - 1);
    expect(second.votes).toBe(1);
    expect(first.meanConfidence).toBeCloseTo(0.5, 6);
    expect(rest).toEqual([]);
    expect(() => evaluator.candidates('flip', 1)).toThrow('task flip has no test example 1');
  });
});
