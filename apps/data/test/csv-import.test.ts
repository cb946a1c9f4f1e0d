/**
 * The shipped models are scored on puzzles made outside this repo, imported from the
 * Sudoku-Extreme and reference maze CSV layouts with the same file as both splits.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMaze, decodeSudoku, SUDOKU_SHAPES } from '@rrm/puzzles';
import { readSplit } from '@rrm/puzzles/node';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './harness.js';

const tmp = mkdtempSync(join(tmpdir(), 'rrm-data-csv-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function labels(dir: string, split: 'train' | 'test'): number[][] {
  const s = readSplit(dir, split);
  const set = s.sets.all;
  const row = new Int32Array(set.labels.rowLength);
  const out: number[][] = [];
  for (let e = 0; e < set.labels.numRows; e++) {
    set.labels.readRow(e, row, 0);
    out.push(Array.from(row));
  }
  s.close();
  return out;
}

// A solved grid by the banded-shift pattern, and two puzzles from it with one solution each:
// a blank first row, and a blank diagonal (every row and column then misses one digit).
const GRID = Array.from({ length: 81 }, (_, i) => {
  const r = Math.floor(i / 9);
  return ((r * 3 + Math.floor(r / 3) + (i % 9)) % 9) + 1;
}).join('');
const blank = (keep: (i: number) => boolean) =>
  Array.from(GRID, (d, i) => (keep(i) ? d : '.')).join('');
const SUDOKU_CSV = [
  'source,question,answer,rating',
  `hand_row,${blank((i) => i >= 9)},${GRID},0`,
  `hand_diagonal,${blank((i) => i % 10 !== 0)},${GRID},4`,
].join('\n');

/** `rrm-data build KIND` with `csv` as both splits and no augmentation; returns the folder. */
async function importBoth(kind: 'sudoku' | 'maze', csv: string, count: number): Promise<string> {
  const dir = join(tmp, kind);
  const r = await cli(
    'build',
    kind,
    '--csv-train',
    csv,
    '--csv-test',
    csv,
    '--num-aug',
    '0',
    '--out',
    dir,
  );
  expect(r.code, r.err).toBe(0);
  const split = `${count} groups, ${count} puzzles, ${count} examples`;
  expect(r.out).toContain(`train: ${split}; test: ${split}`);
  return dir;
}

describe('rrm-data build from external CSVs', () => {
  it('imports the Sudoku-Extreme layout with the same file as train and test, --num-aug 0', async () => {
    const csv = join(tmp, 'extreme.csv');
    writeFileSync(csv, `${SUDOKU_CSV}\n`);
    const dir = await importBoth('sudoku', csv, 2);
    const answers = labels(dir, 'test').map((l) => decodeSudoku(l, SUDOKU_SHAPES['9x9']).join(''));
    expect(answers).toEqual([GRID, GRID]);
  });

  it('makes a test-only dataset from --csv-test alone, for scoring a model', async () => {
    const csv = join(tmp, 'test-only.csv');
    writeFileSync(csv, `${SUDOKU_CSV}\n`);
    const dir = join(tmp, 'sudoku-test-only');
    const r = await cli('build', 'sudoku', '--csv-test', csv, '--num-aug', '0', '--out', dir);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(
      'train: 0 groups, 0 puzzles, 0 examples; test: 2 groups, 2 puzzles, 2 examples',
    );
    expect(labels(dir, 'test').map((l) => decodeSudoku(l, SUDOKU_SHAPES['9x9']).join(''))).toEqual([
      GRID,
      GRID,
    ]);
  });

  it('imports the reference maze layout, 15×15, with the same file as train and test', async () => {
    const size = 15;
    const wall = '#'.repeat(size);
    const open = `#${' '.repeat(size - 2)}#`;
    const lines = [wall, ...Array.from({ length: size - 2 }, () => open), wall];
    const q = lines.join('').split('');
    q[size + 1] = 'S';
    q[size + 5] = 'G';
    const a = q.slice();
    for (let c = 2; c < 5; c++) a[size + c] = 'o';
    const csv = join(tmp, 'maze.csv');
    writeFileSync(csv, `source,question,answer,rating\nhand,${q.join('')},${a.join('')},0\n`);
    const dir = await importBoth('maze', csv, 1);
    expect(decodeMaze(labels(dir, 'test')[0])).toBe(a.join(''));
    // --csv-test alone: a test-only 15×15 dataset, not a generated 30×30 one beside it.
    const only = join(tmp, 'maze-test-only');
    const r = await cli('build', 'maze', '--csv-test', csv, '--out', only);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('train: 0 groups, 0 puzzles, 0 examples; test: 1 groups');
    expect(labels(only, 'test').map((l) => decodeMaze(l))).toEqual([a.join('')]);
    const test = readSplit(only, 'test');
    expect(test.metadata.seq_len).toBe(size * size);
    test.close();
  });

  it('names impossible generator options', async () => {
    const out = join(tmp, 'never');
    const cases: Array<[string[], number, RegExp]> = [
      [
        ['sudoku', '--max-givens', '12'],
        1,
        /--max-givens 12: a 9×9 Sudoku with one solution has at least 17 givens/,
      ],
      [
        ['sudoku', '--size', '4x4', '--min-givens', '20'],
        1,
        /--min-givens must be an integer in 0\.\.16 for 4×4, got 20/,
      ],
      [
        ['sudoku', '--min-givens', '30', '--max-givens', '24'],
        1,
        /--max-givens 24 is below --min-givens 30/,
      ],
      [['maze', '--size', '4'], 2, /--size must be an integer >= 5, got "4"/],
      [['maze', '--loops', 'many'], 2, /--loops must be a fraction in 0\.\.1/],
      [
        ['maze', '--carver', 'kruskal'],
        2,
        /--carver must be one of backtrack, prim, mixed, got "kruskal"/,
      ],
    ];
    for (const [argv, code, message] of cases) {
      const r = await cli('build', ...argv, '--out', out);
      expect(r.code, argv.join(' ')).toBe(code);
      expect(r.err).toMatch(message);
    }
  });
});
