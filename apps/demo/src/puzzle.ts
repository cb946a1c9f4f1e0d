import type { Grid, SudokuShape } from '@rrm/puzzles';
import type { PuzzleKind } from './grid';

/** One thing to solve, in display values (see grid.ts). */
export interface Puzzle {
  id: string;
  title: string;
  kind: PuzzleKind;
  input: Grid;
  solution?: Grid;
  /** Sudoku box shape: 2×3 boxes make a 6×6 board. */
  shape?: SudokuShape;
  /** ARC demonstration pairs. */
  demos?: Array<{ input: Grid; output: Grid }>;
  /** Why there is no known solution, when that needs saying. */
  note?: string;
}

/** The model's answer after one supervision step. */
export interface StepResult {
  answer: Grid;
  /** Halting logit; the model would stop here when it is > 0. */
  qHalt: number;
}

export interface SolveTrace {
  steps: StepResult[];
  ms: number;
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** The first step at which the halting head says stop (q_halt > 0), or null if it never does. */
export function haltingStep(trace: SolveTrace): number | null {
  const i = trace.steps.findIndex((s) => s.qHalt > 0);
  return i < 0 ? null : i + 1;
}
