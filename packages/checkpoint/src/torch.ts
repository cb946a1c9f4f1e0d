/**
 * PyTorch's checkpoint format (every `torch.save` since 1.6): a zip archive whose entries
 * sit in one folder `<archive>/`: `data.pkl` (the pickled state dict, tensors pointing at
 * storages by key), `data/<key>` (each storage's raw little-endian bytes), `version`, and
 * in newer releases `byteorder`, `.data/version` and `.data/serialization_id`. Byte
 * functions only, so they run in browsers; fflate does the zip (small, browser-safe,
 * and its filter shows each entry's claimed size before anything is inflated).
 */
import { decodeTensorBytes, type TensorRecord, type WritableTensor } from '@rrm/layers';
import { strFromU8, type UnzipFileInfo, unzipSync, zipSync } from 'fflate';
import { CheckpointError } from './errors';
import { readStateDictPickle, type TensorRef, writeStateDictPickle } from './pickle';

const BYTES = { F32: 4, BF16: 2, F16: 2 } as const;

/** Whether `bytes` start like a zip archive (a torch checkpoint) rather than safetensors. */
export function isZip(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 3 && bytes[3] === 4
  );
}

function entries(bytes: Uint8Array, source: string, want: (f: UnzipFileInfo) => boolean) {
  try {
    return unzipSync(bytes, { filter: want });
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError(
      source,
      `not a readable zip archive (truncated or corrupt?): ${(e as Error).message}`,
    );
  }
}

/**
 * Reads a `torch.save` checkpoint of a state dict: every tensor decoded to float32
 * (F32, BF16 and F16 storages), under its stored name. The archive's directory, the
 * pickle and every tensor's extent are checked against the storages' actual sizes
 * before any storage is inflated or any tensor allocated.
 */
export function readTorchCheckpoint(
  bytes: Uint8Array,
  source = '<bytes>',
): Map<string, TensorRecord> {
  const sizes = new Map<string, number>();
  entries(bytes, source, (f) => {
    sizes.set(f.name, f.originalSize);
    return false;
  });
  const pkls = [...sizes.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pkls.length !== 1) {
    throw new CheckpointError(
      source,
      pkls.length === 0
        ? 'zip archive without <archive>/data.pkl: not a torch.save checkpoint'
        : `zip archive with ${pkls.length} data.pkl entries (${pkls.join(', ')})`,
    );
  }
  const root = pkls[0].slice(0, -'data.pkl'.length);
  const pklSize = sizes.get(pkls[0])!;
  if (pklSize > Math.max(64 * 1024 * 1024, bytes.byteLength))
    throw new CheckpointError(source, `data.pkl claims ${pklSize} bytes`);
  const meta = entries(bytes, source, (f) => f.name === pkls[0] || f.name === `${root}byteorder`);
  const order = meta[`${root}byteorder`];
  if (order && strFromU8(order).trim() !== 'little')
    throw new CheckpointError(source, `byteorder "${strFromU8(order).trim()}" is not supported`);
  const pkl = meta[pkls[0]];
  if (!pkl || pkl.length !== pklSize)
    throw new CheckpointError(source, 'data.pkl is shorter than the archive claims (truncated?)');
  const refs = readStateDictPickle(pkl, source);

  // Each storage: present, of the size its dtype and element count give, one dtype.
  const storages = new Map<string, { dtype: keyof typeof BYTES; numel: number }>();
  for (const [name, t] of refs) {
    const { key, dtype, numel } = t.storage;
    const entry = `${root}data/${key}`;
    const size = sizes.get(entry);
    if (size === undefined)
      throw new CheckpointError(source, `tensor "${name}": storage ${entry} missing`);
    if (size !== numel * BYTES[dtype]) {
      throw new CheckpointError(
        source,
        `tensor "${name}": storage ${entry} holds ${size} bytes, ${numel} ${dtype} elements need ${numel * BYTES[dtype]}`,
      );
    }
    const seen = storages.get(key);
    if (seen && seen.dtype !== dtype)
      throw new CheckpointError(
        source,
        `storage ${entry} is read as both ${seen.dtype} and ${dtype}`,
      );
    storages.set(key, { dtype, numel });
    checkExtent(name, t, source);
  }
  const data = entries(bytes, source, (f) => {
    const key = f.name.startsWith(`${root}data/`) ? f.name.slice(root.length + 5) : null;
    return key !== null && storages.has(key);
  });
  const out = new Map<string, TensorRecord>();
  for (const [name, t] of refs) {
    const raw = data[`${root}data/${t.storage.key}`];
    if (!raw || raw.length !== t.storage.numel * BYTES[t.storage.dtype])
      throw new CheckpointError(
        source,
        `tensor "${name}": storage data/${t.storage.key} truncated`,
      );
    out.set(name, materialise(name, t, raw, source));
  }
  return out;
}

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The tensor's furthest element lies inside its storage. */
function checkExtent(name: string, t: TensorRef, source: string): void {
  const n = count(t.size);
  if (!Number.isSafeInteger(n))
    throw new CheckpointError(
      source,
      `tensor "${name}": shape [${t.size.join(', ')}] is too large`,
    );
  if (n === 0) return;
  const last = t.size.reduce((acc, d, i) => acc + (d - 1) * t.stride[i], t.offset);
  if (!Number.isSafeInteger(last) || last >= t.storage.numel) {
    throw new CheckpointError(
      source,
      `tensor "${name}": shape [${t.size.join(', ')}] with stride [${t.stride.join(', ')}] at offset ${t.offset} reaches element ${last}, but storage ${t.storage.key} holds ${t.storage.numel}`,
    );
  }
}

