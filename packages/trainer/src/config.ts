/**
 * The training configuration: the reference `cfg_pretrain.yaml` keys (same names, same units)
 * plus what a single-process TF.js run needs (checkpoint cadence, data built on first use).
 * A config is resolved once, at the edge, from a preset, an optional file and dotted
 * overrides, and validated field by field so that an error names the key at fault.
 */

import { MAZE_CARVERS, type MazeCarver } from '@rrm/puzzles';
import { ConfigError, type ConfigSpec, isPlainObject, validateFields } from '@rrm/reasoning';

export type ModelName = 'trm' | 'hrm';

/** How to build a generated Sudoku dataset when `data_paths[0]` does not exist yet. */
export interface SudokuBuildConfig {
  kind: 'sudoku';
  /** Box shape: 2×2 gives 4×4 boards, 2×3 gives 6×6, 3×3 gives 9×9. */
  box_rows: number;
  box_cols: number;
  train_puzzles: number;
  test_puzzles: number;
  /** Augmented copies per training puzzle (digit relabelling, band/stack permutations...). */
  num_aug: number;
  /** Stop blanking cells at this many givens (0: blank while the solution stays unique). */
  min_givens: number;
  /**
   * When above `min_givens`, each puzzle stops at its own count drawn uniformly from
   * min_givens..max_givens, so one dataset mixes easy and minimal puzzles (0: off).
   */
  max_givens: number;
  seed: number;
}

/** How to build generated mazes when `data_paths[0]` does not exist yet. */
export interface MazeBuildConfig {
  kind: 'maze';
  /** Side length of the square board (the reference Maze-Hard is 30). */
  size: number;
  train_puzzles: number;
  test_puzzles: number;
  /** Start and goal at least this many steps apart (1: anywhere). */
  min_path: number;
  /** The same for the test split (null: min_path), so training can mix lengths. */
  test_min_path: number | null;
  /** Share of inner walls knocked out to add loops (0: loop-free, one path). */
  loop_fraction: number;
  /** How the spanning tree is carved: backtrack, prim, or mixed (each maze draws one). */
  carver: MazeCarver;
  /** Add the seven other dihedral transforms of each training maze. */
  augment: boolean;
  seed: number;
}

/**
 * How to build an ARC dataset from the Kaggle-style task files when `data_paths[0]` does not
 * exist yet, as the reference builder does: every pair of the other subsets' tasks and the
 * test sets' demonstrations train; the test sets' test inputs are held out.
 */
export interface ArcBuildConfig {
  kind: 'arc';
  /** `<input_prefix>_<subset>_challenges.json`, with `_solutions.json` beside it. */
  input_prefix: string;
  subsets: string[];
  /** Subsets whose test inputs form the test split (each one of `subsets`). */
  test_sets: string[];
  /** Side of the square canvas, 1..30 (30 as the papers); sequences are canvas² tokens. */
  canvas: number;
  /** Leave out the tasks with a grid larger than the canvas (false: they are an error). */
  only_fitting: boolean;
  /** Augmented variants per task, each with its own puzzle identifier. */
  num_aug: number;
  seed: number;
}

export type BuildConfig = SudokuBuildConfig | MazeBuildConfig | ArcBuildConfig;

export interface TrainConfig {
  model: ModelName;
  /** Model config with the reference key names; validated by the model package. */
  arch: Record<string, unknown>;
  loss_type: 'stablemax_cross_entropy' | 'softmax_cross_entropy';
  data_paths: string[];
  build_data: BuildConfig | null;
  evaluators: string[];

  global_batch_size: number;
  epochs: number;
  /** Caps the step count derived from `epochs` (null: no cap). */
  max_steps: number | null;
  /** Evaluate every this many epochs, as the reference (null: only at the end). */
  eval_interval: number | null;
  /** Test batch size (null: `global_batch_size`). */
  eval_batch_size: number | null;

  optimizer: 'adam_atan2' | 'adamw';
  lr: number;
  lr_min_ratio: number;
  lr_warmup_steps: number;
  beta1: number;
  beta2: number;
  weight_decay: number;
  puzzle_emb_lr: number;
  puzzle_emb_weight_decay: number;
  ema: boolean;
  ema_rate: number;

  seed: number;
  /** Save a checkpoint every this many steps (0: only at evaluations and at the end). */
  checkpoint_every: number;
  /** Checkpoints kept in the run folder; older ones are removed. */
  keep_checkpoints: number;
  /** Start from these weights (any checkpoint `loadModel` reads) instead of a fresh init. */
  init_from: string | null;
}

/** The ARC canvas as published; a larger one has no tasks to hold. */
const ARC_MAX_CANVAS = 30;

