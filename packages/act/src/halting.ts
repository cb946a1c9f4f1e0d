import type { Rng } from '@rrm/random';
import * as tf from '@tensorflow/tfjs-core';

export interface HaltingConfig {
  halt_max_steps: number;
  halt_exploration_prob: number;
  /**
   * false: in training too every sequence runs all halt_max_steps steps (the halting head is
   * still trained, it only decides nothing), so every supervision step gets trained.
   */
  halt_in_training: boolean;
  /**
   * true: halt when q_halt > 0 (TRM's `no_ACT_continue`); false: Q-learning, halt
   * when q_halt > q_continue and learn q_continue from a bootstrapped target (HRM).
   */
  haltOnQHaltOnly: boolean;
}

/**
 * Exploration: with probability `halt_exploration_prob` a sequence must run at
 * least a uniformly drawn 2..halt_max_steps steps; 0 means no minimum.
 */
export function drawMinHaltSteps(rng: Rng, batchSize: number, config: HaltingConfig): Int32Array {
  const out = new Int32Array(batchSize);
  // As the reference: no exploration when there is only one step to take.
  if (config.halt_exploration_prob === 0 || config.halt_max_steps <= 1) return out;
  for (let b = 0; b < batchSize; b++) {
    if (rng.uniform() < config.halt_exploration_prob)
      out[b] = 2 + rng.int(config.halt_max_steps - 1);
  }
  return out;
}

export interface HaltInput {
  steps: tf.Tensor1D; // int32 [B], after this step
  qHalt: tf.Tensor1D; // [B]
  qContinue: tf.Tensor1D; // [B]
  /** Training-only: enables learned halting; evaluation always runs halt_max_steps. */
  train: boolean;
  minHaltSteps: Int32Array | null;
}

/**
 * The halting head's logit for "stop now", positive exactly when the halting rule says
 * stop: q_halt for TRM, q_halt − q_continue for HRM's Q-learning. Viewers that show where
 * a model would halt use it, so they apply the same rule as training.
 */
export function haltLogit(
  config: Pick<HaltingConfig, 'haltOnQHaltOnly'>,
  qHalt: tf.Tensor1D,
  qContinue: tf.Tensor1D,
): tf.Tensor1D {
  return config.haltOnQHaltOnly ? tf.clone(qHalt) : tf.sub(qHalt, qContinue);
}

/** Which sequences stop after this step (bool [B]). */
export function haltDecision(config: HaltingConfig, h: HaltInput): tf.Tensor1D {
  return tf.tidy((): tf.Tensor1D => {
    const isLastStep = tf.greaterEqual(h.steps, config.halt_max_steps);
    // With a single step there is nothing to decide.
    if (!h.train || !config.halt_in_training || config.halt_max_steps <= 1)
      return isLastStep as tf.Tensor1D;
    const wantsHalt = tf.greater(haltLogit(config, h.qHalt, h.qContinue), 0);
    const halted = tf.logicalOr(isLastStep, wantsHalt);
    if (!h.minHaltSteps) return halted as tf.Tensor1D;
    const minSteps = tf.tensor1d(h.minHaltSteps, 'int32');
    return tf.logicalAnd(halted, tf.greaterEqual(h.steps, minSteps)) as tf.Tensor1D;
  });
}

/**
 * Bootstrapped Q-learning target for q_continue (no replay buffer, no target
 * network): sigmoid of the next step's q_halt at the last step, else of
 * max(next q_halt, next q_continue).
 */
export function qContinueTarget(
  config: HaltingConfig,
  steps: tf.Tensor1D,
  nextQHalt: tf.Tensor1D,
  nextQContinue: tf.Tensor1D,
): tf.Tensor1D {
  return tf.tidy(() => {
    const isLastStep = tf.greaterEqual(steps, config.halt_max_steps);
    const next = tf.where(isLastStep, nextQHalt, tf.maximum(nextQHalt, nextQContinue));
    return tf.sigmoid(next) as tf.Tensor1D;
  });
}
