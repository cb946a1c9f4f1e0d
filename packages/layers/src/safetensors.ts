/**
 * safetensors on bytes: an 8-byte little-endian header length, a JSON header
 * `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?}`, then the
 * raw little-endian tensor data. Pure byte functions, so they run in browsers too;
 * file helpers live in the Node-only entry `@rrm/layers/node`.
 */

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I32' | 'I64' | 'U8' | 'BOOL';

/**
 * One tensor as read. F64 decodes to Float64Array (the reference stores some metrics that
 * way), F32/F16/BF16 to Float32Array, I32 and I64 to Int32Array (I64 values outside the
 * int32 range are an error), U8/BOOL to Uint8Array.
 */
export interface TensorRecord {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float64Array | Float32Array | Int32Array | Uint8Array;
}

/** What `writeSafetensors` accepts: float32 or int32 tensors. */
export interface WritableTensor {
  dtype: 'F32' | 'I32';
  shape: number[];
  data: Float32Array | Int32Array | ArrayLike<number>;
}

export interface SafetensorsFile {
  tensors: Map<string, TensorRecord>;
  metadata: Record<string, string>;
}

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('@rrm/layers safetensors: big-endian hosts are not supported');
}

const BYTES: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I32: 4,
  I64: 8,
  U8: 1,
  BOOL: 1,
};

/** Headers larger than this are refused before any JSON is parsed (the format's own cap). */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export class SafetensorsError extends Error {
  constructor(
    readonly source: string,
    message: string,
    readonly tensor?: string,
  ) {
    super(`${source}${tensor === undefined ? '' : `: tensor "${tensor}"`}: ${message}`);
    this.name = 'SafetensorsError';
  }
}

function isDtype(s: unknown): s is SafetensorsDtype {
  return typeof s === 'string' && Object.hasOwn(BYTES, s);
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/**
 * Little-endian tensor bytes of `dtype` as the record's data (a copy); shared with the
 * PyTorch checkpoint reader of `@rrm/checkpoint`, whose storages hold the same encodings.
 */
export function decodeTensorBytes(
  bytes: Uint8Array,
  dtype: SafetensorsDtype,
  count: number,
  source: string,
  name: string,
): TensorRecord['data'] {
  // Copy so the result is aligned and independent of the input buffer. Typed arrays use
  // the host byte order; every engine that runs TF.js is little-endian (checked below).
  const raw = new Uint8Array(bytes); // not .slice(): on a Node Buffer that is a view
  const view = new DataView(raw.buffer);
  switch (dtype) {
    case 'F64':
      return new Float64Array(raw.buffer);
    case 'F32':
      return new Float32Array(raw.buffer);
    case 'I32':
      return new Int32Array(raw.buffer);
    case 'F16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
      return out;
    }
    case 'BF16': {
      const out = new Float32Array(count);
      const word = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < count; i++) {
        word.setUint32(0, view.getUint16(2 * i, true) << 16, true);
        out[i] = word.getFloat32(0, true);
      }
      return out;
    }
    case 'I64': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = view.getBigInt64(8 * i, true);
        if (v > 2147483647n || v < -2147483648n) {
          throw new SafetensorsError(
            source,
            `I64 value ${v} at index ${i} does not fit int32`,
            name,
          );
        }
        out[i] = Number(v);
      }
      return out;
    }
    case 'U8':
    case 'BOOL':
      return raw;
  }
}

/**
 * Parse a safetensors byte buffer. `source` names the file in every error. Rejects a
 * truncated buffer, a header that is not the expected JSON, unknown dtypes, shapes whose
 * size disagrees with the byte range, and byte ranges that overlap, leave gaps or run
 * past the end.
 */
