import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type {
  backend_util,
  DataId,
  DataType,
  NamedAttrMap,
  Rank,
  TensorBuffer,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon, Storage } from './addon.js';
import { BufferPool, type NativeDtype, type StorageOf, storageClassOf } from './pool.js';

/** Most bytes of disposed outputs kept for reuse; beyond it they go to the GC. */
const POOL_CAP_BYTES = 2048 * 2 ** 20;

/**
 * The `cpu` backend with the addon at hand: tensors live in the same typed
 * arrays, so every kernel without a native version runs the cpu one unchanged.
 * Native kernels draw outputs from a pool that takes buffers back on dispose.
 */
export class NativeBackend extends MathBackendCPU {
  readonly pool = new BufferPool(POOL_CAP_BYTES);

  constructor(readonly native: NativeAddon) {
    super();
    // The cpu backend greets Node users with advice to install tfjs-node; this
    // backend is the answer to that advice.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  /** The typed array holding `t`, or null for storage the native kernels do not read (complex, string). */
  storage(t: TensorInfo): Storage | null {
    const values = this.data.get(t.dataId).values;
    const expected = storageClassOf(t.dtype);
    return expected !== undefined && values instanceof expected ? (values as Storage) : null;
  }

  /** An uninitialised output array; the kernel must write every element. */
  allocate<D extends NativeDtype>(dtype: D, size: number): StorageOf[D] {
    return this.pool.allocate(dtype, size);
  }

  /** `allocate` for the dtype of `values`. */
  allocateLike(values: Storage, size = values.length): Storage {
    const dtype =
      values instanceof Float32Array ? 'float32' : values instanceof Int32Array ? 'int32' : 'bool';
    return this.allocate(dtype, size);
  }

  /** Wraps freshly computed `values` as a tensor of this backend. */
  output(shape: number[], dtype: DataType, values: Storage): TensorInfo {
    return this.makeTensorInfo(shape, dtype, values);
  }

  override write(values: backend_util.BackendValues, shape: number[], dtype: DataType): DataId {
    this.pool.retain(values);
    return super.write(values, shape, dtype);
  }

  override move(
    dataId: DataId,
    values: backend_util.BackendValues,
    shape: number[],
    dtype: DataType,
    refCount: number,
  ): void {
    this.pool.retain(values);
    super.move(dataId, values, shape, dtype, refCount);
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.has(dataId) ? this.data.get(dataId).values : undefined;
    const released = super.disposeData(dataId, force);
    if (values !== undefined && !this.data.has(dataId)) this.pool.release(values);
    return released;
  }

  /** A copy when the array is pooled, so callers of dataSync() keep their values. */
  override readSync(dataId: DataId): backend_util.BackendValues {
    const values = super.readSync(dataId);
    return this.pool.owns(values) ? (values as Storage).slice() : values;
  }

  /** Kernels read buffers while their inputs are alive: no copy needed. */
  override bufferSync<R extends Rank, D extends DataType>(t: TensorInfo): TensorBuffer<R, D> {
    const values = this.data.get(t.dataId).values;
    if (t.dtype === 'string' || !this.pool.owns(values)) return super.bufferSync(t);
    return tf.buffer(t.shape, t.dtype, values as Storage) as unknown as TensorBuffer<R, D>;
  }

  override dispose(): void {
    this.pool.clear();
    super.dispose();
  }
}

export type { NativeDtype, StorageOf } from './pool.js';

export function isNativeDtype(dtype: DataType): dtype is NativeDtype {
  return storageClassOf(dtype) !== undefined;
}

export interface KernelArgs {
  /** Kernel inputs by name; optional ones (a fused bias) may be absent. */
  inputs: Record<string, TensorInfo>;
  backend: NativeBackend;
  attrs: NamedAttrMap;
}

/**
 * A native kernel: returns null when it does not handle these inputs (a dtype
 * or attribute it has no loop for), and the registration falls back to the
 * cpu kernel.
 */
export type NativeKernel = (args: KernelArgs) => TensorInfo | TensorInfo[] | null;
