/**
 * The one load path: bytes of any supported format become a name → tensor map
 * (`readWeights`), which `loadWeights` matches to a model (prefix, puzzle table) and hands
 * to `Module.loadStateDict`, where every check and assignment happens.
 */
import {
  type Module,
  readSafetensors,
  type TensorRecord,
  type WritableTensor,
  writeSafetensors,
} from '@rrm/layers';
import { isZip, readTorchCheckpoint, writeTorchCheckpoint } from './torch';

/** Reference checkpoints come from `torch.compile(ACTLossHead(model))`: keys carry this prefix. */
export const REFERENCE_PREFIX = '_orig_mod.model.';

export const PUZZLE_TABLE = 'inner.puzzle_emb.weights';

export type WeightsFormat = 'safetensors' | 'torch';

/** Tensors by stored name, from safetensors or a `torch.save` zip (told apart by their first bytes). */
export function readWeights(
  bytes: Uint8Array,
  source = '<bytes>',
): { format: WeightsFormat; tensors: Map<string, TensorRecord> } {
  if (isZip(bytes)) return { format: 'torch', tensors: readTorchCheckpoint(bytes, source) };
  return { format: 'safetensors', tensors: readSafetensors(bytes, source).tensors };
}

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

/** A safetensors checkpoint under the reference names (prefix included by default). */
export function saveCheckpoint(
  model: Module,
  opts: { prefix?: string; metadata?: Record<string, string> } = {},
): Uint8Array {
  return writeSafetensors(checkpointTensors(model, opts.prefix ?? REFERENCE_PREFIX), opts.metadata);
}

/** A `torch.save`-format checkpoint (`archive` names its folder inside the zip, e.g. `step_100`). */
export function saveTorchCheckpoint(
  model: Module,
  archive: string,
  prefix = REFERENCE_PREFIX,
): Uint8Array {
  return writeTorchCheckpoint(checkpointTensors(model, prefix), archive);
}

/** The prefix (reference, none, or `model.`) under which most of the names appear. */
export function detectPrefix(keys: Iterable<string>, names: readonly string[]): string {
  const stored = new Set(keys);
  let best = '';
  let bestHits = -1;
  for (const prefix of [REFERENCE_PREFIX, '', 'model.']) {
    const hits = names.filter((n) => stored.has(prefix + n)).length;
    if (hits > bestHits) [best, bestHits] = [prefix, hits];
  }
  return best;
}

export interface LoadOptions {
  /** Names the checkpoint in errors and warnings. */
  source?: string;
  /** Receives non-fatal notices (a resized puzzle-embedding table); default console.warn. */
  onWarning?: (message: string) => void;
}

/** Mean of the stored rows, repeated for every row of a table of `rows` rows. */
function meanRows(rec: TensorRecord, rows: number): TensorRecord {
  const [n, dim] = rec.shape;
  const data = new Float32Array(rows * dim);
  for (let j = 0; j < dim; j++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += rec.data[i * dim + j];
    for (let r = 0; r < rows; r++) data[r * dim + j] = sum / n;
  }
  return { dtype: 'F32', shape: [rows, dim], data };
}

/**
 * Loads stored tensors into a model, with the compiled `_orig_mod.model.` prefix, `model.`
 * or none. Every missing, unexpected and mis-shaped tensor is listed in one error (names
 * without the prefix); nothing is assigned unless all match. A puzzle-embedding table with
 * another number of puzzles is re-initialised to the mean of its stored rows, with a
 * warning, as the reference trainer does when it starts from a checkpoint.
 */
export function loadWeights(
  model: Module,
  tensors: ReadonlyMap<string, TensorRecord>,
  opts: LoadOptions = {},
): void {
  const source = opts.source ?? '<checkpoint>';
  const warn = opts.onWarning ?? ((m: string) => console.warn(m));
  const shapes = new Map([...model.stateDict()].map(([n, v]) => [n, v.shape]));
  const prefix = detectPrefix(tensors.keys(), [...shapes.keys()]);
  const renamed = new Map<string, TensorRecord>();
  for (const [k, rec] of tensors)
    renamed.set(k.startsWith(prefix) ? k.slice(prefix.length) : k, rec);
  const table = renamed.get(PUZZLE_TABLE);
  const want = shapes.get(PUZZLE_TABLE);
  if (
    table &&
    want &&
    table.shape.length === 2 &&
    table.shape[1] === want[1] &&
    table.shape[0] !== want[0]
  ) {
    warn(
      `${source}: puzzle-embedding table ${prefix}${PUZZLE_TABLE} has ${table.shape[0]} rows, the model ` +
        `${want[0]}; every row re-initialised to the mean of the stored rows`,
    );
    renamed.set(PUZZLE_TABLE, meanRows(table, want[0]));
  }
  model.loadStateDict(renamed, { source: prefix ? `${source} (prefix "${prefix}")` : source });
}
