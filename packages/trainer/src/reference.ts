/**
 * The training config in the reference trainer's terms and back: what `all_config.yaml`
 * can carry of a `TrainConfig`, and the `TrainConfig` a reference run folder stands for.
 */
import { type RunConfig, TRAIN_KEYS } from '@rrm/checkpoint';
import { ConfigError } from '@rrm/reasoning';
import { type TrainConfig, validateTrainConfig } from './config.js';
import { pretrainDefaults } from './presets.js';

/** The reference config of a run, and what of it the reference trainer has no key for. */
export function toReferenceConfig(cfg: TrainConfig): { config: RunConfig; notCarried: string[] } {
  const train: Record<string, unknown> = {};
  // Nulls stay: the reference's struct config only takes command-line overrides of keys it has.
  for (const k of TRAIN_KEYS) train[k] = cfg[k];
  const notCarried: string[] = [];
  if (cfg.optimizer !== 'adam_atan2')
    notCarried.push(`optimizer ${cfg.optimizer} (the reference trains with AdamATan2)`);
  if (cfg.max_steps !== null)
    notCarried.push(`max_steps ${cfg.max_steps} (the reference runs whole epochs)`);
  return {
    config: {
      model: cfg.model,
      arch: cfg.arch,
      loss_type: cfg.loss_type,
      train,
      evaluators: cfg.evaluators,
    },
    notCarried,
  };
}

/**
 * The `TrainConfig` of a reference run: its keys over the reference defaults, rrm-only
 * keys at theirs. The architecture's dataset keys stay as the config has them (none).
 */
export function fromReferenceConfig(ref: RunConfig, source: string): TrainConfig {
  try {
    return validateTrainConfig({
      ...pretrainDefaults(),
      ...ref.train,
      // Absent from a resolved reference config means no periodic evaluation.
      eval_interval: ref.train.eval_interval ?? null,
      model: ref.model,
      arch: ref.arch,
      loss_type: ref.loss_type,
      evaluators: ref.evaluators,
      data_paths: ref.train.data_paths ?? [],
    });
  } catch (e) {
    throw new ConfigError(`${source}: ${(e as Error).message}`);
  }
}
