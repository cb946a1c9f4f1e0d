/**
 * Named presets. The paper presets carry the hyper-parameters of the published runs
 * (the reference `cfg_pretrain.yaml` and arch files plus each paper's command line);
 * the small presets train on a 2-core machine from generated data built on first use.
 */
import { HRM_PRESETS } from '@rrm/hrm';
import { ConfigError } from '@rrm/reasoning';
import { TRM_PRESETS } from '@rrm/trm';
import { mergeConfig, setDotted, type TrainConfig, validateTrainConfig } from './config.js';

type Layer = Record<string, unknown>;

/** Reference `cfg_pretrain.yaml`, shared by HRM and TRM. */
const PRETRAIN: Omit<TrainConfig, 'model' | 'arch' | 'data_paths'> = {
  loss_type: 'stablemax_cross_entropy',
  build_data: null,
  evaluators: [],
  global_batch_size: 768,
  epochs: 100000,
  max_steps: null,
  eval_interval: 10000,
  eval_batch_size: null,
  optimizer: 'adam_atan2',
  lr: 1e-4,
  lr_min_ratio: 1.0,
  lr_warmup_steps: 2000,
  beta1: 0.9,
  beta2: 0.95,
  weight_decay: 0.1,
  puzzle_emb_lr: 1e-2,
  puzzle_emb_weight_decay: 0.1,
  ema: false,
  ema_rate: 0.999,
  seed: 0,
  checkpoint_every: 1000,
  keep_checkpoints: 3,
  init_from: null,
};

/** The reference `cfg_pretrain.yaml` defaults, for configs that come from the reference trainer. */
export const pretrainDefaults = (): typeof PRETRAIN => structuredClone(PRETRAIN);

/**
 * The papers' architectures come from the model packages (reference `arch/trm.yaml` and
 * `arch/hrm_v1.yaml`); the dataset keys come from the dataset. TRM's base run is the
 * T = 3, n = 6 attention model; each experiment below overrides what its command line does.
 */
// Keys left at their defaults are listed too, so that dotted overrides can name them.
const DEFAULTED = {
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  mlp_t: false,
  grid_mix: false,
  sudoku_mix: false,
  halt_in_training: true,
};
const TRM_ARCH: Layer = { ...TRM_PRESETS.sudoku_att, H_layers: 0, ...DEFAULTED };
const HRM_ARCH: Layer = { ...HRM_PRESETS.v1, ...DEFAULTED };

const TRM: Layer = { ...PRETRAIN, model: 'trm', arch: TRM_ARCH, data_paths: [] };
const HRM: Layer = { ...PRETRAIN, model: 'hrm', arch: HRM_ARCH, data_paths: [] };

/** The TRM paper's Sudoku-Extreme and Maze-Hard command lines share these. */
const TRM_SMALL_DATA: Layer = {
  evaluators: [],
  epochs: 50000,
  eval_interval: 5000,
  lr: 1e-4,
  puzzle_emb_lr: 1e-4,
  weight_decay: 1.0,
  puzzle_emb_weight_decay: 1.0,
  ema: true,
};
const TRM_SUDOKU: Layer = {
  ...TRM_SMALL_DATA,
  data_paths: ['data/sudoku-extreme-1k-aug-1000'],
};
const TRM_ARC: Layer = {
  evaluators: ['arc'],
  ema: true,
  arch: { L_layers: 2, H_cycles: 3, L_cycles: 4 },
};

const HRM_SMALL_DATA: Layer = {
  evaluators: [],
  epochs: 20000,
  eval_interval: 2000,
  weight_decay: 1.0,
  puzzle_emb_weight_decay: 1.0,
};

/** What the small presets share: batches of 32 and a short schedule for two CPU cores. */
const SMALL_TRAINING: Layer = {
  evaluators: [],
  global_batch_size: 32,
  epochs: 1000,
  max_steps: 2000,
  eval_interval: null,
  lr: 2e-3,
  lr_warmup_steps: 100,
  lr_min_ratio: 0.1,
  weight_decay: 0.1,
  puzzle_emb_lr: 1e-2,
  puzzle_emb_weight_decay: 0.1,
  ema: false,
  checkpoint_every: 200,
};
/**
 * A small TRM-MLP for generated 6×6 Sudoku that reaches over 90% exact accuracy on held-out
 * puzzles in minutes on two CPU cores (figures in the README). Token mixing learns the
 * board's fixed row/column/box structure far faster than attention with RoPE here.
 */
