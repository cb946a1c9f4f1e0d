// Run from the repo root: pnpm exec tsx --conditions=source packages/layers/examples/block.ts
// The one example on a fixed backend: @rrm/backend depends (through the native backend's
// tests) on this package, so it cannot be a dependency here; the other examples use
// selectBackend('auto').
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@rrm/random';
import * as tf from '@tensorflow/tfjs-core';
import {
  AdamATan2,
  Attention,
  Module,
  postNorm,
  RotaryEmbedding,
  readSafetensors,
  SwiGLU,
  stablemaxCrossEntropy,
  writeSafetensors,
} from '../src/index';

await tf.setBackend('cpu');

/** A post-norm transformer block named like the reference: self_attn.qkv_proj.weight, ... */
class Block extends Module {
  readonly attn: Attention;
  readonly mlp: SwiGLU;

  constructor(hidden: number, heads: number, rng: Rng) {
    super();
    const attention = new Attention({
      hiddenSize: hidden,
      headDim: hidden / heads,
      numHeads: heads,
      rng,
    });
    this.attn = this.child('self_attn', attention);
    this.mlp = this.child('mlp', new SwiGLU(hidden, 4, { rng }));
  }

  /** x [B, S, H] -> [B, S, H] */
  apply(x: tf.Tensor, rope: RotaryEmbedding): tf.Tensor {
    return tf.tidy(() =>
      postNorm(
        postNorm(x, (h) => this.attn.apply(h, rope)),
        (h) => this.mlp.apply(h),
      ),
    );
  }
}

const rng = new Rng(0);
const block = new Block(32, 2, rng);
const rope = new RotaryEmbedding(16, 10);
for (const [name, v] of block.namedParameters('layers.0.')) console.log(`${name} [${v.shape}]`);

// A few training steps on random labels with the HRM/TRM loss and optimiser.
const x = tf.randomNormal([2, 10, 32], 0, 1, 'float32', 1);
const labels = tf.randomUniformInt([2, 10], 0, 32, 2);
const opt = new AdamATan2({ lr: 1e-3, weightDecay: 0.1 });
const params = block.parameters();
for (let step = 0; step < 3; step++) {
  const { value, grads } = tf.variableGrads(
    () => tf.mean(stablemaxCrossEntropy(block.apply(x, rope), labels, -100)) as tf.Scalar,
    params,
  );
  opt.step(
    params,
    params.map((p) => grads[p.name]),
  );
  console.log(
    `step ${step}: loss ${value.dataSync()[0].toFixed(4)}, live tensors ${tf.memory().numTensors}`,
  );
  tf.dispose([value, ...Object.values(grads)]);
}

// Save and reload the weights as safetensors bytes (works in the browser too).
const bytes = writeSafetensors(
  Object.fromEntries(
    [...block.stateDict()].map(([n, v]) => [
      n,
      { dtype: 'F32' as const, shape: v.shape, data: v.dataSync() },
    ]),
  ),
);
block.loadStateDict(readSafetensors(bytes, 'block.safetensors').tensors, {
  source: 'block.safetensors',
});
console.log(`round-tripped ${bytes.byteLength} bytes`);
