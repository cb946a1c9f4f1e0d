// Runs the same computation on the `cpu` and `native` backends and compares.
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@rrm/random';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { NativeBackend } from '../src/index.js';
import { registerNativeBackend } from '../src/index.js';
import { nativeKernels } from '../src/register.js';

registerNativeBackend();

export interface Data {
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
  values: Float32Array | Int32Array | Uint8Array;
}

/** Seeded inputs: normal floats, ints in [lo, hi), bools. */
export class Inputs {
  private rng: Rng;
  constructor(seed: number) {
    this.rng = new Rng(seed);
  }
  float(shape: number[], map: (v: number) => number = (v) => v): Data {
    const values = Float32Array.from({ length: size(shape) }, () => map(this.rng.normal()));
    return { shape, dtype: 'float32', values };
  }
  int(shape: number[], lo: number, hi: number): Data {
    const values = Int32Array.from({ length: size(shape) }, () => lo + this.rng.int(hi - lo));
    return { shape, dtype: 'int32', values };
  }
  bool(shape: number[]): Data {
    const values = Uint8Array.from({ length: size(shape) }, () => this.rng.int(2));
    return { shape, dtype: 'bool', values };
  }
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function tensor(d: Data): tf.Tensor {
  return tf.tensor(d.values, d.shape, d.dtype);
}

interface Result {
  shape: number[];
  dtype: string;
  values: number[];
}

export function runOn(
  backend: 'cpu' | 'native',
  inputs: Data[],
  fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
): Result[] {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const out = fn(...inputs.map(tensor));
    return (Array.isArray(out) ? out : [out]).map((t) => ({
      shape: t.shape,
      dtype: t.dtype,
      values: Array.from(t.dataSync() as ArrayLike<number>),
    }));
  });
}

/** Asserts `fn` gives the same shapes, dtypes and values (floats within tolerance) on both backends. */
export function expectSameOnBoth(
  inputs: Data[],
  fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
  tolerance = 1e-5,
): void {
  const expected = runOn('cpu', inputs, fn);
  const actual = runOn('native', inputs, fn);
  expect(actual.length).toBe(expected.length);
  for (const [k, want] of expected.entries()) {
    const got = actual[k];
    expect(got.shape).toEqual(want.shape);
    expect(got.dtype).toBe(want.dtype);
    expect(got.values.length).toBe(want.values.length);
    for (let i = 0; i < want.values.length; i++) {
      const w = want.values[i];
      const g = got.values[i];
      if (Number.isNaN(w)) {
        expect(g, `output ${k}[${i}]`).toBeNaN();
      } else if (Math.abs(g - w) > tolerance * (1 + Math.abs(w))) {
        expect.fail(`output ${k}[${i}]: native ${g}, cpu ${w} (shape ${want.shape})`);
      }
    }
  }
}

/**
 * Whether the native kernel computes `kernelName` for these inputs itself
 * rather than declining to the cpu kernel.
 */
export function handledNatively(
  kernelName: string,
  inputs: Record<string, Data>,
  attrs: Record<string, unknown> = {},
): boolean {
  tf.setBackend('native');
  const backend = tf.backend() as NativeBackend;
  return tf.tidy(() => {
    const tensors = Object.fromEntries(Object.entries(inputs).map(([k, d]) => [k, tensor(d)]));
    const out = nativeKernels[kernelName]({ inputs: tensors, backend, attrs: attrs as never });
    if (out === null) return false;
    for (const t of Array.isArray(out) ? out : [out]) backend.disposeData(t.dataId);
    return true;
  });
}
