import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gridFromRows, gridsEqual, makeGrid, PuzzleOptionError } from '@rrm/puzzles';
import { readMetadata, readSplit } from '@rrm/puzzles/node';
import { Rng } from '@rrm/random';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ArcDataError,
  ArcEvaluator,
  type ArcSubset,
  applyAugmentation,
  arcCanvasForSeqLen,
  arcTaskOverflow,
  cropArcGrid,
  encodeArcGrid,
  locateArcGrid,
  parseAugmentationName,
  parseTask,
  planArcDataset,
  randomOffset,
} from '../src/index.js';
import {
  arcBuildSettings,
  arcEvaluatorForDataset,
  buildArcDatasetFolder,
  readTestPuzzles,
  testPuzzlesFromSplit,
} from '../src/node.js';
import { sharedPath } from './shared.js';

const tmp = mkdtempSync(join(tmpdir(), 'rrm-arc-canvas-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const RUNS = { numRuns: 300, seed: 7 } as const;

/** A canvas side, a grid that fits it and an offset at which it fits. */
const placed = fc
  .integer({ min: 1, max: 30 })
  .chain((canvas) =>
    fc
      .tuple(fc.integer({ min: 1, max: canvas }), fc.integer({ min: 1, max: canvas }))
      .chain(([rows, cols]) =>
        fc.record({
          canvas: fc.constant(canvas),
          cells: fc.array(fc.integer({ min: 0, max: 9 }), {
            minLength: rows * cols,
            maxLength: rows * cols,
          }),
          rows: fc.constant(rows),
          row: fc.integer({ min: 0, max: canvas - rows }),
          col: fc.integer({ min: 0, max: canvas - cols }),
        }),
      ),
  )
  .map(({ canvas, cells, rows, row, col }) => ({
    canvas,
    grid: makeGrid(rows, cells.length / rows, cells),
    offset: { row, col },
  }));

describe('ARC encoding on any canvas', () => {
  it('encode -> locate -> crop gives the grid back, wherever it was placed', () => {
    fc.assert(
      fc.property(placed, ({ canvas, grid, offset }) => {
        const tokens = encodeArcGrid(grid, offset, canvas);
        expect(tokens.length).toBe(canvas * canvas);
        const found = locateArcGrid(tokens, canvas);
        expect(found).toEqual(offset);
        expect(gridsEqual(cropArcGrid(tokens, found, canvas), grid)).toBe(true);
      }),
      RUNS,
    );
  });

  it('a smaller canvas is the top-left window of the 30x30 encoding', () => {
    fc.assert(
      fc.property(placed, ({ canvas, grid, offset }) => {
        const small = encodeArcGrid(grid, offset, canvas);
        const full = encodeArcGrid(grid, offset);
        for (let r = 0; r < canvas; r++)
          expect(Array.from(small.subarray(r * canvas, (r + 1) * canvas))).toEqual(
            Array.from(full.subarray(r * 30, r * 30 + canvas)),
          );
      }),
      RUNS,
    );
  });

  it('translates a pair only within the canvas, and names a pair that does not fit', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 500; i++) {
      const canvas = 1 + rng.int(30);
      const a = makeGrid(1 + rng.int(canvas), 1 + rng.int(canvas));
      const b = makeGrid(1 + rng.int(canvas), 1 + rng.int(canvas));
      const o = randomOffset(a, b, rng, canvas);
      for (const g of [a, b]) {
        expect(o.row + g.rows).toBeLessThanOrEqual(canvas);
        expect(o.col + g.cols).toBeLessThanOrEqual(canvas);
      }
    }
    expect(() => randomOffset(makeGrid(3, 11), makeGrid(2, 2), rng, 10)).toThrow(
      'randomOffset: a 3x11 pair does not fit the 10x10 canvas',
    );
    expect(() => encodeArcGrid(makeGrid(11, 1), undefined, 10)).toThrow(
      'a 11x1 grid at (0, 0) leaves the 10x10 canvas',
    );
    expect(() => cropArcGrid(new Array(900).fill(2), undefined, 10)).toThrow(
      'cropArcGrid: expected 100 tokens (a 10x10 canvas), got 900',
    );
  });

  it('refuses a canvas side outside 1..30 by name, and reads a canvas from seq_len', () => {
    for (const bad of [0, 31, 2.5, Number.NaN]) {
      expect(() => encodeArcGrid(makeGrid(1, 1), undefined, bad)).toThrow(PuzzleOptionError);
      expect(() => encodeArcGrid(makeGrid(1, 1), undefined, bad)).toThrow(
        `canvas must be an integer in 1..30 (the side of the square grid canvas), got ${bad}`,
      );
    }
    expect(arcCanvasForSeqLen(100)).toBe(10);
    expect(arcCanvasForSeqLen(900)).toBe(30);
    expect(() => arcCanvasForSeqLen(99)).toThrow(ArcDataError);
    expect(() => arcCanvasForSeqLen(961)).toThrow('seq_len 961 is not an ARC canvas');
  });
});

