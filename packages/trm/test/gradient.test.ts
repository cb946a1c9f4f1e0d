import '@tensorflow/tfjs-backend-cpu';
import type { InnerOutput, Latents } from '@rrm/act';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTRM, type TRM, type TRMConfig } from '../src';

const tiny = {
  batch_size: 2,
  seq_len: 4,
  vocab_size: 5,
  num_puzzle_identifiers: 3,
  puzzle_emb_ndim: 6,
  puzzle_emb_len: 1,
  H_cycles: 3,
  L_cycles: 2,
  L_layers: 1,
  hidden_size: 8,
  expansion: 2,
  num_heads: 2,
  pos_encodings: 'rope',
  halt_max_steps: 2,
  halt_exploration_prob: 0,
  forward_dtype: 'float32',
} satisfies Partial<TRMConfig>;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const B = 2;
const L = tiny.seq_len + tiny.puzzle_emb_len;
const D = tiny.hidden_size;

/** A scalar that reads every head, with fixed random weights. */
function probe(out: InnerOutput): tf.Scalar {
  const w = tf.randomNormal(out.logits.shape, 0, 1, 'float32', 11);
  return tf.addN([
    tf.sum(tf.mul(out.logits, w)),
    tf.sum(out.qHalt),
    tf.sum(tf.mul(out.qContinue, 2)),
  ]) as tf.Scalar;
}

/** probe(forward) and its gradient with respect to every parameter and the puzzle rows. */
function gradients(model: TRM, carry: Latents, inputs: tf.Tensor2D, rows: tf.Tensor2D) {
  const { value, grads } = tf.valueAndGrads(() => probe(model.inner.forward(carry, inputs, rows)))([
    ...model.parameters(),
    rows,
  ]);
  return { value: value.dataSync()[0], grads: grads.map((g) => Array.from(g.dataSync())) };
}

describe('TRM gradient path', () => {
  const inputs = tf.tensor2d([1, 2, 3, 4, 4, 3, 2, 1], [B, tiny.seq_len], 'int32');
  const rows = tf.randomNormal([B, tiny.puzzle_emb_ndim], 0, 1, 'float32', 3) as tf.Tensor2D;
  const carry: Latents = {
    zH: tf.randomNormal([B, L, D], 0, 1, 'float32', 1) as tf.Tensor3D,
    zL: tf.randomNormal([B, L, D], 0, 1, 'float32', 2) as tf.Tensor3D,
  };

  it('is the last recursion started from constant latents: the T − 1 before add nothing', () => {
    // Same seed, same weights: the recursion depth does not change the initialisation.
    const [full, before, last] = [3, 2, 1].map((T) =>
      createTRM({ ...tiny, H_cycles: T }, { seed: 5 }),
    );
    expect(full.stateDict().get('inner.L_level.layers.0.mlp.down_proj.weight')!.dataSync()).toEqual(
      last.stateDict().get('inner.L_level.layers.0.mlp.down_proj.weight')!.dataSync(),
    );
    // The latents after T − 1 = 2 recursions, as constants.
    const start = before.inner.forward(carry, inputs, rows).carry;
    const want = gradients(last, start, inputs, rows);
    const got = gradients(full, carry, inputs, rows);
    expect(got.value).toBeCloseTo(want.value, 4);
    expect(got.grads.length).toBe(want.grads.length);
    for (const [i, g] of got.grads.entries()) {
      const scale = Math.max(1e-3, ...want.grads[i].map(Math.abs));
      const diff = Math.max(...g.map((v, j) => Math.abs(v - want.grads[i][j])));
      expect(diff / scale).toBeLessThan(1e-5);
    }
    for (const m of [full, before, last]) m.dispose();
  });

  it('does not reach back through the carry: the new latents are detached', () => {
    const model = createTRM(tiny, { seed: 5 });
    expect(() =>
      tf.variableGrads(() => tf.sum(model.inner.forward(carry, inputs, rows).carry.zH)),
    ).toThrow(/Cannot find a connection/);
    // The same latents before the detach do depend on the parameters (through the heads).
    const { grads } = tf.variableGrads(() => probe(model.inner.forward(carry, inputs, rows)));
    expect(Object.keys(grads).length).toBe(model.parameters().length);
    model.dispose();
  });
});