const SMALL_SUDOKU_TRAINING: Layer = {
  ...SMALL_TRAINING,
  data_paths: ['data/sudoku-6x6'],
  build_data: {
    kind: 'sudoku',
    box_rows: 2,
    box_cols: 3,
    train_puzzles: 3000,
    test_puzzles: 500,
    num_aug: 8,
    min_givens: 0,
    max_givens: 0,
    seed: 1,
  },
};
const SMALL_SUDOKU: Layer = {
  ...SMALL_SUDOKU_TRAINING,
  arch: {
    H_cycles: 2,
    L_cycles: 2,
    L_layers: 2,
    hidden_size: 64,
    num_heads: 2,
    expansion: 4,
    puzzle_emb_ndim: 0,
    puzzle_emb_len: 0,
    pos_encodings: 'none',
    mlp_t: true,
    halt_max_steps: 8,
  },
};

/**
 * 4×4 boards: solved within a few minutes, by one pass as well as by recursion. A batch
 * takes one example from each of 32 puzzle groups, so 64 training puzzles (each with 50
 * augmentations) fill two batches a pass; the test split holds puzzles of the
 * augmentation classes training never saw.
 */
const SMALL_SUDOKU_4X4: Layer = {
  data_paths: ['data/sudoku-4x4'],
  build_data: { box_cols: 2, train_puzzles: 64, test_puzzles: 200, num_aug: 50 },
  max_steps: 1000,
  lr: 3e-3,
  arch: { halt_max_steps: 6 },
};

/**
 * TRM-MLP on generated 9×9 Sudoku on two CPU cores: 5000 steps, about 45 minutes on an
 * idle machine (the shipped models/trm-sudoku-9x9 run: 59 minutes of training with other
 * work on the machine, 53 s of data build).
 * Training puzzles mix every difficulty, from 40 givens down to minimal puzzles (each
 * stops at a count drawn from 17..40, and below about 24 the generator reaches a minimal
 * puzzle first), so that the hard bands are seen in training and not only at test time.
 */
const SUDOKU_9X9_TRAINING: Layer = {
  data_paths: ['data/sudoku-9x9'],
  build_data: {
    box_rows: 3,
    box_cols: 3,
    train_puzzles: 30000,
    test_puzzles: 1000,
    num_aug: 2,
    min_givens: 17,
    max_givens: 40,
  },
  max_steps: 5000,
  lr: 2e-3,
  lr_warmup_steps: 200,
  // An average at rate 0.999 still holds half of the initial weights after 700 steps
  // (0.999^700 ≈ 0.5): it suits the papers' 50k-step runs, not an hour on a CPU.
  ema: false,
  checkpoint_every: 250,
};
const SUDOKU_9X9: Layer = {
  ...SUDOKU_9X9_TRAINING,
  arch: { hidden_size: 128, H_cycles: 3, L_cycles: 4, halt_max_steps: 16 },
};

/**
 * HRM beside sudoku-9x9 on the same data, steps and schedule, with the same parameter count:
 * one token-mixing block per level (HRM's recursion on TRM's network, mlp_t) and TRM's
 * cycles, T = 3 and n = 4. With HRM's own attention (one layer per level, RoPE, lr 1e-3) it
 * solved nothing in 10,000 steps, its loss flat at 1.30 from step 2000; in 600-step pilots
 * token mixing reached 61–65 % held-out token accuracy, and its loss at steps 180–218 was
 * 0.95 against attention's 1.36 (1.43 with learned positions instead of RoPE).
 */
