/**
 * The NumPy `.npy` format (versions 1.0 and 2.0, little-endian, C order) as bytes.
 * Pure functions over Uint8Array so that they also run in the browser; the
 * streaming file reader and writer live in the Node entry.
 */

export type NpyDtype =
  | 'uint8'
  | 'int8'
  | 'uint16'
  | 'int16'
  | 'uint32'
  | 'int32'
  | 'int64'
  | 'float32'
  | 'float64'
  | 'bool';

export type NpyData =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigInt64Array
  | Float32Array
  | Float64Array;

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: NpyData;
}

export interface NpyHeader {
  dtype: NpyDtype;
  shape: number[];
  /** Byte offset of the first element. */
  dataOffset: number;
}

const DESCR: Record<NpyDtype, string> = {
  uint8: '|u1',
  int8: '|i1',
  bool: '|b1',
  uint16: '<u2',
  int16: '<i2',
  uint32: '<u4',
  int32: '<i4',
  int64: '<i8',
  float32: '<f4',
  float64: '<f8',
};

const FROM_DESCR = new Map<string, NpyDtype>(
  Object.entries(DESCR).flatMap(([dtype, descr]) => {
    const d = dtype as NpyDtype;
    // One-byte types may be written with either '|' or '<'; multi-byte little-endian with '<' or '='.
    return [descr, `<${descr.slice(1)}`, `=${descr.slice(1)}`, `|${descr.slice(1)}`].map(
      (s) => [s, d] as [string, NpyDtype],
    );
  }),
);

export const BYTES_PER_ELEMENT: Record<NpyDtype, number> = {
  uint8: 1,
  int8: 1,
  bool: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  int64: 8,
  float32: 4,
  float64: 8,
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export class NpyFormatError extends Error {
  constructor(source: string, message: string) {
    super(`${source}: ${message}`);
    this.name = 'NpyFormatError';
  }
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A typed array of the right kind over `buffer`, or freshly allocated for `length` elements. */
export function typedArrayFor(
  dtype: NpyDtype,
  buffer: ArrayBufferLike,
  byteOffset: number,
  length: number,
): NpyData {
  switch (dtype) {
    case 'uint8':
    case 'bool':
      return new Uint8Array(buffer, byteOffset, length);
    case 'int8':
      return new Int8Array(buffer, byteOffset, length);
    case 'uint16':
      return new Uint16Array(buffer, byteOffset, length);
    case 'int16':
      return new Int16Array(buffer, byteOffset, length);
    case 'uint32':
      return new Uint32Array(buffer, byteOffset, length);
    case 'int32':
      return new Int32Array(buffer, byteOffset, length);
    case 'int64':
      return new BigInt64Array(buffer, byteOffset, length);
    case 'float32':
      return new Float32Array(buffer, byteOffset, length);
    case 'float64':
      return new Float64Array(buffer, byteOffset, length);
  }
}

/** The header bytes numpy itself writes: padded with spaces to a multiple of 64 bytes. */
export function encodeNpyHeader(dtype: NpyDtype, shape: readonly number[]): Uint8Array {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0)
      throw new Error(`encodeNpyHeader: bad shape [${shape.join(', ')}]`);
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Version 1.0 stores the header length in 2 bytes; 2.0 in 4.
  for (const [major, lenBytes] of [
    [1, 2],
    [2, 4],
  ] as const) {
    const prefix = MAGIC.length + 2 + lenBytes;
    const total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
    const headerLen = total - prefix;
    if (lenBytes === 2 && headerLen > 0xffff) continue;
    const out = new Uint8Array(total);
    out.set(MAGIC, 0);
    out[6] = major;
    out[7] = 0;
    const view = new DataView(out.buffer);
    if (lenBytes === 2) view.setUint16(8, headerLen, true);
    else view.setUint32(8, headerLen, true);
    const text = dict.padEnd(headerLen - 1, ' ') + '\n';
    for (let i = 0; i < text.length; i++) out[prefix + i] = text.charCodeAt(i);
    return out;
  }
  throw new Error('encodeNpyHeader: header too long');
}

function parseDict(
  text: string,
  source: string,
): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new NpyFormatError(source, `malformed header ${JSON.stringify(text.trim())}`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isInteger(n) || n < 0) throw new NpyFormatError(source, `bad shape entry "${s}"`);
      return n;
    });
  return { descr, fortran: fortran === 'True', shape };
}

