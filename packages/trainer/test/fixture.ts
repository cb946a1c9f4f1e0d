import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  openRunFolder,
  openTrainingData,
  resolveConfig,
  type TrainConfig,
  Trainer,
  type TrainerOptions,
} from '../src/index.js';

/** A TRM network small enough to train a few steps in a test (attention, puzzle embedding). */
export const TINY_TRM_ARCH = {
  H_cycles: 2,
  L_cycles: 1,
  L_layers: 1,
  hidden_size: 16,
  num_heads: 2,
  expansion: 2,
  puzzle_emb_ndim: 16,
  puzzle_emb_len: 1,
};

/** A tiny TRM on generated 4×4 Sudoku. */
export function tinyConfig(dataDir: string, overrides: Array<[string, unknown]> = []): TrainConfig {
  return resolveConfig({
    preset: 'sudoku-small',
    overrides: [
      ...tinyData(dataDir),
      [
        'arch',
        {
          ...TINY_TRM_ARCH,
          pos_encodings: 'rope',
          mlp_t: false,
          halt_max_steps: 3,
          halt_exploration_prob: 0.5,
          no_ACT_continue: true,
          H_layers: 0,
          rms_norm_eps: 1e-5,
          rope_theta: 10000,
        },
      ],
      ['ema', true],
      ...overrides,
    ],
  });
}

/** The same data and schedule for an HRM (Q-learning halting, two modules). */
export function tinyHrmConfig(dataDir: string): TrainConfig {
  return resolveConfig({
    preset: 'hrm-sudoku',
    overrides: [
      ...tinyData(dataDir),
      [
        'arch',
        {
          H_cycles: 1,
          L_cycles: 2,
          H_layers: 1,
          L_layers: 1,
          hidden_size: 16,
          num_heads: 2,
          expansion: 2,
          puzzle_emb_ndim: 16,
          halt_max_steps: 3,
          halt_exploration_prob: 0.5,
        },
      ],
      ['epochs', 1],
    ],
  });
}

function tinyData(dataDir: string): Array<[string, unknown]> {
  return [
    ['data_paths', [dataDir]],
    [
      'build_data',
      {
        kind: 'sudoku',
        box_rows: 2,
        box_cols: 2,
        train_puzzles: 32,
        test_puzzles: 6,
        num_aug: 1,
        min_givens: 0,
        seed: 3,
      },
    ],
    ['global_batch_size', 8],
    ['epochs', 2],
    ['max_steps', null],
    ['eval_interval', null],
    ['lr', 1e-3],
    ['lr_warmup_steps', 2],
    ['checkpoint_every', 3],
    ['keep_checkpoints', 2],
  ];
}

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `rrm-trainer-${label}-`));
}

/** A trainer opened as rrm-train opens one: the run folder, then the data, then the loop. */
export async function openTrainer(
  opts: Omit<TrainerOptions, 'run' | 'data'> & { outDir: string; resume?: boolean },
): Promise<Trainer> {
  const { outDir, resume, ...rest } = opts;
  const run = openRunFolder(outDir, { resume, log: rest.log });
  const data = run.releaseOnError(() => openTrainingData(rest.config, { log: rest.log }));
  return Trainer.open({ ...rest, run, data });
}

/**
 * Kaggle-style ARC files under `dir` (`<dir>/arc_<subset>_challenges.json` and solutions):
 * 8 training and 4 evaluation tasks of 2x2..3x3 grids (each output the input flipped, with
 * colours drawn from the task's index) and, in training, one task `big` with a 5x5 answer.
 * Returns the input prefix.
 */
export function writeArcTasks(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const grid = (n: number, k: number) =>
    Array.from({ length: 2 + (n % 2) }, (_, r) =>
      Array.from({ length: 2 + ((n + k) % 2) }, (_, c) => (n * 3 + r * 2 + c + k) % 10),
    );
  const flip = (g: number[][]) => g.map((row) => [...row].reverse());
  const task = (n: number) => ({
    train: [0, 1].map((k) => ({ input: grid(n, k), output: flip(grid(n, k)) })),
    test: [{ input: grid(n, 2) }],
  });
  for (const [subset, ids] of [
    ['training', [0, 1, 2, 3, 4, 5, 6, 7]],
    ['evaluation', [8, 9, 10, 11]],
  ] as const) {
    const challenges: Record<string, unknown> = {};
    const solutions: Record<string, unknown> = {};
    for (const n of ids) {
      challenges[`t${n}`] = task(n);
      solutions[`t${n}`] = [flip(grid(n, 2))];
    }
    if (subset === 'training') {
      challenges.big = task(0);
      solutions.big = [Array.from({ length: 5 }, () => [1, 2, 3, 4, 5])];
    }
    writeFileSync(join(dir, `arc_${subset}_challenges.json`), JSON.stringify(challenges));
    writeFileSync(join(dir, `arc_${subset}_solutions.json`), JSON.stringify(solutions));
  }
  return join(dir, 'arc');
}
