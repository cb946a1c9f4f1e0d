import { isSolvedSudoku, MAZE_CHARSET, makeGrid, SUDOKU_SHAPES } from '@rrm/puzzles';
import { describe, expect, it } from 'vitest';
import { puzzlesFromArcTask } from '../src/arc-task';
import { changedCells, checkSudokuRules, countWrongCells, keptGivens } from '../src/grid';
import { chartGroup, parseMetricsJsonl, shownByDefault } from '../src/metrics';
import { haltingStep, sigmoid } from '../src/puzzle';
import { FIXED_SAMPLES, sudokuPuzzle, sudokuSamples } from '../src/samples';
import { niceTicks, tick } from '../src/views/chart';

describe('grids', () => {
  it('marks the cells that changed since the previous step', () => {
    const a = makeGrid(2, 2, [1, 2, 3, 4]);
    const b = makeGrid(2, 2, [1, 5, 3, 0]);
    expect(changedCells(a, b)).toEqual([false, true, false, true]);
    expect(changedCells(null, b)).toEqual([false, false, false, false]);
    expect(changedCells(makeGrid(1, 4, [1, 2, 3, 4]), b)).toEqual([true, true, true, true]);
  });

  it('counts wrong cells, and flags a shape mismatch', () => {
    expect(countWrongCells(makeGrid(1, 3, [1, 2, 3]), makeGrid(1, 3, [1, 0, 0]))).toBe(2);
    expect(countWrongCells(makeGrid(1, 3, [1, 2, 3]), makeGrid(3, 1, [1, 2, 3]))).toBe(-1);
  });

  it('draws as givens only the givens the answer keeps', () => {
    const input = makeGrid(1, 4, [1, 0, 3, 4]);
    // The model kept 1, filled the blank with 2, overwrote the 3 and kept 4.
    expect(keptGivens(input, makeGrid(1, 4, [1, 2, 2, 4]))).toEqual([true, false, false, true]);
    expect(keptGivens(input, makeGrid(2, 2, [1, 0, 3, 4]))).toEqual([false, false, false, false]);
  });

  it('checks a Sudoku answer against the rules alone: clashes, changed givens, blanks', () => {
    const shape = SUDOKU_SHAPES['4x4'];
    const solved = [1, 2, 3, 4, 3, 4, 1, 2, 2, 1, 4, 3, 4, 3, 2, 1];
    // Two givens only: this board has many solutions; `solved` is one of them.
    const input = makeGrid(4, 4, [1, ...Array(14).fill(0), 1]);
    expect(checkSudokuRules(input, makeGrid(4, 4, solved), shape)).toEqual({
      clashing: 0,
      changedGivens: 0,
      blanks: 0,
    });
    const broken = solved.slice();
    broken[1] = 1; // clashes with the 1 before it (row, box) and the 1 two rows down (column)
    broken[15] = 0;
    expect(checkSudokuRules(input, makeGrid(4, 4, broken), shape)).toEqual({
      clashing: 3,
      changedGivens: 1,
      blanks: 1,
    });
  });
});

