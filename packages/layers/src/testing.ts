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

/**
 * Throws unless `got[i]` equals `want[i]` for every i within `rtol` of the largest entry of
 * `want[i]` (at least `floor`, so an all-zero tensor is compared absolutely).
 */
export function expectTensorsClose(
  got: readonly tf.Tensor[],
  want: readonly tf.Tensor[],
  rtol: number,
  floor = 1e-3,
): void {
  if (got.length !== want.length) {
    throw new Error(`expectTensorsClose: ${got.length} tensors, expected ${want.length}`);
  }
  for (const [i, g] of got.entries()) {
    const a = g.dataSync();
    const b = want[i].dataSync();
    if (a.length !== b.length) {
      throw new Error(
        `expectTensorsClose: tensor ${i} has ${a.length} values, expected ${b.length}`,
      );
    }
    let scale = floor;
    let diff = 0;
    for (let j = 0; j < b.length; j++) {
      scale = Math.max(scale, Math.abs(b[j]));
      diff = Math.max(diff, Math.abs(a[j] - b[j]));
    }
    if (diff > rtol * scale) {
      throw new Error(
        `expectTensorsClose: tensor ${i} differs by ${diff}, more than ${rtol} × ${scale}`,
      );
    }
  }
}