const small = parseTask(
  'small',
  {
    train: [{ input: [[1, 2]], output: [[2], [1]] }],
    test: [{ input: [[3, 0, 4]], output: [[4, 0, 3]] }],
  },
  { file: 'inline' },
);
const tall = parseTask(
  'tall',
  {
    train: [{ input: [[1]], output: [[1]] }],
    test: [{ input: [[5]], output: [[5], [5], [5], [5]] }],
  },
  { file: 'inline' },
);
const subsets = (): ArcSubset[] => [
  { name: 'training', tasks: [small, tall] },
  { name: 'evaluation', tasks: [small] },
];

describe('ARC plans on a small canvas', () => {
  it('names the task and the grid that does not fit, including a test answer', () => {
    expect(arcTaskOverflow(tall, 4)).toBeNull();
    expect(arcTaskOverflow(tall, 3)).toBe('test example 0 output: the 4x1 grid');
    const plan = () =>
      planArcDataset(subsets(), { testSets: ['evaluation'], numAug: 1, seed: 0, canvas: 3 });
    expect(plan).toThrow(ArcDataError);
    expect(plan).toThrow(
      'training/tall, test example 0 output: the 4x1 grid does not fit the 3x3 canvas; use a larger canvas or keep only the tasks that fit',
    );
  });

  it('keeps only the tasks that fit when asked, and says how many', () => {
    const plan = planArcDataset(subsets(), {
      testSets: ['evaluation'],
      numAug: 2,
      seed: 0,
      canvas: 3,
      onlyFitting: true,
    });
    expect(plan.canvas).toBe(3);
    expect(plan.kept).toEqual([
      { subset: 'training', tasks: 2, kept: 1 },
      { subset: 'evaluation', tasks: 1, kept: 1 },
    ]);
    const ids = new Set(plan.identifiers.slice(1).map((n) => parseAugmentationName(n).id));
    expect([...ids]).toEqual(['small']);
    // A subset none of whose tasks fits is refused rather than silently emptied.
    expect(() =>
      planArcDataset(subsets(), {
        testSets: ['evaluation'],
        numAug: 0,
        seed: 0,
        canvas: 1,
        onlyFitting: true,
      }),
    ).toThrow('subset "training": none of its 2 tasks fits the 1x1 canvas');
  });

  it('changes nothing at the default canvas', () => {
    const options = { testSets: ['evaluation'], numAug: 3, seed: 5 };
    const a = planArcDataset(subsets(), options);
    const b = planArcDataset(subsets(), { ...options, canvas: 30, onlyFitting: true });
    expect(b.identifiers).toEqual(a.identifiers);
    expect(b.train.map((g) => g.map((p) => p.name))).toEqual(
      a.train.map((g) => g.map((p) => p.name)),
    );
  });

  it('votes on the small canvas, and refuses rows of another length', () => {
    const task = {
      train: [{ input: [[1]], output: [[1]] }],
      test: [{ input: [[1, 2]], output: [[3]] }],
    };
    const evaluator = new ArcEvaluator({
      identifiers: ['<blank>', 't'],
      testPuzzles: { t: task },
      canvas: 4,
    });
    const input = encodeArcGrid(gridFromRows([[1, 2]]), undefined, 4);
    const pred = encodeArcGrid(gridFromRows([[3]]), undefined, 4);
    evaluator.update({ inputs: input, preds: pred, puzzleIdentifiers: [1], qHaltLogits: [0] });
    expect(evaluator.result().metrics['ARC/pass@1']).toBe(1);
    const wide = encodeArcGrid(gridFromRows([[1, 2]]));
    expect(() =>
      evaluator.update({ inputs: wide, preds: wide, puzzleIdentifiers: [1], qHaltLogits: [0] }),
    ).toThrow(
      '1 rows came with 900 input and 900 predicted tokens, expected 16 of each (rows of the 4x4 canvas)',
    );
  });
});

