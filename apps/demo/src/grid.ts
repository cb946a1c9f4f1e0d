import { type Grid, type SudokuShape, sudokuConflicts } from '@rrm/puzzles';

/**
 * What the page compares between steps. Grids are @rrm/puzzles grids in
 * display values: Sudoku 0 = blank and digits 1..n; ARC colours 0..9; maze
 * indices into MAZE_CHARSET (`# SGo`).
 */
export type PuzzleKind = 'sudoku' | 'arc' | 'maze';

/**
 * Which cells differ from the previous step's answer. A change of shape (ARC
 * answers can grow or shrink between steps) marks every cell as changed.
 */
export function changedCells(prev: Grid | null, next: Grid): boolean[] {
  const cells = Array.from(next.data);
  if (!prev || prev.rows !== next.rows || prev.cols !== next.cols)
    return cells.map(() => prev !== null);
  return cells.map((v, i) => v !== prev.data[i]);
}

/** Cells that disagree with the known solution (-1 when the shapes differ). */
export function countWrongCells(answer: Grid, solution: Grid): number {
  if (answer.rows !== solution.rows || answer.cols !== solution.cols) return -1;
  return answer.data.reduce((n, v, i) => n + (v === solution.data[i] ? 0 : 1), 0);
}

/**
 * The givens an answer keeps: drawn as givens. A given the model overwrote is its own
 * (wrong) fill-in and is drawn as one, so the board never shows a given it does not hold.
 */
export function keptGivens(input: Grid, answer: Grid): boolean[] {
  const sameShape = input.rows === answer.rows && input.cols === answer.cols;
  return Array.from(answer.data, (v, i) => sameShape && input.data[i] !== 0 && v === input.data[i]);
}

/** How a Sudoku answer fares against the rules alone, for boards without one known solution. */
export interface SudokuRulesCheck {
  /** Cells whose digit repeats in their row, column or box. */
  clashing: number;
  /** Givens the answer changed. */
  changedGivens: number;
  blanks: number;
}

/** The rules check of `answer` for the board `input`: all zero means it solves the board. */
export function checkSudokuRules(input: Grid, answer: Grid, shape: SudokuShape): SudokuRulesCheck {
  const clash = sudokuConflicts(answer.data, shape);
  let clashing = 0;
  let changedGivens = 0;
  let blanks = 0;
  answer.data.forEach((v, i) => {
    clashing += clash[i];
    if (input.data[i] !== 0 && v !== input.data[i]) changedGivens++;
    if (v === 0) blanks++;
  });
  return { clashing, changedGivens, blanks };
}
