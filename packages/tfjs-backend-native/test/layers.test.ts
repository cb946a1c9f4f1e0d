// @rrm/layers picks up the fused SwiGLU and RMS norm kernels when the active backend has them.
import '@tensorflow/tfjs-backend-cpu';
import { postNorm, SwiGLU } from '@rrm/layers';
import { Rng } from '@rrm/random';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, test } from 'vitest';
import { RMS_NORM, registerNativeBackend, SWIGLU } from '../src/index.js';

registerNativeBackend();

/** Output and input/weight gradients of a post-norm SwiGLU block on one backend. */
async function run(backend: string) {
  await tf.setBackend(backend);
  const mlp = new SwiGLU(24, 4, { rng: new Rng(3) });
  const xs = Float32Array.from({ length: 2 * 5 * 24 }, (_, i) => Math.sin(i * 0.37));
  const x = tf.tensor3d(xs, [2, 5, 24]);
  // A weighted sum: the plain sum of squares of a normalised output is constant in x.
  const w = tf.tensor3d(
    xs.map((v, i) => Math.cos(i * 0.11) + v),
    [2, 5, 24],
  );
  const profile = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(
      () =>
        tf.sum(
          tf.mul(
            postNorm(x, (h) => mlp.apply(h)),
            w,
          ),
        ) as tf.Scalar,
    );
    const out = [
      value.dataSync().slice(),
      ...Object.values(grads).map((g) => g.dataSync().slice()),
    ];
    value.dispose();
    tf.dispose(grads);
    return out;
  });
  const calls = (name: string) => profile.kernels.filter((k) => k.name === name).length;
  const values = profile.result as unknown as Float32Array[];
  tf.dispose([x, w]);
  mlp.dispose();
  return { values, swiglu: calls(SWIGLU), rmsNorm: calls(RMS_NORM) };
}

describe('fused kernels through @rrm/layers', () => {
  afterAll(() => tf.setBackend('cpu'));
  test('native runs the fused kernel and matches the composed cpu ops, gradients included', async () => {
    const cpu = await run('cpu');
    const native = await run('native');
    expect([cpu.swiglu, cpu.rmsNorm]).toEqual([0, 0]);
    expect([native.swiglu, native.rmsNorm]).toEqual([1, 1]);
    expect(native.values.length).toBe(cpu.values.length);
    native.values.forEach((v, i) => {
      const ref = cpu.values[i];
      const scale = Math.max(...ref.map(Math.abs));
      const err = Math.max(...v.map((a, j) => Math.abs(a - ref[j])));
      expect(err).toBeLessThan(1e-5 * scale + 1e-6);
    });
  });
});