const kaggle = sharedPath('arc/kaggle');

describe.skipIf(kaggle.missing)('ARC-AGI-1 tasks that fit 10x10', () => {
  const dir = join(tmp, 'arc-10');
  const sources = {
    inputPrefix: join(kaggle.path, 'arc-agi'),
    subsets: ['training', 'evaluation'],
  };
  const options = {
    testSets: ['evaluation'],
    numAug: 1,
    seed: 4,
    canvas: 10,
    onlyFitting: true,
  };

  it('builds 178 training and 77 evaluation tasks on 100-token rows that decode to their pairs', () => {
    const plan = buildArcDatasetFolder(dir, sources, options);
    expect(plan.kept).toEqual([
      { subset: 'training', tasks: 400, kept: 178 },
      { subset: 'evaluation', tasks: 400, kept: 77 },
    ]);
    for (const split of ['train', 'test'] as const) {
      expect(readMetadata(dir, split)).toMatchObject({ seq_len: 100, vocab_size: 12 });
      const opened = readSplit(dir, split);
      const set = opened.sets.all;
      const groups = split === 'train' ? plan.train : plan.test;
      const input = new Int32Array(100);
      const label = new Int32Array(100);
      let e = 0;
      for (const puzzle of groups.flat()) {
        for (const pair of puzzle.pairs) {
          set.inputs.readRow(e, input, 0);
          set.labels.readRow(e, label, 0);
          e++;
          const at = locateArcGrid(input, 10);
          const aug = (g: typeof pair.input) => applyAugmentation(g, puzzle.augmentation);
          expect(gridsEqual(cropArcGrid(input, at, 10), aug(pair.input))).toBe(true);
          expect(gridsEqual(cropArcGrid(label, at, 10), aug(pair.output!))).toBe(true);
          if (split === 'test') expect(at).toEqual({ row: 0, col: 0 });
        }
      }
      expect(e).toBe(set.inputs.numRows);
      opened.close();
    }
    expect(JSON.parse(readFileSync(join(dir, 'build.json'), 'utf8'))).toEqual(
      arcBuildSettings(sources, options),
    );
    expect(arcBuildSettings(sources, options)).toMatchObject({
      kind: 'arc',
      canvas: 10,
      only_fitting: true,
    });
  });

  it('scores the labels as predictions pass@1 = 1 on the 10x10 canvas', () => {
    const evaluator = arcEvaluatorForDataset(dir);
    const opened = readSplit(dir, 'test');
    const set = opened.sets.all;
    const rows = set.inputs.numRows;
    const inputs = new Int32Array(rows * 100);
    const preds = new Int32Array(rows * 100);
    for (let e = 0; e < rows; e++) {
      set.inputs.readRow(e, inputs, e * 100);
      set.labels.readRow(e, preds, e * 100);
    }
    const ids = new Int32Array(rows);
    for (let p = 0; p < set.puzzleIdentifiers.length; p++)
      ids.fill(set.puzzleIdentifiers[p], set.puzzleIndices[p], set.puzzleIndices[p + 1]);
    opened.close();
    evaluator.update({
      inputs,
      preds,
      puzzleIdentifiers: ids,
      qHaltLogits: new Float32Array(rows),
    });
    const { metrics, missing } = evaluator.result();
    expect(missing).toEqual([]);
    expect(metrics['ARC/pass@1']).toBe(1);
    // The test split alone gives the same test pairs as test_puzzles.json.
    const tests = (t: ReturnType<typeof readTestPuzzles>) =>
      Object.fromEntries(Object.entries(t).map(([id, task]) => [id, task.test]));
    expect(tests(testPuzzlesFromSplit(dir))).toEqual(tests(readTestPuzzles(dir)));
    expect(Object.keys(readTestPuzzles(dir))).toHaveLength(77);
  });
});