const SUDOKU_BUILD: ConfigSpec<SudokuBuildConfig> = {
  kind: { kind: 'enum', values: ['sudoku'] },
  box_rows: { kind: 'int', min: 1 },
  box_cols: { kind: 'int', min: 1 },
  train_puzzles: { kind: 'int', min: 1 },
  test_puzzles: { kind: 'int', min: 1 },
  num_aug: { kind: 'int', min: 0 },
  min_givens: { kind: 'int', min: 0 },
  max_givens: { kind: 'int', min: 0, default: 0 },
  seed: { kind: 'int', min: 0 },
};

const MAZE_BUILD: ConfigSpec<MazeBuildConfig> = {
  kind: { kind: 'enum', values: ['maze'] },
  // Below 5 there is one room and so no path to find.
  size: { kind: 'int', min: 5 },
  train_puzzles: { kind: 'int', min: 1 },
  test_puzzles: { kind: 'int', min: 1 },
  min_path: { kind: 'int', min: 1, default: 1 },
  test_min_path: { kind: 'int', min: 1, nullable: true, default: null },
  loop_fraction: { kind: 'number', min: 0, max: 1 },
  carver: { kind: 'enum', values: MAZE_CARVERS, default: 'backtrack' },
  augment: { kind: 'bool' },
  seed: { kind: 'int', min: 0 },
};

const ARC_BUILD: ConfigSpec<ArcBuildConfig> = {
  kind: { kind: 'enum', values: ['arc'] },
  input_prefix: { kind: 'string' },
  subsets: { kind: 'strings' },
  test_sets: { kind: 'strings' },
  canvas: { kind: 'int', min: 1, default: ARC_MAX_CANVAS },
  only_fitting: { kind: 'bool', default: false },
  num_aug: { kind: 'int', min: 0 },
  seed: { kind: 'int', min: 0 },
};

const TRAIN: ConfigSpec<TrainConfig> = {
  model: { kind: 'enum', values: ['trm', 'hrm'] },
  // Only the shape: the fields belong to the model package, which validates them when the
  // model is built.
  arch: { kind: 'object' },
  loss_type: { kind: 'enum', values: ['stablemax_cross_entropy', 'softmax_cross_entropy'] },
  data_paths: { kind: 'strings' },
  build_data: {
    kind: 'object',
    nullable: true,
    byKind: { sudoku: SUDOKU_BUILD, maze: MAZE_BUILD, arc: ARC_BUILD },
  },
  evaluators: { kind: 'strings' },
  global_batch_size: { kind: 'int', min: 1 },
  epochs: { kind: 'number', min: 0, exclusiveMin: true },
  max_steps: { kind: 'int', min: 1, nullable: true },
  eval_interval: { kind: 'int', min: 1, nullable: true },
  eval_batch_size: { kind: 'int', min: 1, nullable: true },
  optimizer: { kind: 'enum', values: ['adam_atan2', 'adamw'] },
  lr: { kind: 'number', min: 0 },
  lr_min_ratio: { kind: 'number', min: 0, max: 1 },
  lr_warmup_steps: { kind: 'int', min: 0 },
  beta1: { kind: 'number', min: 0, max: 1 },
  beta2: { kind: 'number', min: 0, max: 1 },
  weight_decay: { kind: 'number', min: 0 },
  puzzle_emb_lr: { kind: 'number', min: 0 },
  puzzle_emb_weight_decay: { kind: 'number', min: 0 },
  ema: { kind: 'bool' },
  ema_rate: { kind: 'number', min: 0, max: 1 },
  seed: { kind: 'int', min: 0 },
  checkpoint_every: { kind: 'int', min: 0 },
  keep_checkpoints: { kind: 'int', min: 1 },
  // Defaulted so that run folders written before the key existed still load.
  init_from: { kind: 'string', nullable: true, default: null },
};

/**
 * Bounds on the recursion, which sets the cost of every supervision step: network passes
 * per step (TRM: H_cycles × (L_cycles + 1), HRM: H_cycles × L_cycles) and supervision
 * steps. The papers use 21 passes (TRM Sudoku: 3 × (6 + 1)) and 16 steps; the bounds allow
 * about fifty times that and refuse values (H_cycles=1e9) that would never finish a step.
 */
export const LIMITS = { passesPerStep: 1024, haltMaxSteps: 256 } as const;

