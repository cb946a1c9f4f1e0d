import * as tf from '@tensorflow/tfjs-core';
import type { TensorRecord, WritableTensor } from './safetensors';

/** A TF.js tensor from a safetensors record: floats (F64 too) to float32, integers to int32, BOOL to bool. */
export function toTensor(record: TensorRecord): tf.Tensor {
  switch (record.dtype) {
    case 'F64':
      return tf.tensor(Float32Array.from(record.data), record.shape, 'float32');
    case 'F32':
    case 'F16':
    case 'BF16':
      return tf.tensor(record.data, record.shape, 'float32');
    case 'BOOL':
      return tf.tensor(record.data, record.shape, 'bool');
    default:
      return tf.tensor(Int32Array.from(record.data), record.shape, 'int32');
  }
}

/**
 * A writable record (a copy) of a tensor: float32 as F32, int32 and bool as I32. Read
 * asynchronously, as GPU backends need (webgpu in Node reads no other way).
 */
export async function fromTensor(t: tf.Tensor): Promise<WritableTensor> {
  const values = await t.data();
  if (t.dtype === 'float32')
    return { dtype: 'F32', shape: t.shape, data: (values as Float32Array).slice() };
  if (t.dtype === 'int32' || t.dtype === 'bool')
    return { dtype: 'I32', shape: t.shape, data: Int32Array.from(values as ArrayLike<number>) };
  throw new Error(
    `fromTensor: only float32, int32 and bool tensors can be written, got ${t.dtype}`,
  );
}

/**
 * Reads `tensors` to the host, so that synchronous reads of them that follow (`dataSync`,
 * `fromTensor`, a checkpoint writer) are served from the host copy that backends keep after
 * an asynchronous read. A no-op on CPU backends; on webgpu in Node, which cannot read a GPU
 * tensor synchronously, it is what lets synchronous writers run.
 */
export async function downloadValues(tensors: Iterable<tf.Tensor>): Promise<void> {
  await Promise.all([...tensors].map((t) => t.data()));
}
