import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { DataType, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon, Storage } from './addon.js';

/**
 * The `cpu` backend with the addon at hand: tensors live in the same typed
 * arrays, so every kernel without a native version runs the cpu one unchanged.
 */
export class NativeBackend extends MathBackendCPU {
  constructor(readonly native: NativeAddon) {
    super();
    // The cpu backend greets Node users with advice to install tfjs-node; this
    // backend is the answer to that advice.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  /** The typed array holding `t`, or null for storage the native kernels do not read (complex, string). */
  storage(t: TensorInfo): Storage | null {
    const values = this.data.get(t.dataId).values;
    const expected = storageClass[t.dtype as keyof typeof storageClass];
    return expected !== undefined && values instanceof expected ? (values as Storage) : null;
  }

  /** Wraps freshly computed `values` as a tensor of this backend. */
  output(shape: number[], dtype: DataType, values: Storage): TensorInfo {
    return this.makeTensorInfo(shape, dtype, values);
  }
}

const storageClass = { float32: Float32Array, int32: Int32Array, bool: Uint8Array } as const;

type StorageOf = { float32: Float32Array; int32: Int32Array; bool: Uint8Array };

/**
 * An uninitialised typed array of the class the cpu backend uses for `dtype`,
 * for outputs a kernel overwrites completely. Skipping the zero fill of
 * `new Float32Array(n)` halves the memory traffic of elementwise kernels; small
 * arrays are zeroed anyway since that is as cheap.
 */
export function allocate<D extends NativeDtype>(dtype: D, size: number): StorageOf[D] {
  const Class = storageClass[dtype];
  const bytes = size * Class.BYTES_PER_ELEMENT;
  if (bytes < 4096) return new Class(size) as StorageOf[D];
  const block = Buffer.allocUnsafeSlow(bytes);
  return new Class(block.buffer, block.byteOffset, size) as StorageOf[D];
}

/** `allocate` for the dtype of `values`. */
export function allocateLike(values: Storage, size = values.length): Storage {
  const dtype =
    values instanceof Float32Array ? 'float32' : values instanceof Int32Array ? 'int32' : 'bool';
  return allocate(dtype, size);
}

export type NativeDtype = keyof typeof storageClass;

export function isNativeDtype(dtype: DataType): dtype is NativeDtype {
  return dtype in storageClass;
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
