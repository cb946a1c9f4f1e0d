import { Rng } from '@rrm/random';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applySudokuAugmentation,
  decodeSudoku,
  encodeSudoku,
  formatSudoku,
  generateSudoku,
  isSolvedSudoku,
  parseSudokuCsv,
  randomSudokuAugmentation,
  SUDOKU_SHAPES,
  solveSudoku,
  sudokuConflicts,
  sudokuSize,
} from '../src/index.js';
import { countSolutionsDlx } from './dlx.js';

const { '4x4': s4, '6x6': s6, '9x9': s9 } = SUDOKU_SHAPES;

describe('Sudoku generator', () => {
  it('1000 generated 9x9 puzzles each have exactly one solution (independent DLX solver)', () => {
    const rng = new Rng(2024);
    for (let i = 0; i < 1000; i++) {
      const { question, answer } = generateSudoku(s9, rng);
      expect(countSolutionsDlx(question, 3, 3)).toBe(1);
      expect(isSolvedSudoku(answer, s9)).toBe(true);
      for (let c = 0; c < 81; c++) if (question[c] !== 0) expect(question[c]).toBe(answer[c]);
    }
  });

  it('makes unique 4x4 and 6x6 puzzles too', () => {
    const rng = new Rng(1);
    for (const [shape, br, bc] of [
      [s4, 2, 2],
      [s6, 2, 3],
    ] as const) {
      for (let i = 0; i < 100; i++) {
        const { question, answer } = generateSudoku(shape, rng);
        expect(countSolutionsDlx(question, br, bc)).toBe(1);
        expect(isSolvedSudoku(answer, shape)).toBe(true);
      }
    }
  });

  it('controls difficulty by givens and solver effort', () => {
    const rng = new Rng(5);
    const easy = generateSudoku(s9, rng, { minGivens: 40 });
    expect(easy.question.filter((v) => v !== 0).length).toBe(40);
    expect(countSolutionsDlx(easy.question, 3, 3)).toBe(1);
    const hard = generateSudoku(s9, rng, { minEffort: 80 });
    expect(solveSudoku(hard.question, s9).nodes).toBeGreaterThanOrEqual(80);
    expect(() => generateSudoku(s4, rng, { minEffort: 1e6, maxAttempts: 3 })).toThrow(/minEffort/);
  });

  it('counts solutions: none for a contradiction, several for an empty grid', () => {
    const bad = new Uint8Array(16);
    bad[0] = 1;
    bad[1] = 1;
    expect(solveSudoku(bad, s4).count).toBe(0);
    expect(solveSudoku(new Uint8Array(16), s4, { limit: 5 }).count).toBe(5);
  });
});

describe('Sudoku augmentation and encoding', () => {
  it('keeps puzzles valid and unique and the answer consistent', () => {
    const rng = new Rng(9);
    for (const shape of [s4, s6, s9]) {
      const n = shape.boxRows * shape.boxCols;
      const { question, answer } = generateSudoku(shape, rng);
      for (let i = 0; i < 20; i++) {
        const aug = randomSudokuAugmentation(shape, rng);
        const q = applySudokuAugmentation(question, shape, aug);
        const a = applySudokuAugmentation(answer, shape, aug);
        expect(isSolvedSudoku(a, shape)).toBe(true);
        expect(countSolutionsDlx(q, shape.boxRows, shape.boxCols)).toBe(1);
        expect(solveSudoku(q, shape).solution).toEqual(a);
        expect(q.filter((v) => v === 0).length).toBe(question.filter((v) => v === 0).length);
        expect(aug.transpose && shape.boxRows !== shape.boxCols).toBe(false);
        expect(aug.rowPerm.length).toBe(n);
      }
    }
  });

  it('encodes as the reference (blank 1, digits 2..n+1) and decodes back', () => {
    const { question } = generateSudoku(s9, new Rng(3));
    const tokens = encodeSudoku(question);
    expect(tokens.every((t) => t >= 1 && t <= 10)).toBe(true);
    expect(Array.from(tokens).filter((t) => t === 1).length).toBe(
      question.filter((v) => v === 0).length,
    );
    expect(decodeSudoku(tokens, s9)).toEqual(question);
    expect(() => decodeSudoku([11, ...new Array(80).fill(1)], s9)).toThrow(/token 11 at 0/);
    expect(formatSudoku(question, s9).split('\n').length).toBe(11);
  });
});