export function readSafetensors(bytes: Uint8Array, source = '<bytes>'): SafetensorsFile {
  if (bytes.byteLength < 8) {
    throw new SafetensorsError(source, `truncated: ${bytes.byteLength} bytes, need at least 8`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getBigUint64(0, true);
  if (headerLen > BigInt(Math.min(MAX_HEADER_BYTES, bytes.byteLength - 8))) {
    throw new SafetensorsError(
      source,
      `header length ${headerLen} exceeds the ${bytes.byteLength - 8} bytes after the length field (truncated or not a safetensors file)`,
    );
  }
  const n = Number(headerLen);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new SafetensorsError(source, `corrupt header: ${(e as Error).message}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new SafetensorsError(source, 'corrupt header: expected a JSON object');
  }
  const body = bytes.subarray(8 + n);
  const metadata: Record<string, string> = {};
  const entries: Array<{
    name: string;
    dtype: SafetensorsDtype;
    shape: number[];
    begin: number;
    end: number;
  }> = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (info === null || typeof info !== 'object') {
        throw new SafetensorsError(source, 'corrupt header: __metadata__ must be an object');
      }
      for (const [k, v] of Object.entries(info)) {
        if (typeof v !== 'string') {
          throw new SafetensorsError(source, `corrupt header: __metadata__.${k} must be a string`);
        }
        metadata[k] = v;
      }
      continue;
    }
    const rec = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (rec === null || typeof rec !== 'object') {
      throw new SafetensorsError(source, 'header entry is not an object', name);
    }
    if (!isDtype(rec.dtype)) {
      throw new SafetensorsError(
        source,
        `unsupported dtype ${JSON.stringify(rec.dtype)} (supported: ${Object.keys(BYTES).join(', ')})`,
        name,
      );
    }
    const shape = rec.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new SafetensorsError(
        source,
        `shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`,
        name,
      );
    }
    const offs = rec.data_offsets;
    if (
      !Array.isArray(offs) ||
      offs.length !== 2 ||
      !offs.every((o) => Number.isSafeInteger(o) && o >= 0) ||
      offs[1] < offs[0]
    ) {
      throw new SafetensorsError(
        source,
        `data_offsets must be [begin, end] with 0 <= begin <= end, got ${JSON.stringify(offs)}`,
        name,
      );
    }
    const [begin, end] = offs as [number, number];
    if (end > body.byteLength) {
      throw new SafetensorsError(
        source,
        `data_offsets [${begin}, ${end}] run past the ${body.byteLength} data bytes (truncated file?)`,
        name,
      );
    }
    const count = shape.reduce((a: number, b: number) => a * b, 1);
    if (count * BYTES[rec.dtype] !== end - begin) {
      throw new SafetensorsError(
        source,
        `shape [${shape.join(', ')}] of ${rec.dtype} needs ${count * BYTES[rec.dtype]} bytes but data_offsets span ${end - begin}`,
        name,
      );
    }
    entries.push({ name, dtype: rec.dtype, shape: shape as number[], begin, end });
  }
  // The format requires the byte ranges to tile the data section exactly.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of sorted) {
    if (e.begin < cursor) {
      throw new SafetensorsError(
        source,
        `data_offsets [${e.begin}, ${e.end}] overlap another tensor`,
        e.name,
      );
    }
    if (e.begin > cursor) {
      throw new SafetensorsError(
        source,
        `gap before data_offsets [${e.begin}, ${e.end}] (bytes ${cursor}..${e.begin} unused)`,
        e.name,
      );
    }
    cursor = e.end;
  }
  if (cursor !== body.byteLength) {
    throw new SafetensorsError(
      source,
      `${body.byteLength - cursor} trailing bytes after the last tensor`,
    );
  }
  const tensors = new Map<string, TensorRecord>();
  for (const e of entries) {
    const count = e.shape.reduce((a, b) => a * b, 1);
    tensors.set(e.name, {
      dtype: e.dtype,
      shape: e.shape,
      data: decodeTensorBytes(body.subarray(e.begin, e.end), e.dtype, count, source, e.name),
    });
  }
  return { tensors, metadata };
}

/**
 * Serialise tensors (F32 or I32) and optional string metadata. Tensors are laid out in
 * name order, so the same input always gives the same bytes.
 */
export function writeSafetensors(
  tensors: Record<string, WritableTensor> | Map<string, WritableTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const list = [...(tensors instanceof Map ? tensors.entries() : Object.entries(tensors))].sort(
    ([a], [b]) => (a < b ? -1 : a > b ? 1 : 0),
  );
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of list) {
    if (t.dtype !== 'F32' && t.dtype !== 'I32') {
      throw new SafetensorsError(
        '<write>',
        `can only write F32 or I32, got ${String(t.dtype)}`,
        name,
      );
    }
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0) || count !== t.data.length) {
      throw new SafetensorsError(
        '<write>',
        `shape [${t.shape.join(', ')}] has ${count} elements but data has ${t.data.length}`,
        name,
      );
    }
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + 4 * count] };
    offset += 4 * count;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data section starts 8-byte aligned.
  const encoded = new TextEncoder().encode(json);
  const pad = (8 - (encoded.byteLength % 8)) % 8;
  json += ' '.repeat(pad);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.byteLength;
  for (const [, t] of list) {
    const typed = t.dtype === 'F32' ? Float32Array.from(t.data) : Int32Array.from(t.data);
    out.set(new Uint8Array(typed.buffer), pos);
    pos += typed.byteLength;
  }
  return out;
}

/**
 * Look up a tensor and check its dtype and shape (`-1` in `shape` matches any size),
 * with an error that names the file and the tensor.
 */
export function expectTensor(
  file: SafetensorsFile,
  name: string,
  expected: { dtype?: SafetensorsDtype | SafetensorsDtype[]; shape?: number[] },
  source = '<bytes>',
): TensorRecord {
  const t = file.tensors.get(name);
  if (!t) throw new SafetensorsError(source, 'missing', name);
  if (expected.dtype !== undefined) {
    const ok = Array.isArray(expected.dtype) ? expected.dtype : [expected.dtype];
    if (!ok.includes(t.dtype)) {
      throw new SafetensorsError(source, `dtype ${t.dtype}, expected ${ok.join(' or ')}`, name);
    }
  }
  if (expected.shape !== undefined) {
    const s = expected.shape;
    if (s.length !== t.shape.length || s.some((d, i) => d !== -1 && d !== t.shape[i])) {
      throw new SafetensorsError(
        source,
        `shape [${t.shape.join(', ')}], expected [${s.join(', ')}]`,
        name,
      );
    }
  }
  return t;
}
