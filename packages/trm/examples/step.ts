// Run from the repo root: pnpm exec tsx --conditions=source packages/trm/examples/step.ts

import { disposeCarry, disposeStep } from '@rrm/act';
import { selectBackend } from '@rrm/backend';
import { createTRM } from '@rrm/trm';
import * as tf from '@tensorflow/tfjs-core';

await selectBackend('auto'); // prints which backend it chose and why
const model = createTRM(
  {
    batch_size: 2,
    seq_len: 4,
    vocab_size: 5,
    num_puzzle_identifiers: 3,
    puzzle_emb_ndim: 8,
    puzzle_emb_len: 1,
    H_cycles: 2,
    L_cycles: 2,
    L_layers: 1,
    hidden_size: 8,
    expansion: 2,
    num_heads: 2,
    pos_encodings: 'rope',
    halt_max_steps: 4,
    halt_exploration_prob: 0.1,
  },
  { seed: 0 },
);
const batch = {
  inputs: tf.tensor2d(
    [
      [1, 2, 3, 4],
      [4, 3, 2, 1],
    ],
    undefined,
    'int32',
  ),
  labels: tf.tensor2d(
    [
      [2, 3, 4, 1],
      [1, 2, 3, -100],
    ],
    undefined,
    'int32',
  ), // -100 (IGNORE_LABEL_ID): not scored
  puzzle_identifiers: tf.tensor1d([0, 2], 'int32'),
};

// Training: loss, metrics and gradients of one step; the carry goes on to the next step.
let carry = model.initialCarry(2); // every sequence "halted": the first step loads the batch
const r = model.stepWithGrads(carry, batch);
console.log(r.losses, r.metrics); // { loss, lm_loss, q_halt_loss, q_continue_loss }, metric sums
// r.grads[i] is d loss / d model.parameters()[i]; the puzzle embedding's rows get
// r.puzzleEmbGrad = { ids, grad } for a sparse update of model.inner.puzzle_emb.weights.
carry = r.carry;
disposeStep(r);

// Evaluation: no gradient, every sequence runs exactly halt_max_steps steps.
const e = model.step(carry, batch, { train: false });
const answer = tf.argMax(e.outputs.logits, -1); // [B, S]
const halt = tf.sigmoid(e.outputs.qHalt); // [B], the model's confidence it is done
console.log(await answer.array(), await halt.data());
tf.dispose([answer, halt]);
disposeStep(e);
disposeCarry(e.carry);
model.dispose();
