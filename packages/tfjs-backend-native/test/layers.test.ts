// @rrm/layers picks up the fused SwiGLU kernel when the active backend has it.
import '@tensorflow/tfjs-backend-cpu';
import { SwiGLU } from '@rrm/layers';
import { Rng } from '@rrm/random';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, test } from 'vitest';
import { registerNativeBackend, SWIGLU } from '../src/index.js';

registerNativeBackend();

/** Output and input/weight gradients of a SwiGLU block on one backend. */
async function run(backend: string) {
  await tf.setBackend(backend);
  const mlp = new SwiGLU(24, 4, { rng: new Rng(3) });
  const xs = Float32Array.from({ length: 2 * 5 * 24 }, (_, i) => Math.sin(i * 0.37));
  const x = tf.tensor3d(xs, [2, 5, 24]);
  let calls = 0;
  const spy = (name: string) => {
    if (name === SWIGLU) calls++;
  };
  const profile = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(mlp.apply(x))) as tf.Scalar);
    const out = [
      value.dataSync().slice(),
      ...Object.values(grads).map((g) => g.dataSync().slice()),
    ];
    value.dispose();
    tf.dispose(grads);
    return out;
  });
  for (const k of profile.kernels) spy(k.name);
  const values = profile.result as unknown as Float32Array[];
  x.dispose();
  mlp.dispose();
  return { values, calls };
}

describe('fused SwiGLU through @rrm/layers', () => {
  afterAll(() => tf.setBackend('cpu'));
  test('native runs the fused kernel and matches the composed cpu ops, gradients included', async () => {
    const cpu = await run('cpu');
    const native = await run('native');
    expect(cpu.calls).toBe(0);
    expect(native.calls).toBeGreaterThan(0);
    expect(native.values.length).toBe(cpu.values.length);
    native.values.forEach((v, i) => {
      const ref = cpu.values[i];
      const scale = Math.max(...ref.map(Math.abs));
      const err = Math.max(...v.map((a, j) => Math.abs(a - ref[j])));
      expect(err).toBeLessThan(1e-5 * scale + 1e-6);
    });
  });
});
