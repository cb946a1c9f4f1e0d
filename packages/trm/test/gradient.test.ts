import '@tensorflow/tfjs-backend-cpu';
import type { InnerOutput, Latents } from '@rrm/act';
import { expectTensorsClose } from '@rrm/layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTRM, type TRM } from '../src';
import { tiny } from './tiny';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('TRM gradient path', () => {
  const [B, S, P, D] = [tiny.batch_size, tiny.seq_len, tiny.puzzle_emb_len, tiny.hidden_size];
  const inputs = tf.randomUniform([B, S], 0, tiny.vocab_size, 'int32', 4) as tf.Tensor2D;
  const rows = tf.randomNormal([B, tiny.puzzle_emb_ndim], 0, 1, 'float32', 3) as tf.Tensor2D;
  const carry: Latents = {
    zH: tf.randomNormal([B, P + S, D], 0, 1, 'float32', 1) as tf.Tensor3D,
    zL: tf.randomNormal([B, P + S, D], 0, 1, 'float32', 2) as tf.Tensor3D,
  };
  /** A scalar reading every head. */
  const probe = (o: InnerOutput) =>
    tf.addN([
      tf.sum(tf.mul(o.logits, tf.randomNormal(o.logits.shape, 0, 1, 'float32', 5))),
      tf.sum(o.qHalt),
      tf.sum(o.qContinue),
    ]) as tf.Scalar;
  /** The probe's value and gradients (parameters, then puzzle rows) for a step from `start`. */
  const gradients = (model: TRM, start: Latents) =>
    tf.valueAndGrads(() => probe(model.inner.forward(start, inputs, rows)))([
      ...model.parameters(),
      rows,
    ]);

  it('is the last recursion started from constant latents: the T − 1 before add nothing', () => {
    // The same seed gives the same weights whatever the recursion depth.
    const [full, before, last] = [3, 2, 1].map((T) =>
      createTRM({ ...tiny, H_cycles: T }, { seed: 5 }),
    );
    // The latents after T − 1 = 2 recursions, as constants.
    const start = before.inner.forward(carry, inputs, rows).carry;
    const want = gradients(last, start);
    const got = gradients(full, carry);
    expectTensorsClose([got.value, ...got.grads], [want.value, ...want.grads], 1e-5);
    for (const m of [full, before, last]) m.dispose();
  });

  it('does not reach back through the carry: the new latents are detached', () => {
    const model = createTRM(tiny, { seed: 5 });
    expect(() =>
      tf.variableGrads(() => tf.sum(model.inner.forward(carry, inputs, rows).carry.zH)),
    ).toThrow(/Cannot find a connection/);
    model.dispose();
  });
});
