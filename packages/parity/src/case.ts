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
  /** Train-mode losses, metrics, halted and steps per step (float64 scalars, int32 vectors). */
  train: Map<string, Float64Array | Int32Array>;
  /** grads[k - 1]: d loss_k / d parameter. */
  grads: SafetensorsFile[];
}

/**
 * The train file stores its scalars as F64, which the project's safetensors reader
 * does not decode; only F64 and I32 entries occur in it.
 */
function readMetricFile(bytes: Uint8Array, source: string): Map<string, Float64Array | Int32Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen))) as Record<
    string,
    { dtype: string; data_offsets: [number, number] }
  >;
  const out = new Map<string, Float64Array | Int32Array>();
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [begin, end] = info.data_offsets;
    // A copy (Node's Buffer#slice would share the pool), so the typed arrays are aligned.
    const raw = new Uint8Array(bytes.subarray(8 + headerLen + begin, 8 + headerLen + end));
    if (info.dtype === 'F64') out.set(name, new Float64Array(raw.buffer));
    else if (info.dtype === 'I32') out.set(name, new Int32Array(raw.buffer));
    else
      throw new Error(`${source}: tensor "${name}" has dtype ${info.dtype}, expected F64 or I32`);
  }
  return out;
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
  const trainPath = join(dir, 'train.safetensors');
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
    train: readMetricFile(await readFile(trainPath), trainPath),
    grads,
  };
}

export function record(file: SafetensorsFile, name: string, source: string): TensorRecord {
  const rec = file.tensors.get(name);
  if (!rec) throw new Error(`${source}: tensor "${name}" missing`);
  return rec;
}
