import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type Data, expectSameOnBoth, handledNatively, Inputs, runOn } from './compare.js';

const gen = new Inputs(13);

describe('data movement', () => {
  it('transposes any permutation, any dtype', () => {
    for (const [shape, perm] of [
      [
        [3, 4],
        [1, 0],
      ],
      [
        [2, 3, 4],
        [2, 0, 1],
      ],
      [
        [2, 3, 4, 5],
        [0, 2, 1, 3],
      ],
      [
        [2, 0, 4],
        [1, 2, 0],
      ],
      [
        [32, 81, 128],
        [0, 2, 1],
      ],
    ] as Array<[number[], number[]]>) {
      expectSameOnBoth([gen.float(shape), gen.int(shape, 0, 9), gen.bool(shape)], (f, i, b) => [
        tf.transpose(f, perm),
        tf.transpose(i, perm),
        tf.transpose(b, perm),
      ]);
    }
  });

  it('slices and strided-slices, including negative strides and masks', () => {
    const x = gen.float([6, 7, 8]);
    expectSameOnBoth([x], (t) => [
      tf.slice(t, [1, 2, 3], [2, 3, 4]),
      tf.slice(t, [0, 4], [-1, 3]),
      tf.slice(t, [2, 0, 0], [0, 7, 8]),
      tf.stridedSlice(t, [1, 0, 1], [5, 7, 8], [2, 3, 2]),
      tf.stridedSlice(t, [5, 6, 7], [0, 0, 0], [-1, -2, -3]),
      tf.stridedSlice(t, [0, 1], [0, 3], [1, 1], 1, 1, 0, 0, 0),
      tf.stridedSlice(t, [0, 2], [6, 3], [1, 1], 0, 0, 0, 0, 2),
      tf.stridedSlice(t, [0, 0], [3, 2], [1, 1], 0, 0, 0, 1, 0),
    ]);
  });

  it('strided-slices a shrunk axis next to strided ones (where the cpu kernel mixes up axes)', () => {
    const [got] = runOn('native', [], () =>
      tf.stridedSlice(
        tf.reshape(tf.range(0, 336), [6, 7, 8]),
        [0, 5, 1],
        [6, 2, 8],
        [2, -1, 3],
        0,
        0,
        0,
        0,
        1,
      ),
    );
    // x[0, 5:2:-1, 1:8:3] with x[i, j, k] = 56 i + 8 j + k
    expect(got.shape).toEqual([3, 3]);
    expect(got.values).toEqual([41, 44, 47, 33, 36, 39, 25, 28, 31]);
  });

  it('concatenates, stacks, splits and unstacks', () => {
    const a = gen.float([2, 3, 4]);
    const b = gen.float([2, 5, 4]);
    const c = gen.float([2, 0, 4]);
    expectSameOnBoth([a, b, c], (x, y, z) => [
      tf.concat([x, y, z], 1),
      tf.concat([x, x], 0),
      tf.concat([x, x], -1),
      tf.stack([x, x, x], 1),
      ...tf.split(y, [1, 3, 1], 1),
      ...tf.split(x, 2, 2),
      ...tf.unstack(x, 1),
    ]);
    expectSameOnBoth([gen.int([3, 2], 0, 5), gen.bool([3, 2])], (i, b) => [
      tf.concat([i, i], 1),
      tf.concat([b, b], 0),
      ...tf.split(i, 2, 1),
    ]);
  });

  it('pads, tiles, reverses and broadcasts', () => {
    const x = gen.float([3, 4]);
    expectSameOnBoth([x, gen.int([2, 3], 0, 9)], (t, i) => [
      tf.pad(t, [
        [1, 2],
        [0, 3],
      ]),
      tf.pad(
        t,
        [
          [0, 0],
          [2, 2],
        ],
        1.5,
      ),
      tf.pad(
        i,
        [
          [1, 1],
          [1, 0],
        ],
        7,
      ),
      tf.tile(t, [2, 3]),
      tf.tile(i, [1, 2]),
      tf.reverse(t, 0),
      tf.reverse(t, [0, 1]),
      tf.broadcastTo(tf.reshape(t, [3, 1, 4]), [2, 3, 5, 4]),
      tf.broadcastTo(tf.scalar(3), [2, 2]),
    ]);
  });

  it('mirror-pads in reflect and symmetric modes, float32 and int32', () => {
    const cases: Array<[number[], Array<[number, number]>]> = [
      [[5], [[2, 4]]],
      [
        [4, 6],
        [
          [3, 1],
          [0, 5],
        ],
      ],
      [
        [2, 3, 4],
        [
          [1, 1],
          [2, 0],
          [3, 3],
        ],
      ],
      [
        [2, 1, 3, 3],
        [
          [0, 1],
          [0, 0],
          [2, 2],
          [1, 2],
        ],
      ],
      [
        [3, 0, 4],
        [
          [1, 2],
          [0, 0],
          [3, 0],
        ],
      ],
      [
        [16, 70, 70],
        [
          [0, 0],
          [5, 5],
          [3, 4],
        ],
      ],
    ];
    for (const [shape, paddings] of cases) {
      for (const mode of ['reflect', 'symmetric'] as const) {
        // reflect mirrors without the edge element, so pads stay below the size
        // (and tf.mirrorPad rejects it for a size-0 dimension).
        if (mode === 'reflect' && shape.includes(0)) continue;
        const p = paddings.map(([a, b], d): [number, number] =>
          mode === 'reflect' ? [Math.min(a, shape[d] - 1), Math.min(b, shape[d] - 1)] : [a, b],
        );
        const inputs = [gen.float(shape), gen.int(shape, -50, 50)];
        expectSameOnBoth(inputs, (f, i) => [tf.mirrorPad(f, p, mode), tf.mirrorPad(i, p, mode)], 0);
        expect(handledNatively('MirrorPad', { x: inputs[1] }, { paddings: p, mode })).toBe(true);
      }
    }
    expectSameOnBoth([gen.float([3, 4]), gen.float([6, 9])], (x, w) =>
      tf.grad((t: tf.Tensor) =>
        tf.sum(
          tf.mul(
            tf.mirrorPad(
              t,
              [
                [2, 1],
                [3, 2],
              ],
              'symmetric',
            ),
            w,
          ),
        ),
      )(x),
    );
  });

  it('scatters, summing duplicate indices in order like the cpu backend', () => {
    const ints = (shape: number[], v: number[]): Data => ({
      shape,
      dtype: 'int32',
      values: Int32Array.from(v),
    });
    const cases: Array<[Data, number[], number[]]> = [
      // [indices, updates shape, output shape]
      [gen.int([7, 1], 0, 4), [7, 3], [4, 3]],
      [gen.int([6], 0, 5), [6, 2, 2], [5, 2, 2]],
      [gen.int([5, 2], 0, 3), [5, 4], [3, 3, 4]],
      [gen.int([2, 4, 3], 0, 2), [2, 4], [2, 2, 2]],
      [gen.int([0, 2], 0, 3), [0, 5], [3, 3, 5]],
      [gen.int([4, 1], 0, 3), [4, 0], [3, 0]],
      // Out of range, but the output is empty: the cpu kernel never looks.
      [ints([2, 1], [9, -4]), [2, 0], [3, 0]],
      // Component 1 is out of range but the flattened row is not: accepted by the cpu kernel.
      [ints([2, 2], [0, 5, 1, -1]), [2], [3, 4]],
      // Large enough to be split over threads, with many duplicates.
      [gen.int([3000, 1], 0, 300), [3000, 240], [300, 240]],
    ];
    for (const [indices, updatesShape, shape] of cases) {
      const f = gen.float(updatesShape);
      const i = gen.int(updatesShape, -1000, 1000);
      expectSameOnBoth(
        [indices, f, i],
        (ix, u, v) => [tf.scatterND(ix, u, shape), tf.scatterND(ix, v, shape)],
        0,
      );
      expect(handledNatively('ScatterNd', { indices, updates: i }, { shape })).toBe(true);
    }
    // int32 sums wrap modulo 2^32 as the cpu kernel's Int32Array stores do.
    expectSameOnBoth([ints([3, 1], [1, 1, 1]), ints([3], [2147483647, 2, -5])], (ix, u) =>
      tf.scatterND(ix, u, [2]),
    );
  });

  it('fails on a scattered index out of range, naming the kernel and the index', () => {
    const run = (backend: 'cpu' | 'native') => () =>
      runOn(backend, [], () =>
        tf.scatterND(
          tf.tensor2d(
            [
              [0, 1],
              [2, 4],
            ],
            [2, 2],
            'int32',
          ),
          tf.ones([2]),
          [2, 4],
        ),
      );
    expect(run('cpu')).toThrow(/Invalid indices: 2,4/);
    expect(run('native')).toThrow('ScatterNd: the index [2, 4] does not index into shape [2, 4]');
  });

  it('gathers on any axis, and fails on out-of-range indices like the cpu backend', () => {
    const x = gen.float([5, 6, 7]);
    const idx = gen.int([3, 2], 0, 5);
    expectSameOnBoth([x, idx, gen.int([5, 6], 0, 9)], (t, i, ints) => [
      tf.gather(t, i),
      tf.gather(t, tf.clipByValue(i, 0, 4), 1),
      tf.gather(t, tf.tensor1d([6, 0, 6], 'int32'), 2),
      tf.gather(ints, tf.tensor1d([], 'int32'), 1),
      tf.gather(ints, i),
    ]);
    expectSameOnBoth([x], (t) => {
      try {
        return tf.gather(t, tf.tensor1d([5], 'int32'));
      } catch (e) {
        return tf.scalar((e as Error).message.includes('GatherV2') ? 1 : 0);
      }
    });
  });

  it('gathers with batch dimensions, checking indices like the cpu backend', () => {
    const x = gen.float([3, 4, 5, 6]);
    const ints = gen.int([3, 4, 5], -9, 9);
    expectSameOnBoth([x, gen.int([3, 2], 0, 4), gen.int([3, 4, 2], 0, 5), ints], (t, i1, i2, n) => [
      tf.gather(t, i1, 1, 1),
      tf.gather(t, tf.clipByValue(i1, 0, 3), 3, 1),
      tf.gather(t, i2, 2, 2),
      tf.gather(t, i2, 2, -1),
      tf.gather(n, i2, 2, 2),
      tf.gather(n, tf.reshape(i1, [3, 2, 1]), 2, 1),
      tf.gather(t, tf.zeros([3, 0], 'int32'), 1, 1),
    ]);
    // An empty batch: the cpu kernel fails reshaping indices to [0, 0 / 0].
    const [empty] = runOn('native', [], () =>
      tf.gather(tf.zeros([0, 4]), tf.zeros([0, 2], 'int32'), 1, 1),
    );
    expect(empty.shape).toEqual([0, 2]);
    expect(
      handledNatively(
        'GatherV2',
        { x: gen.float([2, 3]), indices: gen.int([2, 4], 0, 3) },
        { axis: 1, batchDims: 1 },
      ),
    ).toBe(true);
    // Large enough to be split over threads.
    expectSameOnBoth([gen.float([4, 300, 64]), gen.int([4, 280], 0, 300)], (t, i) =>
      tf.gather(t, i, 1, 1),
    );
    for (const bad of [-1, 4]) {
      expectSameOnBoth([x], (t) => {
        try {
          return tf.gather(t, tf.fill([3, 2], bad, 'int32'), 1, 1);
        } catch (e) {
          return tf.scalar(
            (e as Error).message.includes(`GatherV2: the index value ${bad}`) ? 1 : 0,
          );
        }
      });
    }
  });

  it('differentiates a batched gather (batchDims 1, the case TF.js has a gradient for)', () => {
    expectSameOnBoth(
      [gen.float([3, 5, 4]), gen.int([3, 6], 0, 5), gen.float([3, 6, 4])],
      (x, i, w) => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, i, 1, 1), w)))(x),
    );
  });

  it('sums segments, dropping ids out of range', () => {
    expectSameOnBoth([gen.float([8, 5]), gen.int([8], -1, 4)], (x, ids) => [
      tf.unsortedSegmentSum(x, ids as tf.Tensor1D, 4),
      tf.unsortedSegmentSum(x, tf.clipByValue(ids, 0, 2) as tf.Tensor1D, 3),
    ]);
    expectSameOnBoth([gen.float([8, 5]), gen.int([8], 0, 4), gen.float([4, 5])], (x, ids, w) =>
      tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.unsortedSegmentSum(t, ids as tf.Tensor1D, 4), w)))(
        x,
      ),
    );
  });

  it('sums int32 segments into float32 exactly like the cpu backend', () => {
    // Values beyond 2^24 round to float32 before the sum, as in the cpu kernel.
    const big: Data = {
      shape: [6, 2],
      dtype: 'int32',
      values: Int32Array.of(
        2147483647,
        -2147483648,
        16777217,
        16777219,
        -3,
        5,
        7,
        1 << 30,
        1,
        1,
        -1,
        0,
      ),
    };
    const cases: Array<[Data, Data, number]> = [
      [gen.int([9, 4, 3], -100, 100), gen.int([9], -1, 5), 5],
      [gen.int([0, 3], 0, 5), gen.int([0], 0, 2), 2],
      [gen.int([6], -5, 5), gen.int([6], 0, 2), 2],
      [big, { shape: [6], dtype: 'int32', values: Int32Array.of(0, 1, 0, 1, 0, 0) }, 2],
      [gen.int([40, 3000], -70_000, 70_000), gen.int([40], 0, 25), 25],
    ];
    for (const [x, ids, n] of cases) {
      expectSameOnBoth([x, ids], (t, i) => tf.unsortedSegmentSum(t, i as tf.Tensor1D, n), 0);
      expect(
        handledNatively('UnsortedSegmentSum', { x, segmentIds: ids }, { numSegments: n }),
      ).toBe(true);
    }
  });
});
