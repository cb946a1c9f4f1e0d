import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectSameOnBoth, Inputs, runOn } from './compare.js';

const gen = new Inputs(11);

describe('matmul', () => {
  // [a shape, b shape, transposeA, transposeB]
  const cases: Array<[number[], number[], boolean, boolean]> = [
    [[3, 5], [5, 4], false, false],
    [[5, 3], [5, 4], true, false],
    [[3, 5], [4, 5], false, true],
    [[5, 3], [4, 5], true, true],
    [[2, 3, 5], [5, 4], false, false],
    [[2, 3, 5], [2, 5, 4], false, false],
    [[1, 3, 5], [4, 5, 6], false, false],
    [[2, 4, 3, 5], [1, 5, 6], false, false],
    [[5, 3], [2, 4, 5], true, true],
    [[2, 5, 3], [1, 4, 5], true, true],
    [[3, 0], [0, 4], false, false],
    [[0, 5], [5, 4], false, false],
    [[2, 3, 5], [5, 0], false, false],
    [[300, 200], [200, 100], false, false],
    // Large enough to be cut into blocks of rows or (wider than tall) of columns.
    [[97, 140], [140, 251], false, false],
    [[140, 97], [251, 140], true, true],
    [[130, 200], [300, 130], true, true],
    [[301, 120], [77, 120], false, true],
  ];

  it.each(cases)('%j x %j (transposeA %s, transposeB %s)', (sa, sb, ta, tb) => {
    expectSameOnBoth([gen.float(sa), gen.float(sb)], (a, b) => tf.matMul(a, b, ta, tb), 1e-4);
  });

  it('broadcasts batch dimensions both ways', () => {
    // The cpu kernel mis-sizes [2, 1, ...] x [4, ...], so the reference
    // broadcasts the operands explicitly first.
    const a = gen.float([2, 1, 3, 5]);
    const b = gen.float([4, 5, 6]);
    const [want] = runOn('cpu', [a, b], (x, y) =>
      tf.matMul(tf.broadcastTo(x, [2, 4, 3, 5]), tf.broadcastTo(y, [2, 4, 5, 6])),
    );
    const [got] = runOn('native', [a, b], (x, y) => tf.matMul(x, y));
    expect(got.shape).toEqual([2, 4, 3, 6]);
    for (const [i, w] of want.values.entries()) expect(got.values[i]).toBeCloseTo(w, 4);
  });

  it('fuses bias and activation', () => {
    for (const activation of ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const) {
      expectSameOnBoth(
        [gen.float([2, 6, 8]), gen.float([8, 5]), gen.float([5])],
        (a, b, bias) => tf.fused.matMul({ a, b, bias, activation, leakyreluAlpha: 0.3 }),
        1e-4,
      );
    }
    expectSameOnBoth([gen.float([4, 8]), gen.float([5, 8])], (a, b) =>
      tf.fused.matMul({ a, b, transposeB: true, activation: 'relu' }),
    );
  });

  it('throws on mismatched inner dimensions', () => {
    expectSameOnBoth([gen.float([3, 5]), gen.float([5, 4])], (a, b) => {
      try {
        return tf.matMul(a, tf.transpose(b));
      } catch (e) {
        return tf.scalar((e as Error).message.includes('inner shapes') ? 1 : 0);
      }
    });
  });
});

describe('reductions', () => {
  const axesCases: Array<[number[], number | number[] | undefined]> = [
    [[4, 5, 6], undefined],
    [[4, 5, 6], 0],
    [[4, 5, 6], 1],
    [[4, 5, 6], -1],
    [
      [4, 5, 6],
      [0, 2],
    ],
    [
      [4, 5, 6],
      [1, 2],
    ],
    [
      [4, 1, 6],
      [0, 1],
    ],
    [
      [2, 3, 4, 5],
      [0, 2],
    ],
    [[0, 3], 1],
    [[3, 0], 0],
    [[], undefined],
    [[3000, 40], 0],
    [[40, 3000], 1],
  ];

  it.each(axesCases)('sum, mean, max, min, prod of %j over %j', (shape, axis) => {
    const x = gen.float(shape);
    const nonEmpty = shape.every((n) => n > 0);
    expectSameOnBoth(
      [x],
      (t) => [
        tf.sum(t, axis),
        tf.sum(t, axis, true),
        ...(nonEmpty ? [tf.mean(t, axis), tf.max(t, axis), tf.min(t, axis, true)] : []),
        tf.prod(tf.add(tf.mul(t, 0.1), 1), axis),
      ],
      1e-4,
    );
  });

  it('reduces int32 and bool', () => {
    expectSameOnBoth([gen.int([4, 5, 6], -9, 9)], (t) => [
      tf.sum(t, [0, 2]),
      tf.max(t, 1),
      tf.min(t),
      tf.prod(t, 2),
    ]);
    expectSameOnBoth([gen.bool([4, 5, 6])], (t) => [tf.any(t, 1), tf.all(t, [0, 2]), tf.any(t)]);
  });

  it('argMax and argMin pick the first extreme on any axis', () => {
    const ties = {
      shape: [2, 3],
      dtype: 'int32' as const,
      values: Int32Array.of(1, 3, 3, 2, 2, 0),
    };
    expectSameOnBoth([ties], (t) => [tf.argMax(t, 1), tf.argMin(t, 1), tf.argMax(t, 0)]);
    for (const axis of [0, 1, 2]) {
      expectSameOnBoth([gen.float([4, 5, 6])], (t) => [tf.argMax(t, axis), tf.argMin(t, axis)]);
    }
  });

  it('softmax and logSoftmax along the last axis', () => {
    for (const shape of [[4, 7], [2, 3, 10], [5], [0, 3], [2000, 64]]) {
      expectSameOnBoth([gen.float(shape, (v) => v * 5)], (t) => [tf.softmax(t), tf.logSoftmax(t)]);
    }
  });
});
