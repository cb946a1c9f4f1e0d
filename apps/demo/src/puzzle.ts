import type { ArcTask, RankedCandidate } from '@rrm/arc';
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
  /** An ARC test input: its task, whose augmentations the attempts vote over. */
  arc?: { task: ArcTask; testIndex: number };
  /** Why there is no known solution, when that needs saying. */
  note?: string;
}

/** The model's answer after one supervision step. */
export interface StepResult {
  answer: Grid;
  /**
   * The loaded model's halting logit (`haltLogit` of @rrm/act: q_halt for TRM,
   * q_halt − q_continue for HRM); the model would stop here when it is > 0.
   */
  haltLogit: number;
}

/** An ARC model's two attempts, voted for by the versions of the task it answered. */
export interface ArcAttempts {
  /** The two best answers (one when every version agreed), best first. */
  best: RankedCandidate[];
  /** How many versions voted: the task and its augmentations. */
  versions: number;
  /** Whether the versions ran under the puzzle embeddings the model learned for them. */
  learned: boolean;
}

export interface SolveTrace {
  /** Every supervision step's answer (for ARC, to the test input as given). */
  steps: StepResult[];
  /** ARC only: the attempts after the last step. */
  attempts?: ArcAttempts;
  ms: number;
  /** The model's halting rule, in words: "q_halt > 0" (TRM) or "q_halt > q_continue" (HRM). */
  haltRule: string;
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** The first step at which the model's halting rule says stop, or null if it never does. */
export function haltingStep(trace: SolveTrace): number | null {
  const i = trace.steps.findIndex((s) => s.haltLogit > 0);
  return i < 0 ? null : i + 1;
}
