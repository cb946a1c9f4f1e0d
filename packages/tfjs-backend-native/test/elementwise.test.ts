import * as tf from '@tensorflow/tfjs-core';
import { Fill, OnesLike, ZerosLike } from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type Data, expectSameOnBoth, handledNatively, Inputs } from './compare.js';

const gen = new Inputs(7);

// Shape pairs covering equal shapes, trailing/leading/middle broadcasting,
// scalars, size-0 dimensions, and sizes large enough to be split over threads.
const shapePairs: Array<[number[], number[]]> = [
  [
    [3, 4],
    [3, 4],
  ],
  [[2, 3, 4], [4]],
  [
    [2, 1, 4],
    [1, 3, 1],
  ],
  [
    [2, 3, 4, 5],
    [3, 1, 5],
  ],
  [[], [5]],
  [[5], []],
  [[], []],
  [[0, 3], [3]],
  [
    [4, 0],
    [1, 1],
  ],
  [[300, 257], [257]],
  [
    [64, 1],
    [1, 2048],
  ],
];

const positive = (v: number) => Math.abs(v) + 0.5;

const floatBinary: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, boolean]> = [
  ['add', tf.add, false],
  ['sub', tf.sub, false],
  ['mul', tf.mul, false],
  ['div', tf.div, true],
  ['maximum', tf.maximum, false],
  ['minimum', tf.minimum, false],
  ['pow', tf.pow, true],
  ['squaredDifference', tf.squaredDifference, false],
  ['atan2', tf.atan2, false],
  ['floorDiv', tf.floorDiv, true],
  ['mod', tf.mod, true],
  ['equal', tf.equal, false],
  ['notEqual', tf.notEqual, false],
  ['less', tf.less, false],
  ['lessEqual', tf.lessEqual, false],
  ['greater', tf.greater, false],
  ['greaterEqual', tf.greaterEqual, false],
];