function checkLimits(cfg: TrainConfig): void {
  const int = (key: string) => {
    const v = cfg.arch[key];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  };
  const H = int('H_cycles');
  const L = int('L_cycles');
  if (H !== null && L !== null) {
    const passes = cfg.model === 'trm' ? H * (L + 1) : H * L;
    if (passes > LIMITS.passesPerStep) {
      const formula = cfg.model === 'trm' ? `${H} × (${L} + 1)` : `${H} × ${L}`;
      throw new ConfigError(
        `config keys "arch.H_cycles" and "arch.L_cycles": ${formula} = ${passes} network passes per supervision step, at most ${LIMITS.passesPerStep} allowed (the papers use 21)`,
      );
    }
  }
  const b = cfg.build_data;
  if (b?.kind === 'arc') checkArcBuild(b);
  else if (b && b.train_puzzles < cfg.global_batch_size) {
    // A batch takes one example from each of that many puzzle groups (one per puzzle built).
    throw new ConfigError(
      `config keys "build_data.train_puzzles" and "global_batch_size": ${b.train_puzzles} training puzzles cannot fill a batch of ${cfg.global_batch_size}, which takes one example from each of that many puzzles`,
    );
  }
  const steps = int('halt_max_steps');
  if (steps !== null && steps > LIMITS.haltMaxSteps) {
    throw new ConfigError(
      `config key "arch.halt_max_steps": ${steps} supervision steps, at most ${LIMITS.haltMaxSteps} allowed (the papers use 16)`,
    );
  }
}

/** What the field specs cannot say about an ARC build: the canvas bound and the subset names. */
function checkArcBuild(b: ArcBuildConfig): void {
  if (b.canvas > ARC_MAX_CANVAS)
    throw new ConfigError(
      `config key "build_data.canvas": expected an integer in 1..${ARC_MAX_CANVAS} (ARC grids are at most ${ARC_MAX_CANVAS}x${ARC_MAX_CANVAS}), got ${b.canvas}`,
    );
  for (const key of ['subsets', 'test_sets'] as const) {
    if (b[key].length === 0)
      throw new ConfigError(`config key "build_data.${key}": needs at least one subset name`);
    const repeated = b[key].find((name, i) => b[key].indexOf(name) !== i);
    if (repeated !== undefined)
      throw new ConfigError(`config key "build_data.${key}": "${repeated}" is listed twice`);
  }
  const unknown = b.test_sets.find((name) => !b.subsets.includes(name));
  if (unknown !== undefined)
    throw new ConfigError(
      `config key "build_data.test_sets": "${unknown}" is not one of build_data.subsets (${b.subsets.join(', ')})`,
    );
}

/** The text of `config.json`, in run folders, checkpoints and the demo's download alike. */
export function configJson(cfg: TrainConfig): string {
  return `${JSON.stringify(cfg, null, 2)}\n`;
}

/** Checks a fully merged config; errors name the dotted key at fault. */
export function validateTrainConfig(raw: unknown): TrainConfig {
  const cfg = validateFields(raw, TRAIN, 'config');
  if (cfg.data_paths.length === 0)
    throw new ConfigError('config key "data_paths": needs at least one dataset folder');
  checkLimits(cfg);
  return cfg;
}

/** Deep merge for config layers: mappings merge key by key, everything else replaces. */
export function mergeConfig(
  base: Record<string, unknown>,
  layer: Record<string, unknown>,
  prefix = '',
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(layer)) {
    if (!(key in base)) throw new ConfigError(`unknown config key "${prefix}${key}"`);
    const prev = base[key];
    out[key] =
      isPlainObject(prev) && isPlainObject(value)
        ? mergeConfig(prev, value, `${prefix}${key}.`)
        : value;
  }
  return out;
}

/**
 * Sets `a.b.c` in a copy of `config`. The key must already exist (presets spell out every
 * key, so a typo is caught here, named, rather than silently ignored).
 */
export function setDotted(
  config: Record<string, unknown>,
  dotted: string,
  value: unknown,
): Record<string, unknown> {
  const parts = dotted.split('.');
  if (parts.some((p) => p === '')) throw new ConfigError(`bad config key "${dotted}"`);
  const layer: Record<string, unknown> = {};
  let cursor = layer;
  for (const p of parts.slice(0, -1)) {
    const next: Record<string, unknown> = {};
    cursor[p] = next;
    cursor = next;
  }
  cursor[parts[parts.length - 1]] = value;
  return mergeConfig(config, layer);
}

/** Training steps as the reference derives them from epochs, capped by `max_steps`. */
export function totalSteps(
  cfg: Pick<TrainConfig, 'epochs' | 'global_batch_size' | 'max_steps'>,
  meta: { total_groups: number; mean_puzzle_examples: number },
): number {
  const fromEpochs = Math.floor(
    (cfg.epochs * meta.total_groups * meta.mean_puzzle_examples) / cfg.global_batch_size,
  );
  return cfg.max_steps === null ? fromEpochs : Math.min(fromEpochs, cfg.max_steps);
}
