import type { Storage } from './addon.js';

const storageClass = { float32: Float32Array, int32: Int32Array, bool: Uint8Array } as const;
export type NativeDtype = keyof typeof storageClass;
export type StorageOf = { float32: Float32Array; int32: Int32Array; bool: Uint8Array };

export function storageClassOf(dtype: string) {
  return storageClass[dtype as NativeDtype] as (typeof storageClass)[NativeDtype] | undefined;
}

/** Below this many bytes a zero-filled `new` array is as cheap as any reuse. */
const SMALL = 4096;

/**
 * Recycles kernel output buffers the moment TF.js disposes their tensor.
 *
 * Left to the garbage collector, freed outputs pile up between collections: a
 * TRM training step reached 2.5 GB RSS and every new output landed on fresh
 * pages (page faults plus the kernel's zeroing cost more than the arithmetic).
 * A buffer is reused only when it was allocated here and no stored tensor
 * references it any more, counting typed-array views other kernels make of it.
 * Readers outside the backend get copies (see NativeBackend.readSync), so no
 * one else can hold on to a recycled buffer.
 */
export class BufferPool {
  private readonly free = new Map<number, ArrayBuffer[]>();
  /** Stored tensors referencing each buffer allocated here. */
  private readonly users = new WeakMap<ArrayBufferLike, number>();
  private pooledBytes = 0;

  constructor(private readonly capBytes: number) {}

  /** An uninitialised array of `size` elements; callers overwrite all of it. */
  allocate<D extends NativeDtype>(dtype: D, size: number): StorageOf[D] {
    const Class = storageClass[dtype];
    const bytes = size * Class.BYTES_PER_ELEMENT;
    if (bytes < SMALL) return new Class(size) as StorageOf[D];
    let buffer = this.free.get(bytes)?.pop();
    if (buffer !== undefined) {
      this.pooledBytes -= bytes;
    } else {
      // Not zero-filled: halves the memory traffic of elementwise kernels.
      const block = Buffer.allocUnsafeSlow(bytes);
      buffer = block.buffer as ArrayBuffer;
    }
    this.users.set(buffer, 0);
    return new Class(buffer, 0, size) as StorageOf[D];
  }

  owns(values: unknown): boolean {
    return ArrayBuffer.isView(values) && this.users.has(values.buffer);
  }

  /** A stored tensor now references `values`. */
  retain(values: unknown): void {
    if (!this.owns(values)) return;
    const buffer = (values as Storage).buffer;
    this.users.set(buffer, this.users.get(buffer)! + 1);
  }

  /** A stored tensor referencing `values` was deleted. */
  release(values: unknown): void {
    if (!this.owns(values)) return;
    const buffer = (values as Storage).buffer as ArrayBuffer;
    const left = this.users.get(buffer)! - 1;
    this.users.set(buffer, left);
    if (left > 0 || this.pooledBytes + buffer.byteLength > this.capBytes) return;
    this.users.delete(buffer);
    const list = this.free.get(buffer.byteLength) ?? [];
    list.push(buffer);
    this.free.set(buffer.byteLength, list);
    this.pooledBytes += buffer.byteLength;
  }

  /** Bytes held for reuse. */
  get bytes(): number {
    return this.pooledBytes;
  }

  clear(): void {
    this.free.clear();
    this.pooledBytes = 0;
  }
}
