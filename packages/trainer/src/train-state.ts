/**
 * The training state a checkpoint folder holds beside the model, and how it is read back:
 * `state.safetensors` (the raw weights when an EMA replaces them in `model.safetensors`,
 * the EMA, the optimiser moments and the ACT carry, each under its own prefix) and
 * `state.json` (step counts, sampler position, exploration RNG, elapsed time). Restoring
 * both gives a resumed run the exact stream of the uninterrupted one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActCarry } from '@rrm/act';
import { loadWeightsFile } from '@rrm/checkpoint/node';
import {
  type AdamATan2,
  type AdamW,
  type EMA,
  fromTensor,
  readSafetensors,
  type TensorRecord,
  type WritableTensor,
  writeSafetensors,
} from '@rrm/layers';
import type { TrainSamplerState } from '@rrm/puzzles';
import type { RngState } from '@rrm/random';
import { isPlainObject } from '@rrm/reasoning';
import * as tf from '@tensorflow/tfjs-core';
import { checkFiniteWeights } from './checks.js';
import { configJson, type TrainConfig } from './config.js';
import { type Model, modelCheckpoint } from './loop.js';
import { CONFIG_FILE, MODEL_FILE } from './model.js';
import { describeFsError, isFsError } from './run-folder.js';

export const STATE_FILE = 'state.safetensors';
export const STATE_JSON = 'state.json';
const STATE_FORMAT = 'rrm-trainer-state/1';

/** What `state.json` records. */
export interface SavedState {
  format: string;
  step: number;
  total_steps: number;
  optimizer_step: number;
  sampler: TrainSamplerState;
  exploration_rng: RngState;
  elapsed_s: number;
  backend: string;
}

/** The live objects a checkpoint is written from and restored into. */
export interface TrainingParts {
  model: Model;
  optimizer: AdamATan2 | AdamW;
  ema: EMA | null;
}

function withPrefix(
  prefix: string,
  tensors: Record<string, WritableTensor>,
): Record<string, WritableTensor> {
  return Object.fromEntries(Object.entries(tensors).map(([k, v]) => [`${prefix}.${k}`, v]));
}

/** Tensors saved under `prefix.` come back without it. */
function stripPrefix(
  prefix: string,
  tensors: Map<string, TensorRecord>,
): Record<string, WritableTensor> {
  const out: Record<string, WritableTensor> = {};
  for (const [k, v] of tensors) {
    if (k.startsWith(`${prefix}.`)) out[k.slice(prefix.length + 1)] = v as WritableTensor;
  }
  return out;
}

/**
 * The files of one checkpoint folder: `model.safetensors` (EMA weights when enabled) and
 * `config.json` for inference, `state.safetensors` and `state.json` for resuming.
 */
export async function checkpointFiles(
  parts: TrainingParts,
  carry: ActCarry,
  config: TrainConfig,
  info: Omit<SavedState, 'format' | 'optimizer_step'>,
): Promise<Record<string, Uint8Array | string>> {
  const { model, optimizer, ema } = parts;
  const modelBytes = await modelCheckpoint(model, ema);
  const tensors: Record<string, WritableTensor> = {};
  if (ema) {
    for (const [name, v] of model.namedParameters()) tensors[`train.${name}`] = await fromTensor(v);
    Object.assign(tensors, withPrefix('ema', (await ema.getState()).tensors));
  }
  const optim = await optimizer.getState();
  Object.assign(tensors, withPrefix('optim', optim.tensors));
  Object.assign(tensors, {
    'carry.zH': await fromTensor(carry.zH),
    'carry.zL': await fromTensor(carry.zL),
    'carry.steps': await fromTensor(carry.steps),
    'carry.halted': await fromTensor(carry.halted),
    'carry.inputs': await fromTensor(carry.data.inputs),
    'carry.labels': await fromTensor(carry.data.labels),
    'carry.puzzle_identifiers': await fromTensor(carry.data.puzzle_identifiers),
  });
  const state: SavedState = { format: STATE_FORMAT, optimizer_step: optim.step, ...info };
  return {
    [MODEL_FILE]: modelBytes,
    [CONFIG_FILE]: configJson(config),
    [STATE_FILE]: writeSafetensors(tensors),
    [STATE_JSON]: `${JSON.stringify(state, null, 2)}\n`,
  };
}

