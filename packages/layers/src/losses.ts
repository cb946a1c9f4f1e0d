import * as tf from '@tensorflow/tfjs-core';

/**
 * Per-token negative log-probability of `labels` under `logProbs` [..., V]; 0 where the
 * label is `ignoreIndex`. Returns [...] (the labels' shape).
 */
function pickNegLogProb(logProbs: tf.Tensor, labels: tf.Tensor, ignoreIndex: number): tf.Tensor {
  const vocab = logProbs.shape[logProbs.shape.length - 1];
  const valid = tf.notEqual(labels, ignoreIndex);
  const safeLabels = tf.where(valid, tf.cast(labels, 'int32'), tf.zeros(labels.shape, 'int32'));
  // A one-hot product rather than a gather, so the gradient is a plain dense tensor.
  const picked = tf.sum(tf.mul(logProbs, tf.oneHot(safeLabels, vocab)), -1);
  return tf.where(valid, tf.neg(picked), tf.zerosLike(picked));
}

/** `ignoreIndex`: the label value that is not scored (the batches' `IGNORE_LABEL_ID`). */
type PerTokenLoss = (logits: tf.Tensor, labels: tf.Tensor, ignoreIndex: number) => tf.Tensor;

/** A per-token cross-entropy from a log-normaliser over the last axis. */
function crossEntropy(name: string, logNormalise: (logits: tf.Tensor) => tf.Tensor): PerTokenLoss {
  return (logits, labels, ignoreIndex) => {
    const lead = logits.shape.slice(0, -1);
    if (lead.length !== labels.shape.length || lead.some((d, i) => d !== labels.shape[i])) {
      throw new Error(
        `${name}: logits [${logits.shape}] need labels [${lead}], got [${labels.shape}]`,
      );
    }
    return tf.tidy(() => pickNegLogProb(logNormalise(logits), labels, ignoreIndex));
  };
}

/**
 * log stablemax: with s(x) = 1/(1-x) for x < 0 and x + 1 otherwise, log(s(x) / Σ s(x)).
 * The branches are blended with a 0/1 step mask rather than `where`: TF.js cannot
 * differentiate through a comparison, and each branch only sees its own half of x, so
 * neither can produce inf/NaN in the gradient.
 */
export function logStablemax(logits: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const positive = tf.step(logits); // 1 where x > 0 (gradient 0)
    const s = tf.add(
      tf.mul(positive, tf.add(tf.maximum(logits, 0), 1)),
      tf.mul(tf.sub(1, positive), tf.reciprocal(tf.sub(1, tf.minimum(logits, 0)))),
    );
    return tf.sub(tf.log(s), tf.log(tf.sum(s, -1, true)));
  });
}

/**
 * Stablemax cross-entropy (HRM/TRM's default loss), per token, 0 where ignored.
 * The reference evaluates it in float64; here it is float32, which agrees with it to
 * about 1e-6 relative for logits of moderate size.
 * logits [..., V] float32, labels [...] int32 -> [...]
 */
export const stablemaxCrossEntropy = crossEntropy('stablemaxCrossEntropy', logStablemax);

/** Softmax cross-entropy, per token, 0 where ignored. logits [..., V], labels [...] -> [...] */
export const softmaxCrossEntropy = crossEntropy('softmaxCrossEntropy', (x) => tf.logSoftmax(x, -1));

/**
 * Elementwise binary cross-entropy of sigmoid(logits) against targets in [0, 1]:
 * softplus(x) - x·t, which is stable for large |x| and has the exact gradient
 * sigmoid(x) - t everywhere (including x = 0).
 */
export function binaryCrossEntropyWithLogits(logits: tf.Tensor, targets: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sub(tf.softplus(logits), tf.mul(logits, targets)));
}
