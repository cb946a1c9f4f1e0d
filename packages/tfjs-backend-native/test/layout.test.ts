import { describe, expect, it } from 'vitest';
import {
  broadcastShape,
  broadcastStrides,
  collapse,
  reduceView,
  stridesOf,
} from '../src/layout.js';

describe('layout', () => {
  it('computes row-major and broadcast strides', () => {
    expect(stridesOf([2, 3, 4])).toEqual([12, 4, 1]);
    expect(stridesOf([])).toEqual([]);
    expect(broadcastStrides([3, 1], [2, 3, 4])).toEqual([0, 1, 0]);
    expect(broadcastStrides([], [2, 2])).toEqual([0, 0]);
  });

  it('broadcasts shapes and names incompatible ones', () => {
    expect(broadcastShape([2, 1, 4], [3, 1])).toEqual([2, 3, 4]);
    expect(broadcastShape([0, 3], [3])).toEqual([0, 3]);
    expect(() => broadcastShape([2, 3], [4])).toThrow(/2,3 and 4/);
  });

  it('merges dimensions every operand walks contiguously and drops size-1 ones', () => {
    // [2, 3, 4] + [4]: the first two dimensions merge into 6 rows.
    expect(collapse([2, 3, 4], [stridesOf([2, 3, 4]), [0, 0, 1]])).toEqual({
      shape: [6, 4],
      strides: [
        [4, 1],
        [0, 1],
      ],
    });
    expect(collapse([2, 1, 4], [[4, 4, 1]])).toEqual({ shape: [8], strides: [[1]] });
    expect(
      collapse(
        [1, 1],
        [
          [1, 1],
          [0, 0],
        ],
      ),
    ).toEqual({ shape: [1], strides: [[0], [0]] });
    // A transpose cannot merge.
    expect(
      collapse(
        [3, 2],
        [
          [1, 3],
          [2, 1],
        ],
      ).shape,
    ).toEqual([3, 2]);
  });

  it('views a reduction as [outer, reduced, inner], transposing only split axis sets', () => {
    expect(reduceView([4, 5, 6], [1])).toEqual({ perm: null, outer: 4, reduced: 5, inner: 6 });
    expect(reduceView([4, 5, 6], [1, 2])).toEqual({ perm: null, outer: 4, reduced: 30, inner: 1 });
    expect(reduceView([4, 1, 6], [0, 2])).toEqual({ perm: null, outer: 1, reduced: 24, inner: 1 });
    expect(reduceView([4, 5, 6], [0, 2])).toEqual({
      perm: [1, 0, 2],
      outer: 5,
      reduced: 24,
      inner: 1,
    });
    expect(reduceView([4, 5], [])).toEqual({ perm: null, outer: 20, reduced: 1, inner: 1 });
  });
});
