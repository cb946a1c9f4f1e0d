import { _FusedMatMul, BatchMatMul, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend, NativeKernel } from '../backend.js';
import { broadcastShape, broadcastStrides, sizeOf } from '../layout.js';
import { binaryInto, unaryInto } from './elementwise.js';

/**
 * a @ b over the last two dimensions, leading dimensions broadcast, through
 * sgemm; null unless both are float32.
 */
export function batchMatMul(
  backend: NativeBackend,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): TensorInfo | null {
  const av = backend.storage(a);
  const bv = backend.storage(b);
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || av === null || bv === null) return null;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const M = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const K = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const Kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const N = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (K !== Kb) {
    throw new Error(
      `Error in matMul: inner shapes (${K}) and (${Kb}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batch = broadcastShape(batchA, batchB);
  const batches = sizeOf(batch);
  const out = backend.allocate('float32', batches * M * N);
  if (sizeOf(batchB) === 1 && !transposeA) {
    // One right-hand matrix for every batch of a (a Linear layer on [B, S, H]):
    // a single sgemm over all rows of a.
    backend.native.matmul(
      av as Float32Array,
      bv as Float32Array,
      out,
      batches * M,
      N,
      K,
      false,
      transposeB,
      [0],
      [0],
    );
  } else {
    const sa = broadcastStrides(batchA, batch);
    const sb = broadcastStrides(batchB, batch);
    const aIdx = new Int32Array(batches);
    const bIdx = new Int32Array(batches);
    for (let k = 0; k < batches; k++) {
      let rem = k;
      for (let d = batch.length - 1; d >= 0; d--) {
        const i = rem % batch[d];
        rem = Math.floor(rem / batch[d]);
        aIdx[k] += i * sa[d];
        bIdx[k] += i * sb[d];
      }
    }
    backend.native.matmul(
      av as Float32Array,
      bv as Float32Array,
      out,
      M,
      N,
      K,
      transposeA,
      transposeB,
      aIdx,
      bIdx,
    );
  }
  return backend.output([...batch, M, N], 'float32', out);
}

const batchMatMulKernel: NativeKernel = ({ inputs, backend, attrs }) =>
  batchMatMul(
    backend,
    inputs.a,
    inputs.b,
    attrs.transposeA as boolean,
    attrs.transposeB as boolean,
  );

// Fused activations applied in place on the product; prelu stays with the cpu kernel.
const activations: Record<string, string | null> = {
  linear: null,
  relu: 'relu',
  relu6: 'relu6',
  elu: 'elu',
  sigmoid: 'sigmoid',
  leakyrelu: 'leakyRelu',
};

const fusedMatMul: NativeKernel = ({ inputs, backend, attrs }) => {
  const { a, b } = inputs;
  const bias = inputs.bias as TensorInfo | undefined;
  const activation = attrs.activation as string;
  const biasValues = bias === undefined ? null : backend.storage(bias);
  if (!(activation in activations)) return null;
  if (bias !== undefined && (bias.dtype !== 'float32' || biasValues === null)) return null;
  const product = batchMatMul(
    backend,
    a,
    b,
    attrs.transposeA as boolean,
    attrs.transposeB as boolean,
  );
  if (product === null) return null;
  const values = backend.storage(product) as Float32Array;
  if (bias !== undefined && biasValues !== null) {
    // The bias broadcasts onto the product (tf.fused.matMul checks the shapes).
    binaryInto(
      backend,
      'add',
      values,
      product.shape,
      biasValues,
      bias.shape,
      product.shape,
      values,
    );
  }
  const op = activations[activation];
  if (op !== null) unaryInto(backend, op, values, values, attrs.leakyreluAlpha as number);
  return product;
};

export const matmulKernels: Record<string, NativeKernel> = {
  [BatchMatMul]: batchMatMulKernel,
  [_FusedMatMul]: fusedMatMul,
};