const SUDOKU_9X9_HRM: Layer = {
  ...SUDOKU_9X9_TRAINING,
  arch: {
    H_cycles: 3,
    L_cycles: 4,
    H_layers: 1,
    L_layers: 1,
    hidden_size: 128,
    mlp_t: true,
    pos_encodings: 'none',
    puzzle_emb_ndim: 0,
    halt_max_steps: 16,
  },
};

/**
 * TRM with grid mixing on generated 15×15 loop-free mazes (one path between any two
 * cells), half carved depth-first and half by Prim. Each block reads a cell's four
 * neighbours, so one application moves information one cell and the recursion (3 × 7
 * applications of 2 blocks per supervision step) can flood a board; attention and token
 * mixing, which must learn which cells are neighbours, only copied the question here
 * (docs/results.md). Training mazes put start and goal anywhere, so short paths teach the
 * rule that long ones need; held-out mazes are 40 steps or more. Eight supervision steps,
 * not 16, so that twice as many mazes pass through the batch: no maze halts early until
 * the model solves some. 1000 steps (about 40 minutes on two cores without AVX-512): three
 * seeds end at 100, 96.2 and 100 % held-out after step 8, where one run of 3500 steps peaked
 * at 60 % after step 3 and fell to 29 % (docs/results.md).
 */
const MAZE_15X15: Layer = {
  ...SMALL_TRAINING,
  data_paths: ['data/maze-15x15'],
  build_data: {
    kind: 'maze',
    size: 15,
    train_puzzles: 30000,
    test_puzzles: 500,
    min_path: 1,
    test_min_path: 40,
    loop_fraction: 0,
    carver: 'mixed',
    augment: false,
    seed: 1,
  },
  max_steps: 1000,
  lr: 1e-3,
  lr_warmup_steps: 200,
  checkpoint_every: 250,
  arch: {
    H_cycles: 3,
    L_cycles: 6,
    L_layers: 2,
    hidden_size: 64,
    num_heads: 4,
    grid_mix: true,
    pos_encodings: 'none',
    puzzle_emb_ndim: 0,
    halt_max_steps: 8,
  },
};

/**
 * maze-15x15's network and schedule on 9×9 mazes (4×4 rooms), 1500 steps: a few minutes on
 * two cores. Small mazes teach the local rule with short paths, and the weights do not
 * depend on the board's size, so the model runs on mazes of any size (rrm-eval on a 15×15 or
 * 30×30 dataset); held-out 9×9 mazes are 12 steps or more.
 */
const MAZE_9X9: Layer = {
  data_paths: ['data/maze-9x9'],
  build_data: { size: 9, test_min_path: 12 },
  max_steps: 1500,
};

/**
 * HRM beside maze-15x15: the same data, steps and cycles (T = 3, n = 6), with one
 * grid-mixing block per level, so the same parameter count; each application runs one
 * block where TRM's runs two.
 */
const MAZE_15X15_HRM: Layer = { arch: { H_layers: 1, L_layers: 1 } };
// TRM's prefix length, stated although no puzzle embedding is used (HRM has no such key).
const NO_PREFIX: Layer = { arch: { puzzle_emb_len: 0 } };

/**
 * TRM with attention and puzzle embeddings on real ARC-AGI-1 tasks at laptop scale. Tasks:
 * those whose every grid (demonstrations, test inputs and test answers) is at most 10×10,
 * 178 of the 400 training tasks and 77 of the 400 evaluation tasks, on a 10×10 canvas, so
 * that a sequence is 100 tokens (plus one puzzle-embedding position) instead of 900. 10 is
 * where the count jumps (9×9 keeps 104 and 43; 12×12 keeps 220 and 114 for 1.44× the
 * tokens); the answers' size is part of the selection because an answer larger than the
 * canvas cannot be predicted at all. Trained as the papers train ARC: all pairs of the
 * training tasks plus the evaluation tasks' demonstrations, each task with 8 augmented
 * variants (dihedral transform and colour permutation, each its own puzzle embedding)
 * translated at random on the canvas; the evaluation tasks' 88 test inputs are held out
 * and scored by votes over their 9 versions after inverting the augmentation (pass@1,
 * pass@2). Fewer variants and supervision steps than the papers' 1000 and 16: a sequence
 * stays in the batch until it halts, at halt_max_steps while nothing is solved, so 2500
 * steps of 32 see about 10,000 examples, about one visit of each variant's demonstrations;
 * 8 steps also keep the final evaluation (792 test rows) short. Timed by a 30-step pilot
 * with another run holding one of the two cores: 1.69 s a step and 206 s for the final
 * evaluation; with both cores (about 1.75× by the native backend's README) that is about
 * 1.0 s a step, so 2500 steps take about 40 minutes plus 2 for the evaluation.
 */
