import '@tensorflow/tfjs-backend-cpu';
import type { InnerOutput, Latents } from '@rrm/act';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHRM, type HRM, type HRMConfig } from '../src';

// Learned positions, so the test can run one L update by hand without the rotary tables.
const tiny = {
  batch_size: 2,
  seq_len: 4,
  vocab_size: 5,
  num_puzzle_identifiers: 3,
  puzzle_emb_ndim: 8,
  H_cycles: 2,
  L_cycles: 2,
  H_layers: 1,
  L_layers: 1,
  hidden_size: 8,
  expansion: 2,
  num_heads: 2,
  pos_encodings: 'learned',
  halt_max_steps: 2,
  halt_exploration_prob: 0,
  forward_dtype: 'float32',
} satisfies Partial<HRMConfig>;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const B = 2;
const L = tiny.seq_len + 1; // ceil(puzzle_emb_ndim / hidden_size) = 1 prefix position
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

function gradients(model: HRM, carry: Latents, inputs: tf.Tensor2D, rows: tf.Tensor2D) {
  const { value, grads } = tf.valueAndGrads(() => probe(model.inner.forward(carry, inputs, rows)))([
    ...model.parameters(),
    rows,
  ]);
  return { value: value.dataSync()[0], grads: grads.map((g) => Array.from(g.dataSync())) };
}

describe('HRM one-step gradient', () => {
  const inputs = tf.tensor2d([1, 2, 3, 4, 4, 3, 2, 1], [B, tiny.seq_len], 'int32');
  const rows = tf.randomNormal([B, tiny.puzzle_emb_ndim], 0, 1, 'float32', 3) as tf.Tensor2D;
  const carry: Latents = {
    zH: tf.randomNormal([B, L, D], 0, 1, 'float32', 1) as tf.Tensor3D,
    zL: tf.randomNormal([B, L, D], 0, 1, 'float32', 2) as tf.Tensor3D,
  };

  it('is the last L and H updates started from constant latents', () => {
    // Same seed, same weights whatever the cycle counts.
    const full = createHRM(tiny, { seed: 5 });
    const firstCycle = createHRM({ ...tiny, H_cycles: 1 }, { seed: 5 });
    const lastUpdates = createHRM({ ...tiny, H_cycles: 1, L_cycles: 1 }, { seed: 5 });
    // Constants: zH after T − 1 = 1 H update, zL after T·n − 1 = 3 L updates.
    const start = tf.tidy(() => {
      const { zH, zL } = firstCycle.inner.forward(carry, inputs, rows).carry;
      const x = full.inner.inputEmbeddings(inputs, rows);
      return { zH, zL: full.inner.L_level.apply(zL, tf.add(zH, x) as tf.Tensor3D, null) };
    });
    const want = gradients(lastUpdates, start, inputs, rows);
    const got = gradients(full, carry, inputs, rows);
    expect(got.value).toBeCloseTo(want.value, 4);
    expect(got.grads.length).toBe(want.grads.length);
    for (const [i, g] of got.grads.entries()) {
      const scale = Math.max(1e-3, ...want.grads[i].map(Math.abs));
      const diff = Math.max(...g.map((v, j) => Math.abs(v - want.grads[i][j])));
      expect(diff / scale).toBeLessThan(1e-5);
    }
    for (const m of [full, firstCycle, lastUpdates]) m.dispose();
  });

  it('does not reach back through the carry: the new latents are detached', () => {
    const model = createHRM(tiny, { seed: 5 });
    expect(() =>
      tf.variableGrads(() => tf.sum(model.inner.forward(carry, inputs, rows).carry.zL)),
    ).toThrow(/Cannot find a connection/);
    model.dispose();
  });
});
