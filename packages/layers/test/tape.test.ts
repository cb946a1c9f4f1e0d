import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { detach, expectTensorsClose, noGrad, valueAndGradsWithAux } from '../src/index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('noGrad', () => {
  it('pauses the tape: its results are constants inside a gradient computation', () => {
    const w = tf.variable(tf.tensor1d([1, 2, 3]));
    const { value, grads } = tf.variableGrads(() => {
      const y = tf.mul(w, 2); // dy/dw = 2
      // Would add 3 * w to the gradient if it were differentiated; argMax/equal have
      // no gradient at all and would abort the backward pass.
      const c = noGrad(() => tf.add(tf.mul(w, 3), tf.cast(tf.equal(tf.argMax(w), 2), 'float32')));
      return tf.sum(tf.mul(y, c));
    });
    // c = 3w + 1 = [4, 7, 10]; loss = sum(2w * c) = 8 + 28 + 60
    expect(value.dataSync()[0]).toBeCloseTo(96);
    expect(values(grads[w.name])).toEqual([8, 14, 20]);
    tf.dispose([value, grads[w.name], w]);
  });

  it('returns records of tensors, including its own inputs, owned by the enclosing scope', () => {
    const a = tf.tensor1d([1, 2]);
    const before = tf.memory().numTensors;
    const kept = tf.tidy(() => {
      const r = noGrad(() => ({ same: a, sq: tf.square(a), pair: [tf.neg(a), a] }));
      expect(values(r.same)).toEqual([1, 2]);
      expect(values(r.sq)).toEqual([1, 4]);
      expect(values(r.pair[0])).toEqual([-1, -2]);
      return r.sq;
    });
    expect(a.isDisposed).toBe(false);
    expect(tf.memory().numTensors).toBe(before + 1); // only what the tidy returned
    kept.dispose();
    a.dispose();
  });
});

describe('detach', () => {
  it('cuts the gradient through a value while keeping it', () => {
    const w = tf.variable(tf.tensor1d([2]));
    const { grads } = tf.variableGrads(() => {
      const h = tf.mul(w, w);
      return tf.sum(tf.add(h, tf.mul(detach(h), w))); // d/dw (w² + c·w) with c = w² = 4
    });
    expect(values(grads[w.name])).toEqual([2 * 2 + 4]);
    expect(() => tf.variableGrads(() => tf.sum(detach(tf.mul(w, w))))).toThrow(
      /Cannot find a connection/,
    );
    tf.dispose([grads[w.name], w]);
  });
});

describe('valueAndGradsWithAux', () => {
  it('returns the gradients and the auxiliary tensors, leaking nothing else', () => {
    const x = tf.tensor1d([1, 2, 3]);
    const before = tf.memory().numTensors;
    const { value, aux, grads } = valueAndGradsWithAux(() => {
      const sq = tf.square(x);
      return { value: tf.sum(sq), aux: { sq, input: x } };
    }, [x]);
    expect(value.dataSync()[0]).toBe(14);
    expect(values(aux.sq)).toEqual([1, 4, 9]);
    expect(values(aux.input)).toEqual([1, 2, 3]);
    expect(values(grads[0])).toEqual([2, 4, 6]);
    tf.dispose([value, aux.sq, aux.input, ...grads]);
    expect(tf.memory().numTensors).toBe(before);
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });
});

describe('expectTensorsClose', () => {
  it('compares within a tolerance relative to the expected tensor', () => {
    const want = [tf.tensor1d([100, 1]), tf.zeros([2])];
    expect(() =>
      expectTensorsClose([tf.tensor1d([100.05, 1]), tf.zeros([2])], want, 1e-3),
    ).not.toThrow();
    expect(() => expectTensorsClose([tf.tensor1d([100.5, 1]), tf.zeros([2])], want, 1e-3)).toThrow(
      /tensor 0 differs by 0\.5/,
    );
    expect(() => expectTensorsClose([want[0], tf.fill([2], 0.01)], want, 1e-3)).toThrow(/tensor 1/);
    expect(() => expectTensorsClose([want[0]], want, 1e-3)).toThrow(/1 tensors, expected 2/);
  });
});
