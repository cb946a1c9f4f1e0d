import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig, type TrainConfig } from '../src/index.js';

/** A TRM small enough to train a few steps in a test, on generated 4×4 Sudoku. */
export function tinyConfig(dataDir: string, overrides: Array<[string, unknown]> = []): TrainConfig {
  return resolveConfig({
    preset: 'sudoku-small',
    overrides: [
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
      [
        'arch',
        {
          H_cycles: 2,
          L_cycles: 1,
          L_layers: 1,
          hidden_size: 16,
          num_heads: 2,
          expansion: 2,
          puzzle_emb_ndim: 16,
          puzzle_emb_len: 1,
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
      ['global_batch_size', 8],
      ['epochs', 2],
      ['max_steps', null],
      ['lr', 1e-3],
      ['lr_warmup_steps', 2],
      ['ema', true],
      ['checkpoint_every', 3],
      ['keep_checkpoints', 2],
      ...overrides,
    ],
  });
}

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `rrm-trainer-${label}-`));
}
