// Run from the repo root: pnpm exec tsx --conditions=source packages/act/examples/loss-head.ts

import { actLoss, actMetricSums, haltDecision, sequenceCorrectness } from '@rrm/act';
import { selectBackend } from '@rrm/backend';
import * as tf from '@tensorflow/tfjs-core';

await selectBackend('auto'); // prints which backend it chose and why
// Two sequences of three tokens over a vocabulary of 4 (-100: not scored).
const logits = tf.tensor3d([
  [
    [0, 3, 0, 0],
    [0, 0, 3, 0],
    [3, 0, 0, 0],
  ],
  [
    [0, 0, 0, 3],
    [3, 0, 0, 0],
    [0, 0, 0, 0],
  ],
]);
const labels = tf.tensor2d(
  [
    [1, 2, 0],
    [3, 1, -100],
  ],
  undefined,
  'int32',
);
const qHalt = tf.tensor1d([2, -1]);
const qContinue = tf.tensor1d([0, 0]);

const correctness = sequenceCorrectness(logits, labels); // [labelled, correct, exact] per sequence
const l = actLoss('stablemax_cross_entropy', {
  logits,
  labels,
  qHalt,
  qContinue,
  targetQContinue: null,
  correctness,
});
console.log(
  'loss',
  l.loss.dataSync()[0],
  'lm',
  l.lmLoss.dataSync()[0],
  'q_halt',
  l.qHaltLoss.dataSync()[0],
);

// TRM-style halting in training: sequence 0 wants to stop (q_halt > 0), sequence 1 goes on.
const steps = tf.tensor1d([1, 1], 'int32');
const halted = haltDecision(
  { halt_max_steps: 16, halt_exploration_prob: 0, halt_in_training: true, haltOnQHaltOnly: true },
  { steps, qHalt, qContinue, train: true, minHaltSteps: null },
);
// count, accuracy, exact_accuracy, q_halt_accuracy, steps — over halted sequences only
console.log(
  'halted',
  await halted.data(),
  'metrics',
  await actMetricSums(correctness, qHalt, halted, steps).data(),
);
