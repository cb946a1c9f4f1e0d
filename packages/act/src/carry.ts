import * as tf from '@tensorflow/tfjs-core';

/** One batch of puzzles: int32 tensors; labels are `IGNORE_LABEL_ID` where not scored. */
export type ActBatch = {
  inputs: tf.Tensor2D; // [B, S]
  labels: tf.Tensor2D; // [B, S]
  puzzle_identifiers: tf.Tensor1D; // [B]
};

/** The recurrent latents, puzzle-embedding positions included. */
export type Latents = {
  zH: tf.Tensor3D; // [B, P+S, D]
  zL: tf.Tensor3D; // [B, P+S, D]
};

/**
 * Everything that survives from one supervision step to the next: the latents,
 * how many steps each sequence has taken, whether it halted, and the data it is
 * working on (a halted sequence picks up new data at the next step).
 */
export type ActCarry = Latents & {
  steps: tf.Tensor1D; // int32 [B]
  halted: tf.Tensor1D; // bool [B]
  data: ActBatch;
};

/**
 * A carry in which every sequence is halted, so the first step loads the batch and
 * resets the latents. The placeholder latents and data are never read.
 */
export function initialCarry(
  batchSize: number,
  seqLen: number,
  totalLen: number,
  hidden: number,
): ActCarry {
  return {
    zH: tf.zeros([batchSize, totalLen, hidden]),
    zL: tf.zeros([batchSize, totalLen, hidden]),
    steps: tf.zeros([batchSize], 'int32'),
    halted: tf.ones([batchSize], 'bool'),
    data: {
      inputs: tf.zeros([batchSize, seqLen], 'int32'),
      labels: tf.zeros([batchSize, seqLen], 'int32'),
      puzzle_identifiers: tf.zeros([batchSize], 'int32'),
    },
  };
}

export function disposeCarry(carry: ActCarry): void {
  tf.dispose([carry.zH, carry.zL, carry.steps, carry.halted, carry.data.inputs]);
  tf.dispose([carry.data.labels, carry.data.puzzle_identifiers]);
}

/** Selects rows of `fresh` where `reset` [B] is true, rows of `old` elsewhere. */
function selectRows<T extends tf.Tensor>(reset: tf.Tensor1D, fresh: tf.Tensor, old: T): T {
  const shape = [reset.shape[0], ...old.shape.slice(1).map(() => 1)];
  return tf.where(tf.reshape(reset, shape), fresh, old) as T;
}

export type ResetCarry = Latents & {
  steps: tf.Tensor1D;
  data: ActBatch;
};

/**
 * Start of a supervision step: halted sequences restart from `H_init`/`L_init`
 * with a zero step count and the incoming batch's data.
 */
export function resetCarry(
  carry: ActCarry,
  batch: ActBatch,
  H_init: tf.Tensor, // [D]
  L_init: tf.Tensor, // [D]
): ResetCarry {
  const reset = carry.halted;
  if (batch.inputs.shape[0] !== reset.shape[0]) {
    throw new Error(
      `ACT step: batch has ${batch.inputs.shape[0]} sequences but the carry holds ${reset.shape[0]}`,
    );
  }
  return {
    zH: selectRows(reset, H_init, carry.zH),
    zL: selectRows(reset, L_init, carry.zL),
    steps: selectRows(reset, tf.zerosLike(carry.steps), carry.steps),
    data: {
      inputs: selectRows(reset, batch.inputs, carry.data.inputs),
      labels: selectRows(reset, batch.labels, carry.data.labels),
      puzzle_identifiers: selectRows(
        reset,
        batch.puzzle_identifiers,
        carry.data.puzzle_identifiers,
      ),
    },
  };
}
