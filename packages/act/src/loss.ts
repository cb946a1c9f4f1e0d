import {
  binaryCrossEntropyWithLogits,
  noGrad,
  softmaxCrossEntropy,
  stablemaxCrossEntropy,
} from '@rrm/layers';
import { IGNORE_LABEL_ID } from '@rrm/puzzles';
import * as tf from '@tensorflow/tfjs-core';

export type LossType = 'stablemax_cross_entropy' | 'softmax_cross_entropy';

/**
 * Per-sequence correctness, computed without gradient: [B, 3] float32 with columns
 * (labelled tokens, correctly predicted labelled tokens, sequence exactly right).
 * A sequence with no labelled token counts as exactly right here, as in the
 * reference; the metrics below never count it because it is not "valid".
 */
export function sequenceCorrectness(logits: tf.Tensor3D, labels: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const mask = tf.notEqual(labels, IGNORE_LABEL_ID);
    const counts = tf.sum(tf.cast(mask, 'int32'), -1);
    const isCorrect = tf.logicalAnd(mask, tf.equal(tf.argMax(logits, -1), labels));
    const correct = tf.sum(tf.cast(isCorrect, 'int32'), -1);
    const exact = tf.equal(correct, counts);
    return tf.stack(
      [tf.cast(counts, 'float32'), tf.cast(correct, 'float32'), tf.cast(exact, 'float32')],
      1,
    ) as tf.Tensor2D;
  });
}

export interface ActLossInput {
  logits: tf.Tensor3D; // [B, S, V]
  labels: tf.Tensor2D; // int32 [B, S]
  qHalt: tf.Tensor1D; // [B]
  qContinue: tf.Tensor1D; // [B]
  /** Present for Q-learning halting (HRM): the bootstrapped q_continue target. */
  targetQContinue: tf.Tensor1D | null;
  /** From `sequenceCorrectness`, a constant. */
  correctness: tf.Tensor2D;
}

export interface ActLosses {
  /** lm_loss + 0.5 (q_halt_loss + q_continue_loss), summed over the batch. */
  loss: tf.Scalar;
  lmLoss: tf.Scalar;
  qHaltLoss: tf.Scalar;
  qContinueLoss: tf.Scalar;
}

/**
 * The deep-supervision loss of one step: cross-entropy over labelled tokens with
 * each sequence's sum divided by its count of labelled tokens (at least 1), plus
 * the halting head's binary cross-entropies. Differentiable in logits and q.
 */
export function actLoss(lossType: LossType, x: ActLossInput): ActLosses {
  const perToken =
    lossType === 'stablemax_cross_entropy' ? stablemaxCrossEntropy : softmaxCrossEntropy;
  const [counts, , exact] = tf.unstack(x.correctness, 1) as tf.Tensor1D[];
  const divisor = tf.reshape(tf.maximum(counts, 1), [-1, 1]);
  const lmLoss = tf.sum(tf.div(perToken(x.logits, x.labels, IGNORE_LABEL_ID), divisor));
  const qHaltLoss = tf.sum(binaryCrossEntropyWithLogits(x.qHalt, exact));
  const qContinueLoss = x.targetQContinue
    ? tf.sum(binaryCrossEntropyWithLogits(x.qContinue, x.targetQContinue))
    : tf.scalar(0);
  const loss = tf.add(lmLoss, tf.mul(0.5, tf.add(qHaltLoss, qContinueLoss)));
  return { loss, lmLoss, qHaltLoss, qContinueLoss } as ActLosses;
}

/** Metric sums over the sequences that halted this step and have a labelled token. */
export interface ActMetrics {
  count: number;
  accuracy: number;
  exact_accuracy: number;
  q_halt_accuracy: number;
  steps: number;
}

export const METRIC_NAMES = [
  'count',
  'accuracy',
  'exact_accuracy',
  'q_halt_accuracy',
  'steps',
] as const;

/** The metric sums as a float32 [5] tensor, in `METRIC_NAMES` order. */
export function actMetricSums(
  correctness: tf.Tensor2D,
  qHalt: tf.Tensor1D,
  halted: tf.Tensor1D,
  steps: tf.Tensor1D,
): tf.Tensor1D {
  return tf.tidy(() => {
    const [counts, correct, exact] = tf.unstack(correctness, 1) as tf.Tensor1D[];
    const valid = tf.cast(tf.logicalAnd(halted, tf.greater(counts, 0)), 'float32');
    const exactBool = tf.cast(exact, 'bool');
    const qHaltRight = tf.cast(tf.equal(tf.greaterEqual(qHalt, 0), exactBool), 'float32');
    const perSequence = [
      valid,
      tf.div(correct, tf.maximum(counts, 1)),
      exact,
      qHaltRight,
      tf.cast(steps, 'float32'),
    ];
    return tf.stack(perSequence.map((m) => tf.sum(tf.mul(valid, m)))) as tf.Tensor1D;
  });
}

/**
 * The reference's ACT loss head on one step: the loss, differentiable in the logits and
 * q-values, and (without gradient) its parts and the metric sums as one float32 tensor
 * `[loss, lm_loss, q_halt_loss, q_continue_loss, ...METRIC_NAMES]`.
 */
export function actLossHead(
  lossType: LossType,
  outputs: Omit<ActLossInput, 'labels' | 'correctness' | 'targetQContinue'> & {
    targetQContinue?: tf.Tensor1D;
  },
  carry: { halted: tf.Tensor1D; steps: tf.Tensor1D; data: { labels: tf.Tensor2D } },
): { loss: tf.Scalar; sums: tf.Tensor1D } {
  const labels = carry.data.labels;
  const correctness = noGrad(() => sequenceCorrectness(outputs.logits, labels));
  const targetQContinue = outputs.targetQContinue ?? null;
  const l = actLoss(lossType, { ...outputs, labels, targetQContinue, correctness });
  const sums = noGrad(() =>
    tf.concat([
      tf.stack([l.loss, l.lmLoss, l.qHaltLoss, l.qContinueLoss]),
      actMetricSums(correctness, outputs.qHalt, carry.halted, carry.steps),
    ]),
  );
  return { loss: l.loss, sums: sums as tf.Tensor1D };
}

export function toMetrics(sums: ArrayLike<number>): ActMetrics {
  const [count, accuracy, exact_accuracy, q_halt_accuracy, steps] = Array.from(sums);
  return { count, accuracy, exact_accuracy, q_halt_accuracy, steps };
}
