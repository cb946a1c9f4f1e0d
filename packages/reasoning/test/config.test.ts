import { describe, expect, it } from 'vitest';
import { isSizeFree, sudokuBoxes } from '../src';

describe('sudokuBoxes', () => {
  it('gives the usual boxes, wider than tall, for every composite side', () => {
    expect(sudokuBoxes(16)).toEqual({ boxRows: 2, boxCols: 2 });
    expect(sudokuBoxes(36)).toEqual({ boxRows: 2, boxCols: 3 });
    expect(sudokuBoxes(81)).toEqual({ boxRows: 3, boxCols: 3 });
    expect(sudokuBoxes(144)).toEqual({ boxRows: 3, boxCols: 4 });
    expect(sudokuBoxes(256)).toEqual({ boxRows: 4, boxCols: 4 });
  });

  it('refuses boards that are not square or have a prime side', () => {
    for (const cells of [0, 1, 4, 9, 25, 49, 80, 82]) expect(sudokuBoxes(cells)).toBeNull();
  });
});

describe('isSizeFree', () => {
  it('holds for grid and Sudoku mixing only, on stored (unvalidated) archs too', () => {
    expect(isSizeFree({ grid_mix: true })).toBe(true);
    expect(isSizeFree({ sudoku_mix: true })).toBe(true);
    expect(isSizeFree({ grid_mix: false, sudoku_mix: false })).toBe(false);
    expect(isSizeFree({ sudoku_mix: 'true' })).toBe(false);
    expect(isSizeFree({})).toBe(false);
  });
});