describe('binary ops with broadcasting', () => {
  it.each(floatBinary)('%s on float32', (_, op, positiveB) => {
    for (const [sa, sb] of shapePairs) {
      const a = gen.float(sa, positiveB ? positive : undefined);
      const b = gen.float(sb, positiveB ? positive : undefined);
      expectSameOnBoth([a, b], op, 1e-5);
    }
  });

  it.each([
    ['add', tf.add],
    ['sub', tf.sub],
    ['mul', tf.mul],
    ['maximum', tf.maximum],
    ['minimum', tf.minimum],
    ['squaredDifference', tf.squaredDifference],
    ['equal', tf.equal],
    ['less', tf.less],
  ] as const)('%s on int32', (_, op) => {
    for (const [sa, sb] of shapePairs.slice(0, 9)) {
      expectSameOnBoth([gen.int(sa, -50, 50), gen.int(sb, -50, 50)], op);
    }
  });

  it.each([
    ['floorDiv', tf.floorDiv],
    ['mod', tf.mod],
  ] as const)('%s on int32, negative operands and zero divisors included', (_, op) => {
    for (const [sa, sb] of shapePairs) {
      expectSameOnBoth([gen.int(sa, -50, 50), gen.int(sb, -7, 8)], op, 0);
    }
  });

  it('pow on int32, negative bases and exponents included', () => {
    for (const [sa, sb] of shapePairs) {
      expectSameOnBoth([gen.int(sa, -12, 13), gen.int(sb, -3, 9)], tf.pow, 0);
    }
  });

  it('int32 floorDiv, mod and pow at the edges of the range: wrapping, x/0, 0^-n', () => {
    const edges = [-2147483648, -2147483647, -65536, -7, -1, 0, 1, 7, 46341, 65536, 2147483647];
    const col = (v: number[]): Data => ({
      shape: [v.length, 1],
      dtype: 'int32',
      values: Int32Array.from(v),
    });
    const row = (v: number[]): Data => ({
      shape: [1, v.length],
      dtype: 'int32',
      values: Int32Array.from(v),
    });
    expectSameOnBoth([col(edges), row(edges)], (a, b) => [tf.floorDiv(a, b), tf.mod(a, b)], 0);
    for (const kernel of ['FloorDiv', 'Mod']) {
      expect(handledNatively(kernel, { a: col(edges), b: row(edges) })).toBe(true);
    }
    // Results below 2^53 wrap modulo 2^32 like the cpu kernel's Int32Array stores.
    const bases = [-65536, -46341, -3, -2, -1, 0, 1, 2, 3, 46341, 65536, 94906267];
    const small = { a: col([-2, -1, 0, 1, 2]), b: row([-5, -1, 0, 1, 30, 31, 32, 33, 52]) };
    expectSameOnBoth([small.a, small.b], tf.pow, 0);
    expect(handledNatively('Pow', small)).toBe(true);
    expectSameOnBoth([col(bases), row([0, 1, 2, 3])], tf.pow, 0);
    // Beyond 2^53 the low bits come from V8's pow rounding: the cpu kernel runs.
    expect(handledNatively('Pow', { a: col([3]), b: row([34]) })).toBe(false);
    expectSameOnBoth([col(bases), row([-2, -1, 0, 1, 2, 3, 31, 32, 33, 52])], tf.pow, 0);
  });

  it('splits large broadcasts over threads with the same result', () => {
    const a = gen.float([3, 70_000]);
    const b = gen.float([70_000]);
    expectSameOnBoth([a, b], (x, y) => [tf.add(x, y), tf.mul(x, y), tf.less(x, y)]);
    expectSameOnBoth([gen.float([140_000]), gen.float([])], (x, y) => tf.sub(x, y));
    expectSameOnBoth([gen.float([64, 1]), gen.float([1, 2048])], (x, y) => tf.div(x, y));
    expectSameOnBoth(
      [gen.int([3, 70_000], -1000, 1000), gen.int([70_000], -9, 10)],
      (x, y) => [tf.floorDiv(x, y), tf.mod(x, y), tf.pow(tf.mod(x, 50), tf.abs(tf.mod(y, 4)))],
      0,
    );
  });

  it('compares equal values exactly, including NaN', () => {
    const a = {
      shape: [4],
      dtype: 'float32' as const,
      values: Float32Array.of(1, Number.NaN, 2, 3),
    };
    const b = {
      shape: [4],
      dtype: 'float32' as const,
      values: Float32Array.of(1, Number.NaN, 5, 3),
    };
    expectSameOnBoth([a, b], (x, y) => [tf.equal(x, y), tf.maximum(x, y), tf.notEqual(x, y)]);
  });

  it('logical and/or on bool', () => {
    for (const [sa, sb] of shapePairs.slice(0, 9)) {
      expectSameOnBoth([gen.bool(sa), gen.bool(sb)], (a, b) => [
        tf.logicalAnd(a, b),
        tf.logicalOr(a, b),
      ]);
    }
  });
});

const unary: Array<[string, (x: tf.Tensor) => tf.Tensor, ((v: number) => number)?]> = [
  ['abs', tf.abs],
  ['neg', tf.neg],
  ['exp', tf.exp],
  ['log', tf.log, positive],
  ['sqrt', tf.sqrt, positive],
  ['rsqrt', tf.rsqrt, positive],
  ['square', tf.square],
  ['sigmoid', tf.sigmoid],
  ['tanh', tf.tanh],
  ['relu', tf.relu],
  ['relu6', (x) => tf.relu6(tf.mul(x, 5))],
  ['elu', tf.elu],
  ['softplus', (x) => tf.softplus(tf.mul(x, 10))],
  ['log1p', tf.log1p, positive],
  ['expm1', tf.expm1],
  ['sin', tf.sin],
  ['cos', tf.cos],
  ['floor', tf.floor],
  ['ceil', tf.ceil],
  ['round', (x) => tf.round(tf.mul(x, 4))],
  ['sign', tf.sign],
  ['reciprocal', tf.reciprocal, positive],
  ['step', (x) => tf.step(x, 0.25)],
  ['leakyRelu', (x) => tf.leakyRelu(x, 0.1)],
  ['clipByValue', (x) => tf.clipByValue(x, -0.5, 0.7)],
  ['erf', tf.erf],
  ['selu', tf.selu],
  ['atan', tf.atan],
];