const STATE_FIELDS: Array<[keyof SavedState, 'int' | 'number' | 'object' | 'string']> = [
  ['format', 'string'],
  ['step', 'int'],
  ['total_steps', 'int'],
  ['optimizer_step', 'int'],
  ['sampler', 'object'],
  ['exploration_rng', 'object'],
  ['elapsed_s', 'number'],
];

const WANT = {
  int: 'an integer >= 0',
  number: 'a number',
  object: 'an object',
  string: 'a string',
} as const;

/**
 * `state.json` of the checkpoint folder `dir` for step `step`, each field checked and the
 * step compared with the folder's; errors name the file and the field.
 */
export function readSavedState(dir: string, step: number): SavedState {
  const path = join(dir, STATE_JSON);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(
      isFsError(e)
        ? `${path}: ${describeFsError(e)}`
        : `${path}: not valid JSON (${(e as Error).message})`,
    );
  }
  if (!isPlainObject(raw)) throw new Error(`${path}: expected a JSON object`);
  for (const [key, kind] of STATE_FIELDS) {
    const v = raw[key];
    const ok =
      kind === 'int'
        ? Number.isInteger(v) && (v as number) >= 0
        : kind === 'number'
          ? typeof v === 'number' && Number.isFinite(v)
          : kind === 'object'
            ? isPlainObject(v)
            : typeof v === 'string';
    if (!ok)
      throw new Error(`${path}: field "${key}" should be ${WANT[kind]}, got ${JSON.stringify(v)}`);
  }
  if (raw.format !== STATE_FORMAT)
    throw new Error(`${path}: unknown format "${raw.format}", expected "${STATE_FORMAT}"`);
  if (raw.step !== step)
    throw new Error(`${path}: step ${raw.step}, but the folder is for step ${step}`);
  return raw as unknown as SavedState;
}

/**
 * Loads the weights, EMA and optimiser moments of the checkpoint folder `dir` into
 * `parts` (refusing non-finite weights) and returns the saved carry.
 */
export async function loadTrainingState(
  dir: string,
  parts: TrainingParts,
  state: SavedState,
): Promise<ActCarry> {
  const { model, optimizer, ema } = parts;
  const modelPath = join(dir, MODEL_FILE);
  loadWeightsFile(model, modelPath);
  await checkFiniteWeights([...model.stateDict()], modelPath);
  const tensorPath = join(dir, STATE_FILE);
  const saved = readSafetensors(readFileSync(tensorPath), tensorPath).tensors;
  const get = (name: string): TensorRecord => {
    const t = saved.get(name);
    if (!t) throw new Error(`${tensorPath}: tensor "${name}" missing`);
    return t;
  };
  if (ema) {
    for (const [name, v] of model.namedParameters()) {
      const t = get(`train.${name}`);
      tf.tidy(() => v.assign(tf.tensor(t.data, t.shape, 'float32')));
    }
    ema.loadState({ step: 0, tensors: stripPrefix('ema', saved) });
    await checkFiniteWeights([...model.stateDict()], tensorPath);
  }
  if (state.optimizer_step > 0) {
    optimizer.loadState(
      { step: state.optimizer_step, tensors: stripPrefix('optim', saved) },
      model.parameters(),
    );
  }
  const tensor = (name: string, dtype: 'int32' | 'float32') => {
    const t = get(name);
    return tf.tensor(t.data, t.shape, dtype);
  };
  const halted = tensor('carry.halted', 'int32');
  const carry: ActCarry = {
    zH: tensor('carry.zH', 'float32') as tf.Tensor3D,
    zL: tensor('carry.zL', 'float32') as tf.Tensor3D,
    steps: tensor('carry.steps', 'int32') as tf.Tensor1D,
    halted: tf.cast(halted, 'bool') as tf.Tensor1D,
    data: {
      inputs: tensor('carry.inputs', 'int32') as tf.Tensor2D,
      labels: tensor('carry.labels', 'int32') as tf.Tensor2D,
      puzzle_identifiers: tensor('carry.puzzle_identifiers', 'int32') as tf.Tensor1D,
    },
  };
  halted.dispose();
  return carry;
}