/**
 * Parse the header from the first bytes of a file. Returns null when `bytes` is
 * too short to hold the whole header (the caller reads more and retries).
 */
export function parseNpyHeader(bytes: Uint8Array, source = '<bytes>'): NpyHeader | null {
  if (bytes.length < 10) return null;
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i])
      throw new NpyFormatError(source, 'not a .npy file (bad magic string)');
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let prefix: number;
  let headerLen: number;
  if (major === 1) {
    prefix = 10;
    headerLen = view.getUint16(8, true);
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) return null;
    prefix = 12;
    headerLen = view.getUint32(8, true);
  } else {
    throw new NpyFormatError(source, `unsupported .npy version ${major}.${bytes[7]}`);
  }
  if (bytes.length < prefix + headerLen) return null;
  const text = new TextDecoder('latin1').decode(bytes.subarray(prefix, prefix + headerLen));
  const { descr, fortran, shape } = parseDict(text, source);
  const dtype = FROM_DESCR.get(descr);
  if (!dtype)
    throw new NpyFormatError(source, `unsupported dtype '${descr}' (big-endian or non-numeric)`);
  if (fortran && shape.filter((d) => d > 1).length > 1) {
    throw new NpyFormatError(source, 'Fortran-order arrays are not supported');
  }
  return { dtype, shape, dataOffset: prefix + headerLen };
}

/** Decode a whole .npy file held in memory. The data is copied so that it is aligned. */
export function decodeNpy(bytes: Uint8Array, source = '<bytes>'): NpyArray {
  const header = parseNpyHeader(bytes, source);
  if (!header) throw new NpyFormatError(source, 'truncated header');
  const n = elementCount(header.shape);
  const nbytes = n * BYTES_PER_ELEMENT[header.dtype];
  if (bytes.length < header.dataOffset + nbytes) {
    throw new NpyFormatError(
      source,
      `truncated data: expected ${nbytes} bytes for shape [${header.shape.join(', ')}], found ${bytes.length - header.dataOffset}`,
    );
  }
  const copy = bytes.slice(header.dataOffset, header.dataOffset + nbytes);
  return {
    dtype: header.dtype,
    shape: header.shape,
    data: typedArrayFor(header.dtype, copy.buffer, 0, n),
  };
}

export function encodeNpy(array: NpyArray): Uint8Array {
  const n = elementCount(array.shape);
  if (array.data.length !== n) {
    throw new Error(
      `encodeNpy: ${array.data.length} elements do not fill shape [${array.shape.join(', ')}]`,
    );
  }
  const header = encodeNpyHeader(array.dtype, array.shape);
  const body = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  const out = new Uint8Array(header.length + body.length);
  out.set(header, 0);
  out.set(body, header.length);
  return out;
}

/** Convert integer data to Int32Array (int64 checked for range), the dtype models consume. */
export function toInt32(data: NpyData, source = '<array>'): Int32Array {
  if (data instanceof Int32Array) return data;
  const out = new Int32Array(data.length);
  if (data instanceof BigInt64Array) {
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v > 2147483647n || v < -2147483648n)
        throw new NpyFormatError(source, `value ${v} at ${i} does not fit int32`);
      out[i] = Number(v);
    }
    return out;
  }
  if (data instanceof Float32Array || data instanceof Float64Array) {
    throw new NpyFormatError(source, 'expected an integer array, found floating point');
  }
  out.set(data);
  return out;
}
