import { describe, expect, it } from 'vitest';
import { compareOutputs, gradientError, relativeError } from '../src';

describe('tolerances', () => {
  it('accepts outputs within 1e-4 + 1e-4·|ref| and rejects the rest', () => {
    expect(compareOutputs('x', [1.00019, 0], [1, 0])).toEqual({
      maxAbs: expect.closeTo(1.9e-4, 8),
      ok: true,
    });
    expect(compareOutputs('x', [1.00021, 0], [1, 0]).ok).toBe(false);
    expect(compareOutputs('x', [Number.NaN], [0]).ok).toBe(false);
    expect(() => compareOutputs('logits_1', [1], [1, 2])).toThrow(
      /logits_1: 1 values, reference has 2/,
    );
  });

  it('measures gradients against the largest entry of the tensor', () => {
    expect(gradientError('g', [10, 0.01], [10, 0])).toBeCloseTo(1e-3, 9);
    expect(gradientError('g', [0, 0], [0, 0])).toBe(0);
  });

  it('makes a zero reference demand zero', () => {
    expect(relativeError(0, 0)).toBe(0);
    expect(relativeError(1e-6, 0)).toBeGreaterThan(1);
    expect(relativeError(2.5, 2, 1)).toBeCloseTo(0.25);
  });
});
