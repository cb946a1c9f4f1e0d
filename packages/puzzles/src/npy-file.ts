/** Streaming .npy files on disk (Node): row-wise reads and appends, constant memory. */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import type { RowSource } from './dataset.js';
import {
  BYTES_PER_ELEMENT,
  elementCount,
  encodeNpyHeader,
  type NpyArray,
  type NpyDtype,
  NpyFormatError,
  type NpyHeader,
  parseNpyHeader,
  typedArrayFor,
} from './npy.js';

function readHeader(fd: number, path: string): NpyHeader {
  for (let size = 256; ; size *= 4) {
    const buf = new Uint8Array(size);
    const got = readSync(fd, buf, 0, size, 0);
    const header = parseNpyHeader(buf.subarray(0, got), path);
    if (header) return header;
    if (got < size) throw new NpyFormatError(path, 'truncated header');
  }
}

const SCAN_BYTES = 4 << 20;

/** An open .npy file. Read whole (small index arrays) or a row at a time (inputs, labels). */
export class NpyFile implements RowSource {
  readonly header: NpyHeader;
  readonly numRows: number;
  readonly rowLength: number;
  private fd: number | null;
  private readonly rowBytes: Uint8Array;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
    try {
      this.header = readHeader(this.fd, path);
      const { shape, dtype, dataOffset } = this.header;
      const expected = dataOffset + elementCount(shape) * BYTES_PER_ELEMENT[dtype];
      const actual = fstatSync(this.fd).size;
      if (actual < expected) {
        throw new NpyFormatError(
          path,
          `file has ${actual} bytes, shape [${shape.join(', ')}] of ${dtype} needs ${expected}`,
        );
      }
    } catch (e) {
      this.close();
      throw e;
    }
    const shape = this.header.shape;
    this.numRows = shape.length === 0 ? 1 : shape[0];
    this.rowLength = elementCount(shape.slice(1));
    this.rowBytes = new Uint8Array(this.rowLength * BYTES_PER_ELEMENT[this.header.dtype]);
  }

  get dtype(): NpyDtype {
    return this.header.dtype;
  }

  private handle(): number {
    if (this.fd === null) throw new Error(`${this.path}: file already closed`);
    return this.fd;
  }

  readAll(): NpyArray {
    const { dtype, shape, dataOffset } = this.header;
    const n = elementCount(shape);
    const bytes = new Uint8Array(n * BYTES_PER_ELEMENT[dtype]);
    for (let done = 0; done < bytes.length; ) {
      const got = readSync(this.handle(), bytes, done, bytes.length - done, dataOffset + done);
      if (got === 0) throw new NpyFormatError(this.path, 'unexpected end of file');
      done += got;
    }
    return { dtype, shape, data: typedArrayFor(dtype, bytes.buffer, 0, n) };
  }

  readRow(row: number, out: Int32Array, offset: number): void {
    if (!(row >= 0 && row < this.numRows))
      throw new RangeError(`${this.path}: row ${row} outside [0, ${this.numRows})`);
    const { dtype, dataOffset } = this.header;
    const bytes = this.rowBytes;
    readSync(this.handle(), bytes, 0, bytes.length, dataOffset + row * bytes.length);
    const values = typedArrayFor(dtype, bytes.buffer, 0, this.rowLength);
    if (values instanceof BigInt64Array) {
      for (let i = 0; i < values.length; i++) out[offset + i] = Number(values[i]);
    } else {
      out.set(values, offset);
    }
  }

  scan(visit: (values: ArrayLike<number>, first: number) => void): void {
    const { dtype, shape, dataOffset } = this.header;
    const per = BYTES_PER_ELEMENT[dtype];
    const total = elementCount(shape);
    const chunk = Math.max(1, Math.floor(SCAN_BYTES / per));
    const bytes = new Uint8Array(chunk * per);
    for (let first = 0; first < total; first += chunk) {
      const n = Math.min(chunk, total - first);
      const got = readSync(this.handle(), bytes, 0, n * per, dataOffset + first * per);
      if (got < n * per) throw new NpyFormatError(this.path, 'unexpected end of file');
      const values = typedArrayFor(dtype, bytes.buffer, 0, n);
      visit(values instanceof BigInt64Array ? Array.from(values, Number) : values, first);
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * Writes a .npy file whose final shape is known up front: the header goes first,
 * rows are appended through a buffer, and `close` checks that the count matches.
 */
export class NpyWriter {
  private fd: number;
  private readonly buffer: Uint8Array;
  private used = 0;
  private written = 0;
  private readonly total: number;
  private readonly bytesPer: number;

  constructor(
    readonly path: string,
    readonly dtype: NpyDtype,
    readonly shape: number[],
    bufferBytes = 1 << 20,
  ) {
    this.total = elementCount(shape);
    this.bytesPer = BYTES_PER_ELEMENT[dtype];
    this.buffer = new Uint8Array(Math.max(bufferBytes, this.bytesPer));
    this.fd = openSync(path, 'w');
    writeSync(this.fd, encodeNpyHeader(dtype, shape));
  }

  /** Append elements given in C order (a row, several rows, or a whole 1-D array). */
  append(values: ArrayLike<number>): void {
    if (this.written + values.length > this.total) {
      throw new Error(
        `${this.path}: more than the ${this.total} elements of shape [${this.shape.join(', ')}]`,
      );
    }
    if (values instanceof Uint8Array && this.bytesPer === 1 && this.dtype !== 'int8') {
      this.writeBytes(values);
      this.written += values.length;
      return;
    }
    const typed = typedArrayFor(
      this.dtype,
      new ArrayBuffer(values.length * this.bytesPer),
      0,
      values.length,
    );
    if (typed instanceof BigInt64Array) {
      for (let i = 0; i < values.length; i++) typed[i] = BigInt(values[i]);
    } else {
      typed.set(values);
    }
    this.writeBytes(new Uint8Array(typed.buffer));
    this.written += values.length;
  }

  private writeBytes(bytes: Uint8Array): void {
    for (let pos = 0; pos < bytes.length; ) {
      const n = Math.min(this.buffer.length - this.used, bytes.length - pos);
      this.buffer.set(bytes.subarray(pos, pos + n), this.used);
      this.used += n;
      pos += n;
      if (this.used === this.buffer.length) this.flush();
    }
  }

  private flush(): void {
    for (let off = 0; off < this.used; )
      off += writeSync(this.fd, this.buffer, off, this.used - off);
    this.used = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
    if (this.written !== this.total) {
      throw new Error(
        `${this.path}: wrote ${this.written} elements, shape [${this.shape.join(', ')}] needs ${this.total}`,
      );
    }
  }
}

/** Write a whole in-memory array. */
export function writeNpyFile(path: string, array: NpyArray): void {
  const w = new NpyWriter(path, array.dtype, array.shape);
  if (array.data instanceof BigInt64Array) w.append(Array.from(array.data, Number));
  else w.append(array.data);
  w.close();
}

export function readNpyFile(path: string): NpyArray {
  const f = new NpyFile(path);
  try {
    return f.readAll();
  } finally {
    f.close();
  }
}
