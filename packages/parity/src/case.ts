import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { readSafetensors, type SafetensorsFile, type TensorRecord } from '@rrm/layers';

/** `config.json` of a parity case. */
export interface CaseConfig {
  model: 'trm' | 'hrm';
  arch: Record<string, unknown>;
  seed: number;
  train_steps: number;
  checkpoint_prefix: string;
}

/** One folder of `../shared/parity`: what the reference PyTorch code computed. */
export interface ParityCase {
  name: string;
  dir: string;
  config: CaseConfig;
  weights: SafetensorsFile;
  batch: SafetensorsFile;
  eval: SafetensorsFile;
  /** Train-mode losses, metrics, halted and steps per step (F64 scalars, I32 vectors). */
  train: SafetensorsFile;
  /** grads[k - 1]: d loss_k / d parameter. */
  grads: SafetensorsFile[];
}

async function readTensors(path: string): Promise<SafetensorsFile> {
  return readSafetensors(await readFile(path), path);
}

function checkConfig(raw: unknown, path: string): CaseConfig {
  const c = raw as Partial<CaseConfig>;
  if (c.model !== 'trm' && c.model !== 'hrm') {
    throw new Error(
      `${path}: field "model" must be "trm" or "hrm", got ${JSON.stringify(c.model)}`,
    );
  }
  if (typeof c.arch !== 'object' || c.arch === null)
    throw new Error(`${path}: field "arch" must be an object`);
  if (!Number.isInteger(c.train_steps) || (c.train_steps as number) < 1) {
    throw new Error(`${path}: field "train_steps" must be a positive integer`);
  }
  return c as CaseConfig;
}

/** Reads a case folder; errors name the missing or malformed file. */
export async function loadParityCase(dir: string): Promise<ParityCase> {
  const configPath = join(dir, 'config.json');
  let configText: string;
  try {
    configText = await readFile(configPath, 'utf8');
  } catch {
    throw new Error(`${dir}: not a parity case (no readable config.json)`);
  }
  const config = checkConfig(JSON.parse(configText), configPath);
  const grads = [];
  for (let k = 1; k <= config.train_steps; k++)
    grads.push(await readTensors(join(dir, `grads_${k}.safetensors`)));
  return {
    name: basename(dir.replace(/\/+$/, '')),
    dir,
    config,
    weights: await readTensors(join(dir, 'weights.safetensors')),
    batch: await readTensors(join(dir, 'batch.safetensors')),
    eval: await readTensors(join(dir, 'eval.safetensors')),
    train: await readTensors(join(dir, 'train.safetensors')),
    grads,
  };
}

export function record(file: SafetensorsFile, name: string, source: string): TensorRecord {
  const rec = file.tensors.get(name);
  if (!rec) throw new Error(`${source}: tensor "${name}" missing`);
  return rec;
}
