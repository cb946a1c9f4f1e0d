import { Rng } from '@rrm/random';
import { describe, expect, it } from 'vitest';
import {
  applySudokuAugmentation,
  generateSudoku,
  generateSudokuPuzzles,
  PuzzleOptionError,
  randomSudokuAugmentation,
  SUDOKU_SHAPES,
  solveSudoku,
  sudokuSignature,
} from '../src/index.js';

const { '4x4': s4, '6x6': s6, '9x9': s9 } = SUDOKU_SHAPES;
const givens = (q: Uint8Array) => q.filter((v) => v !== 0).length;

/** True when no single given of `q` can be blanked with the solution staying unique. */
function isMinimal(q: Uint8Array): boolean {
  for (let i = 0; i < q.length; i++) {
    if (q[i] === 0) continue;
    const less = Uint8Array.from(q);
    less[i] = 0;
    if (solveSudoku(less, s9).count === 1) return false;
  }
  return true;
}

describe('Sudoku difficulty', () => {
  it('a givens range gives puzzles within it; minGivens 0 gives minimal puzzles', () => {
    const rng = new Rng(11);
    const counts = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const q = generateSudoku(s9, rng, { minGivens: 30, maxGivens: 33 }).question;
      expect(givens(q)).toBeGreaterThanOrEqual(30);
      expect(givens(q)).toBeLessThanOrEqual(33);
      counts.add(givens(q));
    }
    expect(counts.size).toBe(4);
    for (let i = 0; i < 5; i++) expect(isMinimal(generateSudoku(s9, rng).question)).toBe(true);
  });

  it('rates puzzles by the guesses of the uniqueness proof', () => {
    const rng = new Rng(4);
    const easy = generateSudoku(s9, rng, { minGivens: 45 }).question;
    expect(solveSudoku(easy, s9).guesses).toBe(0);
    const ratings = Array.from(
      { length: 30 },
      () => solveSudoku(generateSudoku(s9, rng).question, s9).guesses,
    );
    expect(Math.max(...ratings)).toBeGreaterThan(0);
  });

  it('names impossible givens for the board', () => {
    const rng = new Rng(0);
    const cases: Array<[object, RegExp]> = [
      [{ maxGivens: 16 }, /maxGivens 16: a 9×9 Sudoku with one solution has at least 17 givens/],
      [{ minGivens: 82 }, /minGivens must be an integer in 0\.\.81 for 9×9, got 82/],
      [{ minGivens: 30, maxGivens: 25 }, /maxGivens 25 is below minGivens 30/],
    ];
    for (const [options, message] of cases) {
      expect(() => generateSudoku(s9, rng, options)).toThrow(PuzzleOptionError);
      expect(() => generateSudoku(s9, rng, options)).toThrow(message);
    }
    // Reachable in principle, but removal in random order almost never gets this low.
    expect(() => generateSudoku(s9, rng, { maxGivens: 18, maxAttempts: 3 })).toThrow(
      /no puzzle with at most 18 givens in 3 attempts/,
    );
  });
});

describe('augmentation signature', () => {
  it('is the same for every augmentation of a puzzle', () => {
    const rng = new Rng(7);
    for (const shape of [s4, s6, s9]) {
      for (let i = 0; i < 20; i++) {
        const q = generateSudoku(shape, rng).question;
        const aug = randomSudokuAugmentation(shape, rng);
        expect(sudokuSignature(applySudokuAugmentation(q, shape, aug), shape)).toBe(
          sudokuSignature(q, shape),
        );
      }
    }
  });

  it('tells distinct 9×9 puzzles apart', () => {
    const rng = new Rng(8);
    const signatures = new Set(
      Array.from({ length: 200 }, () => sudokuSignature(generateSudoku(s9, rng).question, s9)),
    );
    expect(signatures.size).toBe(200);
  });

  it('keeps every augmentation of a training puzzle out of the test split (4×4, all 3072 of them)', () => {
    const { train, test } = generateSudokuPuzzles({
      shape: s4,
      numTrain: 60,
      numTest: 20,
      numAug: 0,
      seed: 3,
    });
    const trainKeys = new Set(train.map((p) => p.question.join('')));
    const perms = [
      [0, 1, 2, 3],
      [1, 0, 2, 3],
      [0, 1, 3, 2],
      [1, 0, 3, 2],
      [2, 3, 0, 1],
      [3, 2, 0, 1],
      [2, 3, 1, 0],
      [3, 2, 1, 0],
    ];
    const digitPerms: number[][] = [];
    const permute = (rest: number[], acc: number[]) => {
      if (rest.length === 0) digitPerms.push([0, ...acc]);
      for (const d of rest)
        permute(
          rest.filter((x) => x !== d),
          [...acc, d],
        );
    };
    permute([1, 2, 3, 4], []);
    let checked = 0;
    for (const { question } of test) {
      expect(trainKeys.has(question.join(''))).toBe(false);
      for (const rowPerm of perms)
        for (const colPerm of perms)
          for (const digits of digitPerms)
            for (const transpose of [false, true]) {
              const aug = {
                digits: Uint8Array.from(digits),
                rowPerm: Int32Array.from(rowPerm),
                colPerm: Int32Array.from(colPerm),
                transpose,
              };
              expect(trainKeys.has(applySudokuAugmentation(question, s4, aug).join(''))).toBe(
                false,
              );
              checked++;
            }
    }
    expect(checked).toBe(20 * 3072);
  });
});