const ARC_MINI: Layer = {
  ...SMALL_TRAINING,
  data_paths: ['data/arc-mini'],
  build_data: {
    kind: 'arc',
    input_prefix: '../shared/arc/kaggle/arc-agi',
    subsets: ['training', 'evaluation'],
    test_sets: ['evaluation'],
    canvas: 10,
    only_fitting: true,
    num_aug: 8,
    seed: 42,
  },
  evaluators: ['arc'],
  max_steps: 2500,
  lr: 1e-3,
  lr_warmup_steps: 200,
  checkpoint_every: 250,
  arch: {
    H_cycles: 3,
    L_cycles: 4,
    L_layers: 2,
    hidden_size: 128,
    num_heads: 4,
    puzzle_emb_ndim: 128,
    puzzle_emb_len: 1,
    halt_max_steps: 8,
  },
};

const SINGLE_PASS: Layer = {
  // With one step there is no halting decision, so nothing to explore either.
  arch: { H_cycles: 1, L_cycles: 1, halt_max_steps: 1, halt_exploration_prob: 0 },
};

const PRESET_LAYERS: Record<string, { description: string; layers: Layer[] }> = {
  'sudoku-small': {
    description: 'Default: TRM-MLP on generated 6×6 Sudoku, trains on two CPU cores',
    layers: [TRM, SMALL_SUDOKU],
  },
  'sudoku-small-single': {
    description: 'Baseline for sudoku-small: the same network, one pass (no recursion, no ACT)',
    layers: [TRM, SMALL_SUDOKU, SINGLE_PASS],
  },
  'sudoku-4x4': {
    description: 'TRM-MLP on generated 4×4 Sudoku, about three minutes on two CPU cores',
    layers: [TRM, SMALL_SUDOKU, SMALL_SUDOKU_4X4],
  },
  'sudoku-4x4-single': {
    description: 'Baseline for sudoku-4x4: the same network, one pass',
    layers: [TRM, SMALL_SUDOKU, SMALL_SUDOKU_4X4, SINGLE_PASS],
  },
  'sudoku-9x9': {
    description:
      'TRM-MLP on generated 9×9 Sudoku (40 givens down to minimal), 5000 steps on two CPU cores',
    layers: [TRM, SMALL_SUDOKU, SUDOKU_9X9],
  },
  'sudoku-9x9-hrm': {
    description: 'HRM beside sudoku-9x9: same data and steps, about the same parameter count',
    layers: [HRM, SMALL_SUDOKU_TRAINING, SUDOKU_9X9_HRM],
  },
  'sudoku-9x9-single': {
    description: 'Baseline for sudoku-9x9: the same network, one pass',
    layers: [TRM, SMALL_SUDOKU, SUDOKU_9X9, SINGLE_PASS],
  },
  'maze-15x15': {
    description:
      'TRM (grid mixing) on generated 15×15 loop-free mazes, 1000 steps on two CPU cores',
    layers: [TRM, MAZE_15X15, NO_PREFIX],
  },
  'maze-9x9': {
    description: 'maze-15x15 on 9×9 mazes, 1500 steps: minutes on two cores, runs on any maze size',
    layers: [TRM, MAZE_15X15, NO_PREFIX, MAZE_9X9],
  },
  'maze-15x15-hrm': {
    description: 'HRM beside maze-15x15: same data and steps, the same parameter count',
    layers: [HRM, MAZE_15X15, MAZE_15X15_HRM],
  },
  'maze-15x15-single': {
    description: 'Baseline for maze-15x15: the same network, one pass',
    layers: [TRM, MAZE_15X15, NO_PREFIX, SINGLE_PASS],
  },
  'arc-mini': {
    description:
      'TRM (attention, puzzle embeddings) on the ARC-AGI-1 tasks that fit 10×10, on two CPU cores',
    layers: [TRM, ARC_MINI],
  },
  'trm-sudoku-mlp': {
    description: 'TRM paper, Sudoku-Extreme, MLP-T variant (87.4%)',
    layers: [
      TRM,
      TRM_SUDOKU,
      { arch: { mlp_t: true, pos_encodings: 'none', H_cycles: 3, L_cycles: 6 } },
    ],
  },
  'trm-sudoku-att': {
    description: 'TRM paper, Sudoku-Extreme, attention variant',
    layers: [TRM, TRM_SUDOKU, { arch: { H_cycles: 3, L_cycles: 6 } }],
  },
  'trm-maze': {
    description: 'TRM paper, Maze-Hard 30×30',
    layers: [
      TRM,
      TRM_SMALL_DATA,
      { data_paths: ['data/maze-30x30-hard-1k'], arch: { H_cycles: 3, L_cycles: 4 } },
    ],
  },
  'trm-arc1': {
    description: 'TRM paper, ARC-AGI-1',
    layers: [TRM, TRM_ARC, { data_paths: ['data/arc1concept-aug-1000'] }],
  },
  'trm-arc2': {
    description: 'TRM paper, ARC-AGI-2',
    layers: [TRM, TRM_ARC, { data_paths: ['data/arc2concept-aug-1000'] }],
  },
  'hrm-sudoku': {
    description: 'HRM paper, Sudoku-Extreme 1k',
    layers: [
      HRM,
      HRM_SMALL_DATA,
      {
        data_paths: ['data/sudoku-extreme-1k-aug-1000'],
        global_batch_size: 384,
        lr: 7e-5,
        puzzle_emb_lr: 7e-5,
      },
    ],
  },
  'hrm-maze': {
    description: 'HRM paper, Maze-Hard 30×30',
    layers: [
      HRM,
      HRM_SMALL_DATA,
      { data_paths: ['data/maze-30x30-hard-1k'], lr: 1e-4, puzzle_emb_lr: 1e-4 },
    ],
  },
  'hrm-arc1': {
    description: 'HRM paper, ARC-AGI-1',
    layers: [HRM, { data_paths: ['data/arc-aug-1000'], evaluators: ['arc'] }],
  },
  'hrm-arc2': {
    description: 'HRM paper, ARC-AGI-2',
    layers: [HRM, { data_paths: ['data/arc-2-aug-1000'], evaluators: ['arc'] }],
  },
};

