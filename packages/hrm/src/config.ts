import {
  type ConfigSpec,
  checkReasoningConfig,
  type DataKeys,
  fromPreset,
  type ReasoningConfig,
  reasoningConfigSpec,
  validateFields,
} from '@rrm/reasoning';

/** HRM's config: the reference `HierarchicalReasoningModel_ACTV1Config` keys. */
export type HRMConfig = ReasoningConfig;

const hrmSpec: ConfigSpec<HRMConfig> = {
  ...reasoningConfigSpec,
  H_layers: { kind: 'int', min: 1 },
};

/** Validates a raw HRM config (reference key names); errors name the field. */
export function hrmConfig(raw: unknown): HRMConfig {
  const label = 'HRM config';
  const c = validateFields(raw, hrmSpec, label);
  checkReasoningConfig(c, label);
  return c;
}

/** The HRM paper's architecture (reference `arch/hrm_v1.yaml`), without the dataset keys. */
export const HRM_PRESETS = {
  v1: {
    H_cycles: 2,
    L_cycles: 2,
    H_layers: 4,
    L_layers: 4,
    hidden_size: 512,
    num_heads: 8,
    expansion: 4,
    puzzle_emb_ndim: 512,
    pos_encodings: 'rope',
    halt_max_steps: 16,
    halt_exploration_prob: 0.1,
    forward_dtype: 'bfloat16',
  },
} as const;

export type HRMPresetName = keyof typeof HRM_PRESETS;

/** A preset completed with the dataset keys (and any overrides), validated. */
export function hrmPreset(
  name: HRMPresetName,
  data: DataKeys,
  overrides: Partial<HRMConfig> = {},
): HRMConfig {
  return fromPreset('HRM', HRM_PRESETS, name, data, overrides, hrmConfig);
}
