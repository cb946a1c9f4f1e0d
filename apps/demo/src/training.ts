/**
 * Training in the tab: what the page and its worker (`train-worker.ts`) say to each
 * other. The worker generates the puzzles, trains with `TrainingLoop` of
 * `@rrm/trainer/browser`, and sends every step's metrics, the held-out evaluations and,
 * when asked, a checkpoint in the files `rrm-train` writes (so `rrm-eval` reads it).
 */
import type { BackendName } from './backend';

/** The boards a tab can train on, by the trainer preset each one uses. */
export const TRAIN_PRESETS = {
  '4x4': { preset: 'sudoku-4x4', title: '4×4 Sudoku' },
  '6x6': { preset: 'sudoku-small', title: '6×6 Sudoku' },
} as const;
export type TrainBoard = keyof typeof TRAIN_PRESETS;

export type ToWorker =
  | { type: 'start'; board: TrainBoard; steps: number; seed: number; backend?: BackendName }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'checkpoint' };

export interface HeldOut {
  step: number;
  puzzles: number;
  exact: number;
  token: number;
  /** Exact accuracy after each supervision step. */
  byStep: number[];
}

export type FromWorker =
  | { type: 'generating'; done: number; total: number }
  | {
      type: 'ready';
      backend: string;
      parameters: number;
      totalSteps: number;
      trainPuzzles: number;
      testPuzzles: number;
    }
  | { type: 'step'; record: Record<string, number | string> }
  | { type: 'eval'; result: HeldOut }
  | { type: 'paused'; step: number }
  | { type: 'resumed'; step: number }
  | { type: 'done'; step: number; elapsed_s: number }
  | { type: 'checkpoint'; step: number; config: string; weights: Uint8Array }
  | { type: 'error'; message: string };

/**
 * Held-out evaluations per run, and the fewest steps between two: one runs every
 * supervision step over the whole test split, which costs as much as many training steps.
 */
export const EVALS_PER_RUN = 6;
export const MIN_STEPS_BETWEEN_EVALS = 25;

/** The steps after which the worker evaluates: evenly spaced, and always the last. */
export function isEvalStep(step: number, total: number): boolean {
  const every = Math.max(MIN_STEPS_BETWEEN_EVALS, Math.round(total / EVALS_PER_RUN));
  return step === total || step % every === 0;
}
