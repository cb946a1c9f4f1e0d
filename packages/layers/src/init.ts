import type { Rng } from '@rrm/random';
import * as tf from '@tensorflow/tfjs-core';

/** erf by its Maclaurin series; exact to double precision for the |x| <= 3 used here. */
function erf(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 100; n++) {
    term *= (-x * x) / n;
    const next = term / (2 * n + 1);
    sum += next;
    if (Math.abs(next) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

const BOUND = 2;

/**
 * Standard deviation of a unit normal truncated to [-2, 2]. JAX (and the reference's
 * `trunc_normal_init_`) divide the requested std by it so that the truncated samples
 * really have that std, which PyTorch's own `trunc_normal_` does not do.
 */
const TRUNCATED_STD = (() => {
  const z = erf(BOUND / Math.SQRT2); // probability mass inside [-2, 2]
  const pdf = Math.exp(-0.5 * BOUND * BOUND) / Math.sqrt(2 * Math.PI);
  return Math.sqrt(1 - (2 * BOUND * pdf) / z);
})();

/**
 * Truncated normal init as JAX does it: samples of N(0, 1) restricted to [-2, 2]
 * (by rejection, which has exactly the truncated distribution), scaled by
 * `std / TRUNCATED_STD` so the result has standard deviation `std`. `std = 0` gives zeros.
 */
export function truncNormal(shape: number[], std: number, rng: Rng): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  if (std !== 0) {
    const scale = std / TRUNCATED_STD;
    for (let i = 0; i < n; i++) {
      let x = rng.normal();
      while (x < -BOUND || x > BOUND) x = rng.normal();
      out[i] = x * scale;
    }
  }
  return tf.tensor(out, shape, 'float32');
}

/** LeCun std for a layer with `fanIn` inputs. */
export const lecunStd = (fanIn: number): number => 1 / Math.sqrt(fanIn);