describe('Sudoku-Extreme CSV', () => {
  const { question, answer } = generateSudoku(SUDOKU_SHAPES['9x9'], new Rng(4));
  const q = Array.from(question, (v) => (v === 0 ? '.' : String(v))).join('');
  const a = answer.join('');

  it('reads puzzles with . for blanks', () => {
    const { shape, rows } = parseSudokuCsv(`source,question,answer,rating\nsrc,${q},${a},12\n`);
    expect(shape).toBe(s9);
    expect(rows[0].question).toEqual(question);
    expect(rows[0].answer).toEqual(answer);
    expect(rows[0].rating).toBe(12);
  });

  it('reports the line and the problem', () => {
    expect(() => parseSudokuCsv('a,b\n', 'x.csv')).toThrow(/x.csv:1: expected header/);
    expect(() =>
      parseSudokuCsv(`source,question,answer,rating\ns,${q.slice(1)},${a.slice(1)},0`, 'x.csv'),
    ).toThrow(/x.csv:2: 80 cells/);
    const wrong = a.replace(/^(\d)(\d)/, '$2$1');
    expect(() =>
      parseSudokuCsv(`source,question,answer,rating\ns,${q},${wrong},0`, 'x.csv'),
    ).toThrow(/x.csv:2: answer is not a valid solution/);
    expect(() =>
      parseSudokuCsv(`source,question,answer,rating\ns,${q.replace('.', 'x')},${a},0`, 'x.csv'),
    ).toThrow(/question cell \d+ is "x"/);
  });
});

describe('sudokuConflicts', () => {
  it('flags nothing on a solution, and exactly the cells that share a unit and a digit', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.values(SUDOKU_SHAPES)),
        fc.integer({ min: 0, max: 1e6 }),
        fc.nat(),
        fc.nat(),
        (shape, seed, cell, other) => {
          const n = sudokuSize(shape);
          const { answer } = generateSudoku(shape, new Rng(seed), { minGivens: n * n });
          expect(Array.from(sudokuConflicts(answer, shape))).toEqual(Array(n * n).fill(0));
          // Copy another cell's digit into `cell`: it then clashes with every cell of its
          // row, column and box that holds that digit, and only those are flagged.
          const i = cell % (n * n);
          const j = other % (n * n);
          const grid = answer.slice();
          grid[i] = answer[j];
          const unitOf = (a: number, b: number) => {
            const box = (x: number) =>
              `${Math.floor(Math.floor(x / n) / shape.boxRows)},${Math.floor((x % n) / shape.boxCols)}`;
            return Math.floor(a / n) === Math.floor(b / n) || a % n === b % n || box(a) === box(b);
          };
          const clash = Array.from(grid, (d, k) => k !== i && d === grid[i] && unitOf(i, k));
          const expected = clash.map((c, k) => (c || (k === i && clash.some(Boolean)) ? 1 : 0));
          expect(Array.from(sudokuConflicts(grid, shape))).toEqual(expected);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('ignores blanks', () => {
    const shape = SUDOKU_SHAPES['4x4'];
    expect(Array.from(sudokuConflicts(new Uint8Array(16), shape))).toEqual(Array(16).fill(0));
    const two = new Uint8Array(16);
    two[0] = two[3] = 2;
    expect(Array.from(sudokuConflicts(two, shape)).flatMap((v, k) => (v ? [k] : []))).toEqual([
      0, 3,
    ]);
  });
});
