/**
 * Building the model a config names, and the checkpoint files that hold it:
 * `model.safetensors` (reference names, the weights evaluation uses) beside
 * `config.json` (the training config with the model's dataset keys filled in), which is
 * all that inference needs, in Node or in the browser demo.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ActModel, loadCheckpoint } from '@rrm/act';
import { createHRM } from '@rrm/hrm';
import type { PuzzleDatasetMetadata } from '@rrm/puzzles';
import { ConfigError } from '@rrm/reasoning';
import { createTRM } from '@rrm/trm';
import { latestCheckpoint } from './checkpoint-files.js';
import { type TrainConfig, validateTrainConfig } from './config.js';

export type Model = ActModel<unknown>;

export const MODEL_FILE = 'model.safetensors';
export const CONFIG_FILE = 'config.json';

/** The arch keys a dataset decides, filled in from its metadata. */
export function withDatasetKeys(cfg: TrainConfig, meta: PuzzleDatasetMetadata): TrainConfig {
  return {
    ...cfg,
    arch: {
      ...cfg.arch,
      batch_size: cfg.global_batch_size,
      seq_len: meta.seq_len,
      vocab_size: meta.vocab_size,
      num_puzzle_identifiers: meta.num_puzzle_identifiers,
    },
  };
}

/** A freshly initialised model; `cfg.arch` must hold the dataset keys (`withDatasetKeys`). */
export function createModel(cfg: TrainConfig): Model {
  const opts = { seed: cfg.seed, lossType: cfg.loss_type };
  try {
    return (cfg.model === 'trm' ? createTRM(cfg.arch, opts) : createHRM(cfg.arch, opts)) as Model;
  } catch (e) {
    // The model packages name the field; say that it lives under `arch`.
    throw new ConfigError(`config "arch" (${cfg.model}): ${(e as Error).message}`);
  }
}

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

/** The model stored in a checkpoint folder (`model.safetensors` + `config.json`). */
export function loadModel(checkpointDir: string): { model: Model; config: TrainConfig } {
  const config = readRunConfig(checkpointDir);
  const model = createModel(config);
  const path = join(checkpointDir, MODEL_FILE);
  try {
    loadCheckpoint(model, readFileSync(path), { source: path });
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, config };
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
    `${path}: neither a checkpoint folder (no ${MODEL_FILE}) nor a run folder with checkpoints/`,
  );
}
