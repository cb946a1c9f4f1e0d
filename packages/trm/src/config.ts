import {
  ConfigError,
  type ConfigSpec,
  checkReasoningConfig,
  type DataKeys,
  defaultPuzzleEmbLen,
  fromPreset,
  type ReasoningConfig,
  reasoningConfigSpec,
  validateFields,
} from '@rrm/reasoning';

/** TRM's config: the reference `TinyRecursiveReasoningModel_ACTV1Config` keys. */
export interface TRMConfig extends ReasoningConfig {
  /** Positions of the puzzle-embedding prefix; 0 means ceil(puzzle_emb_ndim / hidden_size). */
  puzzle_emb_len: number;
  /** Halt on q_halt > 0 alone, no Q-learning continue target (the TRM paper's choice). */
  no_ACT_continue: boolean;
}

const trmSpec: ConfigSpec<TRMConfig> = {
  ...reasoningConfigSpec,
  H_layers: { kind: 'int', min: 0, default: 0 }, // TRM has one network; the key is ignored
  puzzle_emb_len: { kind: 'int', min: 0, default: 16 },
  no_ACT_continue: { kind: 'bool', default: true },
};

/** Validates a raw TRM config (reference key names); errors name the field. */
export function trmConfig(raw: unknown): TRMConfig {
  const label = 'TRM config';
  const c = validateFields(raw, trmSpec, label);
  checkReasoningConfig(c, label);
  if (c.puzzle_emb_len > 0 && c.puzzle_emb_len * c.hidden_size < c.puzzle_emb_ndim) {
    throw new ConfigError(
      `${label} key "puzzle_emb_len": expected positions × hidden_size (${c.hidden_size}) ` +
        `to hold puzzle_emb_ndim (${c.puzzle_emb_ndim}), got ${c.puzzle_emb_len}`,
    );
  }
  return c;
}

/**
 * Positions the puzzle embedding occupies. Without a puzzle embedding there is no
 * prefix whatever `puzzle_emb_len` says (the reference would fail on that config).
 */
export function trmPuzzleEmbLen(c: TRMConfig): number {
  if (c.puzzle_emb_ndim === 0) return 0;
  return c.puzzle_emb_len === 0
    ? defaultPuzzleEmbLen(c.puzzle_emb_ndim, c.hidden_size)
    : c.puzzle_emb_len;
}

const TRM_BASE = {
  H_cycles: 3,
  L_layers: 2,
  hidden_size: 512,
  num_heads: 8,
  expansion: 4,
  puzzle_emb_ndim: 512,
  puzzle_emb_len: 16,
  pos_encodings: 'rope',
  mlp_t: false,
  halt_max_steps: 16,
  halt_exploration_prob: 0.1,
  no_ACT_continue: true,
  forward_dtype: 'bfloat16',
} as const;

/**
 * The TRM paper's architectures (reference `arch/trm.yaml` plus each experiment's
 * command line), without the dataset keys.
 */
export const TRM_PRESETS = {
  /** ARC-AGI: attention, T = 3, n = 4. */
  arc: { ...TRM_BASE, L_cycles: 4 },
  /** Sudoku-Extreme: the MLP variant, no positions, T = 3, n = 6. */
  sudoku_mlp: { ...TRM_BASE, mlp_t: true, pos_encodings: 'none', L_cycles: 6 },
  /** Sudoku-Extreme with attention, T = 3, n = 6. */
  sudoku_att: { ...TRM_BASE, L_cycles: 6 },
  /** Maze-Hard: attention, T = 3, n = 4. */
  maze: { ...TRM_BASE, L_cycles: 4 },
} as const;

export type TRMPresetName = keyof typeof TRM_PRESETS;

/** A preset completed with the dataset keys (and any overrides), validated. */
export function trmPreset(
  name: TRMPresetName,
  data: DataKeys,
  overrides: Partial<TRMConfig> = {},
): TRMConfig {
  return fromPreset('TRM', TRM_PRESETS, name, data, overrides, trmConfig);
}