describe('unary ops', () => {
  it.each(unary)('%s', (_, op, map) => {
    for (const shape of [[7, 33], [], [0, 4], [40_000]]) {
      expectSameOnBoth([gen.float(shape, map)], op, 2e-6);
    }
  });

  it('keeps exp and sigmoid exact at the edges: overflow, underflow, denormals, NaN', () => {
    const edges = [-200, -103.5, -100, -90, -87.5, -1e-3, 0, 1e-3, 88, 88.7, 89, 100];
    const values = Float32Array.from([...edges, Number.NaN, Infinity, -Infinity]);
    const x = { shape: [values.length], dtype: 'float32' as const, values };
    expectSameOnBoth(
      [x],
      (t) => [tf.exp(t), tf.sigmoid(t), tf.softmax(tf.reshape(t, [3, 5]))],
      2e-6,
    );
  });

  it('rounds half-way cases to even like the cpu backend', () => {
    const x = {
      shape: [6],
      dtype: 'float32' as const,
      values: Float32Array.of(0.5, 1.5, 2.5, -0.5, -1.5, 3.2),
    };
    expectSameOnBoth([x], tf.round, 0);
  });
});

describe('cast, select, addN, oneHot, fill', () => {
  it('casts between float32, int32 and bool', () => {
    const f = gen.float([5, 7], (v) => v * 10);
    const i = gen.int([5, 7], -3, 3);
    const b = gen.bool([5, 7]);
    expectSameOnBoth([f, i, b], (x, y, z) => [
      tf.cast(x, 'int32'),
      tf.cast(x, 'bool'),
      tf.cast(y, 'float32'),
      tf.cast(y, 'bool'),
      tf.cast(z, 'float32'),
      tf.cast(z, 'int32'),
    ]);
  });

  it('selects elementwise, also with broadcast operands', () => {
    for (const dtype of ['float', 'int'] as const) {
      const make = (s: number[]) => (dtype === 'float' ? gen.float(s) : gen.int(s, 0, 9));
      expectSameOnBoth([gen.bool([4, 6]), make([4, 6]), make([4, 6])], (c, a, b) =>
        tf.where(c, a, b),
      );
      expectSameOnBoth([gen.bool([4, 1]), make([4, 6]), make([1, 6])], (c, a, b) =>
        tf.where(c, a, b),
      );
    }
    expectSameOnBoth([gen.bool([0, 2]), gen.float([0, 2]), gen.float([0, 2])], (c, a, b) =>
      tf.where(c, a, b),
    );
  });

  it('adds many tensors', () => {
    expectSameOnBoth(
      [gen.float([3, 50_000]), gen.float([3, 50_000]), gen.float([3, 50_000])],
      (a, b, c) => tf.addN([a, b, c]),
    );
    expectSameOnBoth([gen.float([])], (a) => tf.addN([a, a]));
  });

  it('one-hot encodes, leaving out-of-range indices all off', () => {
    expectSameOnBoth([gen.int([3, 4], -1, 7)], (i) => [
      tf.oneHot(i, 6),
      tf.oneHot(i, 6, 2, -1),
      tf.oneHot(i, 3, 1, 0, 'float32'),
    ]);
  });

  it('fills new tensors and the shapes and dtypes of others', () => {
    expectSameOnBoth(
      [gen.float([3, 40_000]), gen.int([2, 0, 3], 0, 5), gen.bool([4])],
      (f, i, b) => [
        tf.fill([2, 3], 1.5),
        tf.fill([4], 7, 'int32'),
        tf.fill([], -2),
        tf.fill([0, 5], 3),
        tf.fill([200, 300], 0.25),
        ...[f, i, b].flatMap((t) => [tf.zerosLike(t), tf.onesLike(t)]),
      ],
    );
    expect(handledNatively(Fill, {}, { shape: [2, 2], value: 1, dtype: 'int32' })).toBe(true);
    expect(handledNatively(ZerosLike, { x: gen.float([3]) })).toBe(true);
    expect(handledNatively(OnesLike, { x: gen.bool([3]) })).toBe(true);
    expect(handledNatively(Fill, {}, { shape: [1], value: 'a', dtype: 'string' })).toBe(false);
  });
});