export const DEFAULT_PRESET = 'sudoku-small';

export function presetNames(): Array<{ name: string; description: string }> {
  return Object.entries(PRESET_LAYERS).map(([name, p]) => ({ name, description: p.description }));
}

/** The preset as a plain config object (not yet validated: files and overrides come next). */
export function preset(name: string): Record<string, unknown> {
  const p = PRESET_LAYERS[name];
  if (!p) {
    throw new ConfigError(
      `unknown preset "${name}"; known: ${Object.keys(PRESET_LAYERS).join(', ')}`,
    );
  }
  const [base, ...layers] = p.layers;
  return structuredClone(layers.reduce((acc, layer) => mergeConfig(acc, layer), base));
}

/**
 * The config a run uses: a preset, then an optional file's mapping, then dotted overrides
 * (`arch.L_cycles`, `lr`), each layer only allowed to set keys that exist; validated once.
 */
export function resolveConfig(opts: {
  preset?: string;
  file?: Record<string, unknown>;
  overrides?: Array<[key: string, value: unknown]>;
}): TrainConfig {
  let cfg = preset(opts.preset ?? DEFAULT_PRESET);
  if (opts.file) cfg = mergeConfig(cfg, opts.file);
  for (const [key, value] of opts.overrides ?? []) cfg = setDotted(cfg, key, value);
  return validateTrainConfig(cfg);
}
