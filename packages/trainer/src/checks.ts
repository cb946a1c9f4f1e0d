/**
 * Checks that stop silent wrong results: weights that are not finite (a NaN weight
 * evaluates to 0 % without a word) and a model that does not fit the dataset it is given
 * (another vocabulary or sequence length trains or scores nonsense).
 */
import type { PuzzleDatasetMetadata } from '@rrm/puzzles';
import { ConfigError } from '@rrm/reasoning';
import * as tf from '@tensorflow/tfjs-core';

/** A weight holds NaN or ±Infinity. */
export class NonFiniteWeightsError extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
    this.name = 'NonFiniteWeightsError';
  }
}

/**
 * Sums of `v · 0`: 0 for finite tensors, NaN as soon as one entry is NaN or infinite.
 * Read asynchronously, as GPU backends (webgpu in Node) need.
 */
async function zeroSum(vs: tf.Tensor[]): Promise<number> {
  const sum = tf.tidy(() => tf.addN(vs.map((v) => tf.sum(tf.mul(v, 0)))));
  const [value] = await sum.data();
  sum.dispose();
  return value;
}

/**
 * The name of the first tensor that is not finite, or null. One reduction over all of
 * them, then one per tensor only when something is wrong: cheap enough for every step.
 */
export async function firstNonFinite(named: Array<[string, tf.Tensor]>): Promise<string | null> {
  if (named.length === 0 || Number.isFinite(await zeroSum(named.map(([, v]) => v)))) return null;
  for (const [name, v] of named) if (!Number.isFinite(await zeroSum([v]))) return name;
  return null;
}

/** Throws NonFiniteWeightsError naming `source` and the tensor when a weight is not finite. */
export async function checkFiniteWeights(
  named: Array<[string, tf.Tensor]>,
  source: string,
): Promise<void> {
  const bad = await firstNonFinite(named);
  if (bad !== null) {
    throw new NonFiniteWeightsError(
      bad,
      `${source}: weight "${bad}" holds NaN or infinite values; the model cannot give meaningful results`,
    );
  }
}

/**
 * The model's dataset keys (`arch.vocab_size`, `seq_len`, `num_puzzle_identifiers`, as the
 * trainer fills them in) against a dataset's metadata. `model` and `dataset` name both
 * sides in the error.
 */
export function checkModelFitsDataset(
  arch: Record<string, unknown>,
  metadata: PuzzleDatasetMetadata,
  names: { model: string; dataset: string },
): void {
  const against = `${names.model} against dataset ${names.dataset}`;
  for (const key of ['vocab_size', 'seq_len'] as const) {
    if (arch[key] !== undefined && arch[key] !== metadata[key]) {
      throw new ConfigError(
        `${against}: the model has ${key} ${arch[key]}, the dataset ${metadata[key]}; use the dataset it was trained on`,
      );
    }
  }
  const ids = arch.num_puzzle_identifiers;
  if (typeof ids === 'number' && metadata.num_puzzle_identifiers > ids) {
    throw new ConfigError(
      `${against}: the dataset has ${metadata.num_puzzle_identifiers} puzzle identifiers, the model's embedding only ${ids}`,
    );
  }
}
