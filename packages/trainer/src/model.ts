/**
 * Building the model a config names, and reading it back from any checkpoint: rrm's
 * `model.safetensors` (reference names, the weights evaluation uses) beside `config.json`
 * (the training config with the model's dataset keys filled in), or the reference
 * trainer's `step_N` beside `all_config.yaml`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { dataKeysFromWeights, loadWeights } from '@rrm/checkpoint';
import {
  locateReferenceCheckpoint,
  REFERENCE_CONFIG,
  readReferenceCheckpoint,
  readWeightsFile,
} from '@rrm/checkpoint/node';
import { type TensorRecord, WeightsMismatchError } from '@rrm/layers';
import type { PuzzleDatasetMetadata } from '@rrm/puzzles';
import { ConfigError, isSizeFree } from '@rrm/reasoning';
import { latestCheckpoint } from './checkpoint-files.js';
import { type TrainConfig, validateTrainConfig } from './config.js';
import { createModel, type Model, withDatasetKeys } from './loop.js';
import { fromReferenceConfig } from './reference.js';

export const MODEL_FILE = 'model.safetensors';
export const CONFIG_FILE = 'config.json';

/** Reads `config.json` of a checkpoint or run folder. */
export function readRunConfig(dir: string): TrainConfig {
  const path = join(dir, CONFIG_FILE);
  if (!existsSync(path))
    throw new ConfigError(`${path}: not found (not a checkpoint or run folder)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${path}: invalid JSON (${(e as Error).message})`);
  }
  try {
    return validateTrainConfig(raw);
  } catch (e) {
    throw new ConfigError(`${path}: ${(e as Error).message}`);
  }
}

/** A checkpoint as read: its config and its tensors, not yet a model. */
export interface Checkpoint {
  /** The file the weights came from. */
  weights: string;
  format: 'rrm' | 'torch';
  step: number | null;
  /**
   * The training config. From a reference run (`all_config.yaml`), the architecture lacks
   * the dataset keys, which `modelFromCheckpoint` takes from the weights or the dataset.
   */
  config: TrainConfig;
  tensors: Map<string, TensorRecord>;
}

/**
 * Reads any checkpoint: an rrm checkpoint folder (`model.safetensors` + `config.json`) or
 * run folder (its newest), a reference checkpoint file (`step_N`, `torch.save` format,
 * with `all_config.yaml` beside it) or a reference run folder (its newest `step_N`).
 */
export function readCheckpoint(path: string): Checkpoint {
  const ref = existsSync(join(path, MODEL_FILE)) ? null : locateReferenceCheckpoint(path);
  if (ref) {
    const { config, tensors } = readReferenceCheckpoint(ref);
    return {
      weights: ref.weights,
      format: 'torch',
      step: ref.step,
      config: fromReferenceConfig(config, ref.config),
      tensors,
    };
  }
  const dir = resolveCheckpointDir(path);
  const weights = join(dir, MODEL_FILE);
  const step = /^step_(\d+)$/.exec(basename(dir));
  return {
    weights,
    format: 'rrm',
    step: step ? Number(step[1]) : null,
    config: readRunConfig(dir),
    tensors: readWeightsFile(weights).tensors,
  };
}

/**
 * The checkpoint's model with its weights. Dataset keys missing from the config come from
 * the weights' shapes, then from `dataset` (the metadata of the data it will run on).
 */
export function modelFromCheckpoint(
  ckpt: Checkpoint,
  dataset?: PuzzleDatasetMetadata,
): { model: Model; config: TrainConfig } {
  const { config: cfg } = ckpt;
  const fromData = dataset && withDatasetKeys(cfg, dataset).arch;
  const arch = {
    batch_size: cfg.global_batch_size,
    ...fromData,
    ...dataKeysFromWeights(cfg.model, cfg.arch, ckpt.tensors),
    ...cfg.arch,
    ...(isSizeFree(cfg.arch) && dataset ? { seq_len: dataset.seq_len } : {}),
  };
  if (arch.seq_len === undefined) {
    throw new ConfigError(
      `${ckpt.weights}: the sequence length is in neither the config nor the weights (${String(cfg.arch.pos_encodings)} positions); give the dataset it runs on`,
    );
  }
  const config = { ...cfg, arch };
  const model = createModel(config);
  try {
    loadWeights(model, ckpt.tensors, { source: ckpt.weights });
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, config };
}

/** `readCheckpoint` then `modelFromCheckpoint`. */
export function loadModel(
  path: string,
  dataset?: PuzzleDatasetMetadata,
): { model: Model; config: TrainConfig } {
  return modelFromCheckpoint(readCheckpoint(path), dataset);
}

/**
 * A checkpoint folder from a path that is one (holds `model.safetensors`) or a run folder
 * (its newest checkpoint).
 */
export function resolveCheckpointDir(path: string): string {
  if (existsSync(join(path, MODEL_FILE))) return path;
  const latest = latestCheckpoint(join(path, 'checkpoints'));
  if (latest) return latest.dir;
  throw new ConfigError(
    `${path}: not a checkpoint: neither a checkpoint folder (no ${MODEL_FILE}), a run folder with checkpoints/, a reference step_N file nor a reference run folder (${REFERENCE_CONFIG} and step_N files)`,
  );
}

/** Arch keys whose values may differ between a checkpoint and the run it starts. */
const FREE_ARCH_KEYS = new Set(['batch_size', 'num_puzzle_identifiers']);

/**
 * Starts `model` (built from `cfg`) from the weights of the checkpoint at `cfg.init_from`,
 * any format `readCheckpoint` reads. When the weights do not fit, the error lists the
 * arch keys that differ and every missing, unexpected or mis-shaped tensor, by name; arch
 * keys that differ while the weights still fit (cycles, halting) are logged.
 */
export function initWeights(model: Model, cfg: TrainConfig, log: (line: string) => void): void {
  const path = cfg.init_from;
  if (path === null) return;
  const ckpt = readCheckpoint(path);
  const theirs: Record<string, unknown> = {
    ...dataKeysFromWeights(ckpt.config.model, ckpt.config.arch, ckpt.tensors),
    ...ckpt.config.arch,
  };
  const differ = Object.keys({ ...theirs, ...cfg.arch })
    .filter((k) => !FREE_ARCH_KEYS.has(k) && theirs[k] !== undefined)
    .filter((k) => JSON.stringify(theirs[k]) !== JSON.stringify(cfg.arch[k]))
    .map(
      (k) => `arch.${k} ${JSON.stringify(cfg.arch[k])} here, ${JSON.stringify(theirs[k])} there`,
    );
  if (ckpt.config.model !== cfg.model)
    differ.unshift(`model ${cfg.model} here, ${ckpt.config.model} there`);
  try {
    loadWeights(model, ckpt.tensors, { source: ckpt.weights, onWarning: log });
  } catch (e) {
    if (!(e instanceof WeightsMismatchError)) throw e;
    throw new ConfigError(
      `config key "init_from": ${path} does not fit this model${differ.length ? ` (${differ.join('; ')})` : ''}: ${e.message}`,
    );
  }
  log(
    `init_from: weights of ${ckpt.weights}${ckpt.step === null ? '' : ` (step ${ckpt.step})`}` +
      (differ.length ? `; config differs, weights fit: ${differ.join('; ')}` : ''),
  );
}