describe('metrics JSONL', () => {
  const text = [
    '{"step": 1, "train": {"loss": 2.5, "accuracy": 0.1}, "lr": 0.001}',
    '',
    '{"step": 2, "train": {"loss": 2.0, "accuracy": 0.2}, "lr": 0.001, "phase": "train"}',
    '{"step": 2, "eval": {"exact_accuracy": 0.05}}',
  ].join('\n');

  it('flattens nested records into series keyed by step', () => {
    const t = parseMetricsJsonl(text);
    expect(t.xKey).toBe('step');
    const loss = t.series.find((s) => s.key === 'train.loss');
    expect(loss?.points).toEqual([
      [1, 2.5],
      [2, 2.0],
    ]);
    expect(t.series.map((s) => s.key)).toEqual([
      'train.loss',
      'train.accuracy',
      'lr',
      'eval.exact_accuracy',
    ]);
  });

  it('puts losses, accuracies and the rest on separate charts, per-step breakdowns hidden at first', () => {
    const keys = [
      'train/loss',
      'train/q_halt_loss',
      'eval/all/exact_accuracy',
      'eval/all/exact_accuracy@3',
      'train/lr',
    ];
    expect(keys.map(chartGroup)).toEqual(['loss', 'loss', 'accuracy', 'accuracy', 'other']);
    expect(keys.filter(shownByDefault)).toEqual([
      'train/loss',
      'train/q_halt_loss',
      'eval/all/exact_accuracy',
    ]);
  });

  it('leaves out accuracies of a step in which no sequence was counted', () => {
    const t = parseMetricsJsonl(
      [
        '{"step": 1, "train/count": 0, "train/accuracy": 0, "train/loss": 2}',
        '{"step": 2, "train/count": 5, "train/accuracy": 0.4, "train/loss": 1.5}',
      ].join('\n'),
    );
    expect(t.series.find((s) => s.key === 'train/accuracy')?.points).toEqual([[2, 0.4]]);
    expect(t.series.find((s) => s.key === 'train/loss')?.points).toHaveLength(2);
  });

  it('reports the file and line of a broken record', () => {
    expect(() => parseMetricsJsonl('{"step": 1}\n{"step": 2,', 'run/metrics.jsonl')).toThrow(
      /^run\/metrics\.jsonl, line 2: not valid JSON/,
    );
    expect(() => parseMetricsJsonl('[1, 2]', 'm.jsonl')).toThrow(
      'm.jsonl, line 1: expected a JSON object',
    );
    expect(() => parseMetricsJsonl('\n\n', 'm.jsonl')).toThrow('m.jsonl: no metrics records');
  });
});

describe('chart ticks', () => {
  it('picks round steps of 1, 2 or 5 times a power of ten', () => {
    expect(niceTicks(0, 2.1)).toEqual([0, 0.5, 1, 1.5, 2]);
    expect(niceTicks(1, 335)).toEqual([100, 200, 300]);
    expect(niceTicks(0.1, 0.7)).toEqual([0.2, 0.4, 0.6]);
    expect(niceTicks(0.1, 0.4)).toEqual([0.1, 0.2, 0.3, 0.4]);
    expect(niceTicks(-3, 3)).toEqual([-2, 0, 2]);
  });

  it('labels the ticks of a narrow range apart', () => {
    const labels = niceTicks(1.91, 1.99).map(tick);
    expect(labels).toEqual(['1.92', '1.94', '1.96', '1.98']);
    expect([0, 0.5, 12, 1500, 25000].map(tick)).toEqual(['0', '0.5', '12', '1.5k', '25k']);
  });
});

describe('ARC task files', () => {
  const task = {
    train: [{ input: [[1, 2]], output: [[2, 1]] }],
    test: [{ input: [[3, 4]], output: [[4, 3]] }, { input: [[5], [6]] }],
  };

  it('makes one puzzle per test input with the demonstration pairs', () => {
    const ps = puzzlesFromArcTask(JSON.stringify(task), 'abc123.json');
    expect(ps.map((p) => p.id)).toEqual(['arc-abc123-0', 'arc-abc123-1']);
    expect(Array.from(ps[0].demos?.[0].output.data ?? [])).toEqual([2, 1]);
    expect(Array.from(ps[0].solution?.data ?? [])).toEqual([4, 3]);
    expect(ps[1].solution).toBeUndefined();
    expect(ps[1].input).toMatchObject({ rows: 2, cols: 1 });
  });

  it.each([
    ['{"train": [', /^bad\.json: not valid JSON/],
    ['[]', 'bad.json: task bad: expected an object with "train" and "test"'],
    [
      '{"train": [], "test": []}',
      'bad.json: task bad: "train" must be a non-empty list of examples',
    ],
    [
      '{"train": [{"input": [[1]]}], "test": [{"input": [[1]]}]}',
      'bad.json: task bad, train example 0: missing "output"',
    ],
    [
      '{"train": [{"input": [[1, 2], [3]], "output": [[1]]}], "test": [{"input": [[1]]}]}',
      'bad.json: task bad, train example 0 input: grid is not rectangular (row 1 has 1 cells, row 0 has 2)',
    ],
    [
      '{"train": [{"input": [[1]], "output": [[12]]}], "test": [{"input": [[1]]}]}',
      'bad.json: task bad, train example 0 output: value 12 at row 0, column 0 is not a colour 0-9',
    ],
  ])('explains what is wrong with %s', (text, message) => {
    expect(() => puzzlesFromArcTask(text, 'bad.json')).toThrow(message);
  });
});

