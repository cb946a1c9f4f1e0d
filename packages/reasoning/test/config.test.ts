import { describe, expect, it } from 'vitest';
import { isSizeFree } from '../src';

describe('isSizeFree', () => {
  it('holds for grid and Sudoku mixing only, on stored (unvalidated) archs too', () => {
    expect(isSizeFree({ grid_mix: true })).toBe(true);
    expect(isSizeFree({ sudoku_mix: true })).toBe(true);
    expect(isSizeFree({ grid_mix: false, sudoku_mix: false })).toBe(false);
    expect(isSizeFree({ sudoku_mix: 'true' })).toBe(false);
    expect(isSizeFree({})).toBe(false);
  });
});
