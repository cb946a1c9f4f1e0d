/**
 * The reference trainer's run config, `all_config.yaml` beside its `step_N` files: the
 * architecture under `arch` (with `name` and `loss`) and the hyper-parameters at the top
 * level. Read into, and written from, a neutral `RunConfig` whose training keys carry the
 * names both trainers share.
 */
import { ConfigError, describeValue, isPlainObject } from '@rrm/reasoning';
import { parse, stringify } from 'yaml';

export type ModelKind = 'trm' | 'hrm';

export interface RunConfig {
  model: ModelKind;
  /** Model config with the reference key names, without `name` and `loss`. */
  arch: Record<string, unknown>;
  loss_type: string;
  /** The shared training keys (`TRAIN_KEYS`) that the config sets. */
  train: Record<string, unknown>;
  /** Evaluator names as rrm spells them (`arc`). */
  evaluators: string[];
}

/** Top-level keys with the same name and meaning in both trainers' configs. */
export const TRAIN_KEYS = [
  'data_paths',
  'global_batch_size',
  'epochs',
  'eval_interval',
  'lr',
  'lr_min_ratio',
  'lr_warmup_steps',
  'weight_decay',
  'beta1',
  'beta2',
  'puzzle_emb_lr',
  'puzzle_emb_weight_decay',
  'ema',
  'ema_rate',
  'seed',
] as const;

/** Model classes by the reference's `arch.name` (`module@Class`); the module differs by repository. */
const CLASSES: Record<string, ModelKind> = {
  TinyRecursiveReasoningModel_ACTV1: 'trm',
  HierarchicalReasoningModel_ACTV1: 'hrm',
};
/** What `--to torch` writes: the TRM repository's names, whose `pretrain.py` trains both. */
const ARCH_NAMES: Record<ModelKind, string> = {
  trm: 'recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1',
  hrm: 'recursive_reasoning.hrm@HierarchicalReasoningModel_ACTV1',
};
const LOSS_NAME = 'losses@ACTLossHead';
const ARC_EVALUATOR = 'arc@ARC';
/** Filled in from the dataset by both trainers, never written to the config. */
const DATASET_KEYS = ['batch_size', 'seq_len', 'vocab_size', 'num_puzzle_identifiers'];

const bad = (source: string, key: string, want: string, got: unknown) =>
  new ConfigError(`${source} key "${key}": expected ${want}, got ${describeValue(got)}`);

/** Parses `all_config.yaml`; errors name the file and the key. */
export function parseReferenceConfig(text: string, source = 'all_config.yaml'): RunConfig {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    throw new ConfigError(`${source}: invalid YAML (${(e as Error).message})`);
  }
  if (!isPlainObject(raw))
    throw new ConfigError(`${source}: expected a mapping, got ${describeValue(raw)}`);
  const arch = raw.arch;
  if (!isPlainObject(arch)) throw bad(source, 'arch', 'a mapping', arch);
  const name = arch.name;
  const cls = typeof name === 'string' ? name.split('@')[1] : undefined;
  const model = cls === undefined ? undefined : CLASSES[cls];
  if (!model) {
    throw bad(source, 'arch.name', `module@${Object.keys(CLASSES).join(' or module@')}`, name);
  }
  const loss = arch.loss;
  if (!isPlainObject(loss) || typeof loss.loss_type !== 'string')
    throw bad(
      source,
      'arch.loss.loss_type',
      'a string',
      isPlainObject(loss) ? loss.loss_type : loss,
    );
  const { name: _n, loss: _l, ...rest } = arch;
  const evaluators: string[] = [];
  if (raw.evaluators !== undefined && raw.evaluators !== null) {
    if (!Array.isArray(raw.evaluators)) throw bad(source, 'evaluators', 'a list', raw.evaluators);
    for (const e of raw.evaluators) {
      const n = isPlainObject(e) ? e.name : e;
      if (typeof n !== 'string')
        throw bad(source, 'evaluators', 'a list of {name: …}', raw.evaluators);
      evaluators.push(n.split('@')[0].toLowerCase());
    }
  }
  const train: Record<string, unknown> = {};
  for (const k of TRAIN_KEYS) if (raw[k] !== undefined) train[k] = raw[k];
  return { model, arch: rest, loss_type: loss.loss_type, train, evaluators };
}

/**
 * `all_config.yaml` for the reference `pretrain.py`: the architecture (dataset keys left
 * to the dataset, as the reference fills them in), the loss, and the shared keys.
 */
export function referenceConfigYaml(cfg: RunConfig, extra: Record<string, unknown> = {}): string {
  const arch = Object.fromEntries(
    Object.entries(cfg.arch).filter(([k]) => !DATASET_KEYS.includes(k)),
  );
  const doc: Record<string, unknown> = {
    arch: {
      name: ARCH_NAMES[cfg.model],
      loss: { name: LOSS_NAME, loss_type: cfg.loss_type },
      ...arch,
    },
  };
  for (const k of TRAIN_KEYS) if (cfg.train[k] !== undefined) doc[k] = cfg.train[k];
  doc.evaluators = cfg.evaluators.map((e) => {
    if (e !== 'arc')
      throw new ConfigError(`evaluator "${e}" has no reference counterpart (known: arc)`);
    return { name: ARC_EVALUATOR };
  });
  Object.assign(doc, extra);
  return stringify(doc);
}
