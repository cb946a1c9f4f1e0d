import '@tensorflow/tfjs-backend-cpu';
import type { InnerOutput, Latents } from '@rrm/act';
import { expectTensorsClose } from '@rrm/layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHRM, type HRM } from '../src';
import { tiny } from './tiny';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Learned positions, so the test can run one L update by hand without the rotary tables.
const config = { ...tiny, pos_encodings: 'learned' };

describe('HRM one-step gradient', () => {
  const [B, S, D] = [tiny.batch_size, tiny.seq_len, tiny.hidden_size];
  const L = S + 1; // ceil(puzzle_emb_ndim / hidden_size) = 1 prefix position
  const inputs = tf.randomUniform([B, S], 0, tiny.vocab_size, 'int32', 4) as tf.Tensor2D;
  const rows = tf.randomNormal([B, tiny.puzzle_emb_ndim], 0, 1, 'float32', 3) as tf.Tensor2D;
  const carry: Latents = {
    zH: tf.randomNormal([B, L, D], 0, 1, 'float32', 1) as tf.Tensor3D,
    zL: tf.randomNormal([B, L, D], 0, 1, 'float32', 2) as tf.Tensor3D,
  };
  /** A scalar reading every head, weighted unlike the TRM test's. */
  const probe = (o: InnerOutput) =>
    tf.sum(
      tf.concat([tf.reshape(tf.square(o.logits), [-1]), o.qHalt, tf.neg(o.qContinue)]),
    ) as tf.Scalar;
  const gradients = (model: HRM, start: Latents) =>
    tf.valueAndGrads(() => probe(model.inner.forward(start, inputs, rows)))([
      ...model.parameters(),
      rows,
    ]);

  it('is the last L and H updates started from constant latents', () => {
    // The same seed gives the same weights whatever the cycle counts.
    const full = createHRM(config, { seed: 5 });
    const firstCycle = createHRM({ ...config, H_cycles: 1 }, { seed: 5 });
    const lastUpdates = createHRM({ ...config, H_cycles: 1, L_cycles: 1 }, { seed: 5 });
    // Constants: zH after T − 1 = 1 H update, zL after T·n − 1 = 3 L updates.
    const start = tf.tidy(() => {
      const { zH, zL } = firstCycle.inner.forward(carry, inputs, rows).carry;
      const x = full.inner.inputEmbeddings(inputs, rows);
      return { zH, zL: full.inner.L_level.apply(zL, tf.add(zH, x) as tf.Tensor3D, null) };
    });
    const want = gradients(lastUpdates, start);
    const got = gradients(full, carry);
    expectTensorsClose([got.value, ...got.grads], [want.value, ...want.grads], 1e-5);
    for (const m of [full, firstCycle, lastUpdates]) m.dispose();
  });

  it('does not reach back through the carry: the new latents are detached', () => {
    const model = createHRM(config, { seed: 5 });
    expect(() =>
      tf.variableGrads(() => tf.sum(model.inner.forward(carry, inputs, rows).carry.zL)),
    ).toThrow(/Cannot find a connection/);
    model.dispose();
  });
});