describe('halting', () => {
  it('stops at the first step with q_halt > 0, if any', () => {
    const g = makeGrid(1, 1, [0]);
    const trace = (qs: number[]) => ({
      ms: 0,
      haltRule: 'q_halt > 0',
      steps: qs.map((haltLogit) => ({ answer: g, haltLogit })),
    });
    expect(haltingStep(trace([-2, -0.5, 0.3, 1]))).toBe(3);
    expect(haltingStep(trace([-2, -1]))).toBeNull();
    expect(sigmoid(0)).toBe(0.5);
  });
});

describe('samples', () => {
  const shape = SUDOKU_SHAPES['4x4'];

  it('generates the same in-distribution Sudokus every time, with their solutions', () => {
    const a = sudokuSamples(shape, 8);
    const b = sudokuSamples(shape, 8);
    expect(a.map((p) => p.id)).toEqual(['sudoku-4x4-1000', 'sudoku-4x4-1001', 'sudoku-4x4-1002']);
    expect(a.map((p) => Array.from(p.input.data))).toEqual(b.map((p) => Array.from(p.input.data)));
    for (const p of a) {
      expect(p.input.data.filter((v) => v !== 0).length).toBeGreaterThanOrEqual(8);
      expect(isSolvedSudoku(p.solution!.data, shape)).toBe(true);
      // The solution keeps every given.
      expect(Array.from(p.input.data).every((v, i) => v === 0 || v === p.solution!.data[i])).toBe(
        true,
      );
    }
  });

  it('checks a typed Sudoku: one solution, none, or several', () => {
    const unique = sudokuPuzzle(
      't',
      'typed',
      shape,
      Uint8Array.from([1, 2, 3, 4, 3, 4, 1, 2, 2, 1, 4, 3, 4, 3, 2, 0]),
    );
    expect(unique.solution?.data[15]).toBe(1);
    const none = sudokuPuzzle(
      't',
      'typed',
      shape,
      Uint8Array.from([1, 1, ...new Array(14).fill(0)]),
    );
    expect(none.solution).toBeUndefined();
    expect(none.note).toBe('this Sudoku has no solution');
    const many = sudokuPuzzle('t', 'typed', shape, new Uint8Array(16));
    expect(many.note).toBe('this Sudoku has more than one solution');
  });

  it('draws loop-free mazes with a long marked shortest path as their solution', () => {
    const mazes = FIXED_SAMPLES.filter((p) => p.kind === 'maze');
    expect(mazes.map((m) => m.input.rows)).toEqual([15, 30]);
    for (const maze of mazes) {
      const count = (g: typeof maze.input, glyph: string) =>
        g.data.filter((v) => MAZE_CHARSET[v] === glyph).length;
      expect(maze.input.cols).toBe(maze.input.rows);
      expect([count(maze.input, 'S'), count(maze.input, 'G'), count(maze.input, 'o')]).toEqual([
        1, 1, 0,
      ]);
      // 40 and 120 steps: the path cells between S and G.
      expect(count(maze.solution!, 'o')).toBeGreaterThanOrEqual(maze.input.rows === 15 ? 39 : 119);
    }
  });
});