function materialise(name: string, t: TensorRef, raw: Uint8Array, source: string): TensorRecord {
  const { dtype } = t.storage;
  const n = count(t.size);
  const contiguous = t.size.every((d, i) => d === 1 || t.stride[i] === count(t.size.slice(i + 1)));
  const w = BYTES[dtype];
  if (contiguous) {
    const part = raw.subarray(t.offset * w, (t.offset + n) * w);
    return { dtype, shape: t.size, data: decodeTensorBytes(part, dtype, n, source, name) };
  }
  // A strided view (a transposed tensor saved as is): gather it in row-major order.
  const all = decodeTensorBytes(raw, dtype, t.storage.numel, source, name) as Float32Array;
  const data = new Float32Array(n);
  const index = new Array<number>(t.size.length).fill(0);
  for (let i = 0; i < n; i++) {
    let at = t.offset;
    for (let d = 0; d < index.length; d++) at += index[d] * t.stride[d];
    data[i] = all[at];
    for (let d = index.length - 1; d >= 0; d--) {
      if (++index[d] < t.size[d]) break;
      index[d] = 0;
    }
  }
  return { dtype, shape: t.size, data };
}

/**
 * A checkpoint `torch.load` reads, as `torch.save` of the dict would have written it:
 * float32 tensors, each in its own storage, entries stored uncompressed under
 * `<archive>/`. `archive` is the folder name inside the zip (torch uses the file name).
 */
export function writeTorchCheckpoint(
  tensors: ReadonlyMap<string, WritableTensor>,
  archive: string,
): Uint8Array {
  if (!/^[A-Za-z0-9_.-]+$/.test(archive))
    throw new Error(`writeTorchCheckpoint: archive name "${archive}" must be a plain file name`);
  const list = [...tensors.entries()];
  const files: Record<string, Uint8Array> = {
    [`${archive}/data.pkl`]: writeStateDictPickle(
      list.map(([name, t], i) => ({ name, key: String(i), shape: t.shape })),
    ),
    [`${archive}/byteorder`]: new TextEncoder().encode('little'),
  };
  list.forEach(([name, t], i) => {
    if (t.dtype !== 'F32' || t.data.length !== count(t.shape))
      throw new Error(
        `writeTorchCheckpoint: tensor "${name}" must be F32 with ${count(t.shape)} elements`,
      );
    files[`${archive}/data/${i}`] = new Uint8Array(Float32Array.from(t.data).buffer);
  });
  files[`${archive}/version`] = new TextEncoder().encode('3\n');
  return zipSync(files, { level: 0 });
}
