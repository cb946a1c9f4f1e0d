import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs `step` once to warm up (lazily built caches may allocate), then `repeats` times,
 * and throws if the number of live tensors grew: a leak in a training or eval loop.
 */
export async function expectFlatTensorCount(
  step: () => void | Promise<void>,
  repeats: number,
): Promise<void> {
  await step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < repeats; i++) await step();
  const after = tf.memory().numTensors;
  if (after !== before) {
    throw new Error(
      `expectFlatTensorCount: live tensors went from ${before} to ${after} over ${repeats} steps (${(after - before) / repeats} per step leaked)`,
    );
  }
}
