// Run by own-gemm.test.ts in a process with RRM_NATIVE_GEMM=own: matmuls of every transpose
// and batch layout, and an attention layer's output and gradients, on native and on cpu.
// Prints the kernels that ran and each result's largest error relative to its scale.
import '@tensorflow/tfjs-backend-cpu';
import { Attention, RotaryEmbedding } from '@rrm/layers';
import { Rng } from '@rrm/random';
import * as tf from '@tensorflow/tfjs-core';
import { loadAddon } from '../src/addon.js';
import { registerNativeBackend } from '../src/index.js';

registerNativeBackend();
const rng = new Rng(3);
const normal = (shape: number[]) =>
  tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
    shape,
  );

// [a shape, b shape, transposeA, transposeB]: block edges of the kernel (12 rows, 32
// columns, 256 steps of k) and a broadcast batch.
const products: Array<[number[], number[], boolean, boolean]> = [
  [[37, 300], [300, 65], false, false],
  [[300, 37], [300, 65], true, false],
  [[37, 300], [65, 300], false, true],
  [[300, 37], [65, 300], true, true],
  [[3, 13, 33], [33, 40], false, false],
  [[2, 130, 70], [2, 70, 129], false, false],
];

async function on(backend: string, fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const out = fn();
  const values = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(out);
  return values;
}

function relativeError(got: Float32Array[], want: Float32Array[]): number {
  let worst = 0;
  got.forEach((v, i) => {
    const scale = Math.max(...want[i].map(Math.abs), 1e-6);
    for (let j = 0; j < v.length; j++) worst = Math.max(worst, Math.abs(v[j] - want[i][j]) / scale);
  });
  return worst;
}

const inputs = products.map(([a, b]) => [normal(a), normal(b)] as const);
const matmuls = () => inputs.map(([a, b], i) => tf.matMul(a, b, products[i][2], products[i][3]));

const x = normal([2, 70, 64]);
const attention = () => {
  const attn = new Attention({ hiddenSize: 64, headDim: 16, numHeads: 4, rng: new Rng(5) });
  const rope = new RotaryEmbedding(16, 70);
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(attn.apply(x, rope))));
  const out = [value, ...Object.values(grads)];
  rope.dispose();
  attn.dispose();
  return out;
};

const errors = {
  matmul: relativeError(await on('native', matmuls), await on('cpu', matmuls)),
  attention: relativeError(await on('native', attention), await on('cpu', attention)),
};
console.log(JSON.stringify({ gemmKernels: loadAddon().gemmKernels, errors }));
