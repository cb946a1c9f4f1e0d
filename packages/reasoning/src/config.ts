/**
 * Typed configuration shared by HRM and TRM, with the reference key names
 * (`H_cycles`, `hidden_size`, ...). Raw objects (JSON, YAML) are validated once,
 * here, at the edge; everything downstream trusts the typed result.
 */

import { shapeForCells } from '@rrm/puzzles';
import { ConfigError, type ConfigSpec } from './fields';

export type PosEncodings = 'rope' | 'learned' | 'none';

/** The keys both reference models read. */
export interface ReasoningConfig {
  batch_size: number;
  seq_len: number;
  puzzle_emb_ndim: number;
  num_puzzle_identifiers: number;
  vocab_size: number;
  H_cycles: number;
  L_cycles: number;
  H_layers: number;
  L_layers: number;
  hidden_size: number;
  expansion: number;
  num_heads: number;
  pos_encodings: PosEncodings;
  /**
   * Token-mixing MLP along the sequence instead of self-attention: TRM-MLP. On HRM it is
   * this repo's addition (the HRM paper only attends), so both recursions can be compared
   * on the same network.
   */
  mlp_t: boolean;
  /**
   * Grid mixing (each cell with its four neighbours) instead of self-attention, on a
   * square board of seq_len cells: this repo's addition for mazes, in neither paper.
   */
  grid_mix: boolean;
  /**
   * Sudoku mixing (each cell with the means of its row, column and box) instead of
   * self-attention, on a Sudoku board of seq_len cells: this repo's addition, in neither paper.
   */
  sudoku_mix: boolean;
  rms_norm_eps: number;
  rope_theta: number;
  halt_max_steps: number;
  halt_exploration_prob: number;
  /**
   * Learned halting in training (the papers: true). false runs every example through all
   * halt_max_steps supervision steps in training as well: this repo's option.
   */
  halt_in_training: boolean;
  /** Accepted for compatibility with reference configs; TF.js always computes in float32. */
  forward_dtype: 'float32' | 'bfloat16' | 'float16';
}

export const reasoningConfigSpec: ConfigSpec<ReasoningConfig> = {
  batch_size: { kind: 'int', min: 1 },
  seq_len: { kind: 'int', min: 1 },
  puzzle_emb_ndim: { kind: 'int', min: 0, default: 0 },
  num_puzzle_identifiers: { kind: 'int', min: 1 },
  vocab_size: { kind: 'int', min: 2 },
  H_cycles: { kind: 'int', min: 1 },
  L_cycles: { kind: 'int', min: 1 },
  H_layers: { kind: 'int', min: 0 },
  L_layers: { kind: 'int', min: 1 },
  hidden_size: { kind: 'int', min: 1 },
  expansion: { kind: 'number', min: 0, exclusiveMin: true },
  num_heads: { kind: 'int', min: 1 },
  pos_encodings: { kind: 'enum', values: ['rope', 'learned', 'none'] },
  mlp_t: { kind: 'bool', default: false },
  grid_mix: { kind: 'bool', default: false },
  sudoku_mix: { kind: 'bool', default: false },
  rms_norm_eps: { kind: 'number', min: 0, exclusiveMin: true, default: 1e-5 },
  rope_theta: { kind: 'number', min: 0, exclusiveMin: true, default: 10000 },
  halt_max_steps: { kind: 'int', min: 1 },
  halt_exploration_prob: { kind: 'number', min: 0, max: 1 },
  halt_in_training: { kind: 'bool', default: true },
  forward_dtype: { kind: 'enum', values: ['float32', 'bfloat16', 'float16'], default: 'bfloat16' },
};

/** Cross-field rules both models share; call after `validateFields`. */
export function checkReasoningConfig(c: ReasoningConfig, label: string): void {
  const mixers = (['mlp_t', 'grid_mix', 'sudoku_mix'] as const).filter((k) => c[k]);
  if (mixers.length > 1) {
    throw new ConfigError(
      `${label} key "${mixers[1]}": expected false when ${mixers[0]} is true (one sequence mixer)`,
    );
  }
  if (c.grid_mix && !Number.isInteger(Math.sqrt(c.seq_len))) {
    throw new ConfigError(
      `${label} key "grid_mix": needs a square board, got seq_len ${c.seq_len}`,
    );
  }
  if (c.sudoku_mix && shapeForCells(c.seq_len) === null) {
    throw new ConfigError(
      `${label} key "sudoku_mix": needs a 4×4, 6×6 or 9×9 Sudoku board, got seq_len ${c.seq_len}`,
    );
  }
  if (c.hidden_size % c.num_heads !== 0) {
    throw new ConfigError(
      `${label} key "hidden_size": expected a multiple of num_heads (${c.num_heads}), got ${c.hidden_size}`,
    );
  }
  if (c.pos_encodings === 'rope' && (c.hidden_size / c.num_heads) % 2 !== 0) {
    throw new ConfigError(
      `${label} key "pos_encodings": rope needs an even head dimension, got ` +
        `hidden_size / num_heads = ${c.hidden_size / c.num_heads}`,
    );
  }
}

/**
 * Whether a model's weights fit boards of any size (grid and Sudoku mixing learn no
 * per-position weights), so it may run at another dataset's seq_len. Takes a stored,
 * unvalidated arch as well.
 */
export function isSizeFree(arch: { grid_mix?: unknown; sudoku_mix?: unknown }): boolean {
  return arch.grid_mix === true || arch.sudoku_mix === true;
}

/** ceil(puzzle_emb_ndim / hidden_size): the positions the puzzle embedding occupies. */
export function defaultPuzzleEmbLen(puzzleEmbNdim: number, hiddenSize: number): number {
  return Math.ceil(puzzleEmbNdim / hiddenSize);
}

/** The dataset-dependent keys a preset leaves open. */
export type DataKeys = Pick<
  ReasoningConfig,
  'batch_size' | 'seq_len' | 'vocab_size' | 'num_puzzle_identifiers'
>;

/** `presets[name]` completed with the dataset keys and any overrides, then validated. */
export function fromPreset<C>(
  label: string,
  presets: Record<string, object>,
  name: string,
  data: DataKeys,
  overrides: Partial<C>,
  validate: (raw: unknown) => C,
): C {
  const preset = presets[name];
  if (!preset) {
    throw new ConfigError(
      `${label} preset "${name}" unknown; known: ${Object.keys(presets).join(', ')}`,
    );
  }
  return validate({ ...preset, ...data, ...overrides });
}
