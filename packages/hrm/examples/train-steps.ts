// Run from the repo root: pnpm exec tsx --conditions=source packages/hrm/examples/train-steps.ts

import { disposeCarry, disposeStep } from '@rrm/act';
import { selectBackend } from '@rrm/backend';
import { createHRM, hrmPreset } from '@rrm/hrm';
import { AdamATan2 } from '@rrm/layers';
import * as tf from '@tensorflow/tfjs-core';

await selectBackend('auto'); // prints which backend it chose and why
// The paper's architecture, shrunk to run in a second.
const config = hrmPreset(
  'v1',
  { batch_size: 2, seq_len: 6, vocab_size: 4, num_puzzle_identifiers: 1 },
  {
    hidden_size: 16,
    num_heads: 2,
    H_layers: 1,
    L_layers: 1,
    puzzle_emb_ndim: 0,
    halt_max_steps: 4,
  },
);
const model = createHRM(config, { seed: 1 });
console.log('parameters', model.parameterCount());

const batch = {
  inputs: tf.tensor2d(
    [
      [1, 2, 3, 1, 2, 3],
      [3, 2, 1, 3, 2, 1],
    ],
    undefined,
    'int32',
  ),
  labels: tf.tensor2d(
    [
      [1, 2, 3, 1, 2, 3],
      [3, 2, 1, 3, 2, 1],
    ],
    undefined,
    'int32',
  ),
  puzzle_identifiers: tf.tensor1d([0, 0], 'int32'),
};
const opt = new AdamATan2({ lr: 1e-3, beta1: 0.9, beta2: 0.95, weightDecay: 0.1 });
let carry = model.initialCarry(2);
for (let step = 1; step <= 20; step++) {
  const r = model.stepWithGrads(carry, batch); // includes the bootstrapped q_continue target
  opt.step(model.parameters(), r.grads);
  carry = r.carry;
  if (step % 5 === 0)
    console.log(step, 'loss', r.losses.loss.toFixed(3), 'halted', r.metrics.count);
  disposeStep(r);
}
disposeCarry(carry);
model.dispose();
