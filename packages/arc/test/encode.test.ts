import { gridFromRows, gridsEqual, makeGrid } from '@rrm/puzzles';
import { Rng } from '@rrm/random';
import { describe, expect, it } from 'vitest';
import {
  cropArcGrid,
  EOS,
  encodeArcGrid,
  formatArcGrid,
  locateArcGrid,
  randomOffset,
} from '../src/index.js';

describe('ARC canvas encoding', () => {
  it('encode -> crop is the identity on random grids of every size', () => {
    const rng = new Rng(5);
    for (let i = 0; i < 2000; i++) {
      const g = makeGrid(1 + rng.int(30), 1 + rng.int(30));
      for (let k = 0; k < g.data.length; k++) g.data[k] = rng.int(10);
      expect(gridsEqual(cropArcGrid(encodeArcGrid(g)), g)).toBe(true);
    }
  });

  it('puts colours at c + 2 and an EOS row and column where they fit', () => {
    const t = encodeArcGrid(gridFromRows([[0, 9]]));
    expect(Array.from(t.subarray(0, 3))).toEqual([2, 11, EOS]);
    expect(Array.from(t.subarray(30, 33))).toEqual([EOS, EOS, 0]);
    expect(t.reduce((a, v) => a + (v === EOS ? 1 : 0), 0)).toBe(3);
    const full = encodeArcGrid(makeGrid(30, 30));
    expect(full.every((v) => v === 2)).toBe(true);
    const moved = encodeArcGrid(gridFromRows([[3]]), { row: 2, col: 4 });
    expect([moved[2 * 30 + 4], moved[2 * 30 + 5], moved[3 * 30 + 4]]).toEqual([5, EOS, EOS]);
    expect(() => encodeArcGrid(makeGrid(3, 3), { row: 28, col: 0 })).toThrow(
      /leaves the 30x30 canvas/,
    );
  });

  it('translates input and output by one offset at which both fit', () => {
    const rng = new Rng(8);
    const a = makeGrid(10, 25);
    const b = makeGrid(20, 5);
    for (let i = 0; i < 200; i++) {
      const o = randomOffset(a, b, rng);
      expect(o.row + 20).toBeLessThanOrEqual(30);
      expect(o.col + 25).toBeLessThanOrEqual(30);
      // A translated grid is found and cropped back where it was put.
      const g = makeGrid(
        10,
        25,
        Array.from({ length: 250 }, (_, k) => k % 10),
      );
      const t = encodeArcGrid(g, o);
      expect(locateArcGrid(t)).toEqual(o);
      expect(gridsEqual(cropArcGrid(t, o), g)).toBe(true);
    }
  });

  it('crops a prediction at the first non-colour token, as the reference', () => {
    const t = new Array(900).fill(0);
    // Row 0 has 3 colours, row 1 only 2: the best rectangle is 2x2 (area 4) over 1x3 (area 3).
    t.splice(0, 4, 2, 3, 4, 1);
    t.splice(30, 3, 5, 6, 1);
    expect(cropArcGrid(t)).toEqual(
      gridFromRows([
        [0, 1],
        [3, 4],
      ]),
    );
    expect(
      cropArcGrid(new Array(900).fill(1)).rows * cropArcGrid(new Array(900).fill(1)).cols,
    ).toBe(0);
    expect(formatArcGrid(gridFromRows([[1, 2]]), false)).toBe('1 2');
  });
});
