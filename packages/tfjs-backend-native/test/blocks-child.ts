// Run by blocks-asan.test.ts in a child process, on an addon built with AddressSanitizer:
// the block kernels, forward and gradients, against the blocks composed of other kernels,
// on shapes whose batch splits into whole and partial groups of rows.
import {
  Attention,
  fusedAttentionBlock,
  fusedMlpBlock,
  postNorm,
  RotaryEmbedding,
  SwiGLU,
  TokenMixingMLP,
} from '@rrm/layers';
import { Rng } from '@rrm/random';
import * as tf from '@tensorflow/tfjs-core';
import { registerNativeBackend } from '../src/index.js';

registerNativeBackend();
await tf.setBackend('native');
const rng = new Rng(3);

/** Largest difference of the output and every gradient, relative to each one's largest entry. */
function error(
  shape: [number, number, number],
  params: tf.Variable[],
  fused: (x: tf.Tensor) => tf.Tensor,
  composed: (x: tf.Tensor) => tf.Tensor,
): number {
  const h = tf.variable(tf.randomNormal(shape, 0, 1, 'float32', 7));
  const w = tf.randomNormal(shape, 0, 1, 'float32', 8);
  const run = (f: (x: tf.Tensor) => tf.Tensor) =>
    tf.tidy(() => {
      const y = tf.tidy(() => f(h)).dataSync();
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(f(h), w)), [h, ...params]);
      value.dispose();
      return [y, ...[h, ...params].map((v) => grads[v.name].dataSync())];
    });
  const [got, want] = [run(fused), run(composed)];
  tf.dispose([h, w]);
  let worst = 0;
  got.forEach((g, i) => {
    let scale = 0;
    let e = 0;
    for (let j = 0; j < g.length; j++) {
      scale = Math.max(scale, Math.abs(want[i][j]));
      e = Math.max(e, Math.abs(g[j] - want[i][j]));
    }
    worst = Math.max(worst, e / scale);
  });
  return worst;
}

const errors: Record<string, number> = {};
for (const [B, S] of [
  [5, 81],
  [1, 300],
]) {
  const mlpT = new TokenMixingMLP(S, 4, { rng });
  const mlp = new SwiGLU(16, 4, { rng });
  const params = [mlpT.gateUp.weight, mlpT.down.weight, mlp.gateUp.weight, mlp.down.weight];
  errors[`mlp B${B} S${S}`] = error(
    [B, S, 16],
    params,
    (x) => fusedMlpBlock(x, mlpT, mlp, 1e-5)!,
    (x) => postNorm(mlpT.mix(x), (y) => mlp.apply(y)),
  );
}
for (const [B, S, rope] of [
  [5, 64, false],
  [9, 30, true],
] as const) {
  const attn = new Attention({ hiddenSize: 16, headDim: 8, numHeads: 2, rng });
  const mlp = new SwiGLU(16, 4, { rng });
  const tables = rope ? new RotaryEmbedding(8, S) : null;
  const params = [attn.qkv.weight, attn.out.weight, mlp.gateUp.weight, mlp.down.weight];
  errors[`attention B${B} S${S}${rope ? ' RoPE' : ''}`] = error(
    [B, S, 16],
    params,
    (x) => fusedAttentionBlock(x, attn, mlp, tables, 1e-5)!,
    (x) =>
      postNorm(
        postNorm(x, (y) => attn.apply(y, tables ?? undefined)),
        (y) => mlp.apply(y),
      ),
  );
}
console.log(JSON.stringify({ errors }));
