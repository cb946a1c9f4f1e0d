import {
  type Module,
  readSafetensors,
  type SafetensorsFile,
  type TensorRecord,
  type WritableTensor,
  writeSafetensors,
} from '@rrm/layers';
import * as tf from '@tensorflow/tfjs-core';

/** Reference checkpoints come from `torch.compile(ACTLossHead(model))`: keys carry this prefix. */
export const REFERENCE_PREFIX = '_orig_mod.model.';

const PUZZLE_TABLE = 'inner.puzzle_emb.weights';

/** Every parameter and buffer as float32 records under `prefix + reference name`. */
export function checkpointTensors(
  model: Module,
  prefix = REFERENCE_PREFIX,
): Map<string, WritableTensor> {
  const out = new Map<string, WritableTensor>();
  for (const [name, v] of model.stateDict()) {
    out.set(prefix + name, { dtype: 'F32', shape: v.shape, data: v.dataSync() as Float32Array });
  }
  return out;
}

/** A safetensors checkpoint the reference PyTorch code can load (prefix included by default). */
export function saveCheckpoint(
  model: Module,
  opts: { prefix?: string; metadata?: Record<string, string> } = {},
): Uint8Array {
  return writeSafetensors(checkpointTensors(model, opts.prefix ?? REFERENCE_PREFIX), opts.metadata);
}

export interface LoadOptions {
  /** Names the checkpoint in errors and warnings. */
  source?: string;
  /** Receives non-fatal notices (a resized puzzle-embedding table); default console.warn. */
  onWarning?: (message: string) => void;
}

const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;

/** The prefix (reference, none, or `model.`) under which most of the model's names appear. */
function detectPrefix(keys: string[], names: string[]): string {
  let best = '';
  let bestHits = -1;
  for (const prefix of [REFERENCE_PREFIX, '', 'model.']) {
    const stored = new Set(keys);
    const hits = names.filter((n) => stored.has(prefix + n)).length;
    if (hits > bestHits) [best, bestHits] = [prefix, hits];
  }
  return best;
}

/** Mean of the stored rows, repeated for every row of a table of `rows` rows. */
function meanRows(rec: TensorRecord, rows: number): tf.Tensor2D {
  return tf.tidy(() => {
    const stored = tf.tensor2d(rec.data as Float32Array, [rec.shape[0], rec.shape[1]]);
    return tf.tile(tf.mean(stored, 0, true), [rows, 1]) as tf.Tensor2D;
  });
}

/**
 * Loads a checkpoint saved by this project or converted from a reference PyTorch
 * checkpoint (with or without the `_orig_mod.model.` prefix). Every missing,
 * unexpected and mis-shaped tensor is listed in one error; nothing is assigned
 * unless all match. A puzzle-embedding table with another number of puzzles is
 * re-initialised to the mean of its stored rows, with a warning.
 */
export function loadCheckpoint(
  model: Module,
  input: Uint8Array | SafetensorsFile,
  opts: LoadOptions = {},
): void {
  const source = opts.source ?? '<checkpoint>';
  const warn = opts.onWarning ?? ((m: string) => console.warn(m));
  const file = input instanceof Uint8Array ? readSafetensors(input, source) : input;
  const params = [...model.stateDict()];
  const keys = [...file.tensors.keys()];
  const prefix = detectPrefix(
    keys,
    params.map(([n]) => n),
  );

  const missing: string[] = [];
  const misShaped: string[] = [];
  const assignments: Array<[tf.Variable, () => tf.Tensor]> = [];
  for (const [name, v] of params) {
    const rec = file.tensors.get(prefix + name);
    if (!rec) {
      missing.push(prefix + name);
      continue;
    }
    if (!(rec.data instanceof Float32Array || rec.data instanceof Float64Array)) {
      misShaped.push(`${prefix + name} has dtype ${rec.dtype}, expected a float type`);
      continue;
    }
    const sameShape =
      rec.shape.length === v.shape.length && rec.shape.every((d, i) => d === v.shape[i]);
    if (sameShape) {
      assignments.push([v, () => tf.tensor(rec.data, rec.shape, 'float32')]);
    } else if (name === PUZZLE_TABLE && rec.shape.length === 2 && rec.shape[1] === v.shape[1]) {
      warn(
        `${source}: puzzle-embedding table ${prefix + name} has ${rec.shape[0]} rows, the model ` +
          `${v.shape[0]}; every row re-initialised to the mean of the stored rows`,
      );
      assignments.push([v, () => meanRows(rec, v.shape[0])]);
    } else {
      misShaped.push(
        `${prefix + name} is ${shapeText(rec.shape)}, the model needs ${shapeText(v.shape)}`,
      );
    }
  }
  const known = new Set(params.map(([n]) => prefix + n));
  const unexpected = keys.filter((k) => !known.has(k));

  if (missing.length + unexpected.length + misShaped.length > 0) {
    const parts = [
      missing.length ? `missing: ${missing.join(', ')}` : '',
      unexpected.length ? `unexpected: ${unexpected.join(', ')}` : '',
      misShaped.length ? `mis-shaped: ${misShaped.join('; ')}` : '',
    ].filter(Boolean);
    throw new Error(
      `${source}: checkpoint does not match the model (prefix "${prefix}"):\n  ${parts.join('\n  ')}`,
    );
  }
  for (const [v, value] of assignments) {
    const t = value();
    v.assign(t);
    t.dispose();
  }
}
