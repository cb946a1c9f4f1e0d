/**
 * Small row-major grids and the 8 dihedral transforms with the reference ids:
 * 0 identity, 1 rot90 (counter-clockwise, as np.rot90), 2 rot180, 3 rot270,
 * 4 flip left-right, 5 flip up-down, 6 transpose, 7 anti-transpose.
 */

export interface Grid {
  rows: number;
  cols: number;
  /** rows * cols values, row-major. */
  data: Uint8Array;
}

export function makeGrid(rows: number, cols: number, data?: ArrayLike<number>): Grid {
  const g = { rows, cols, data: new Uint8Array(rows * cols) };
  if (data) {
    if (data.length !== rows * cols)
      throw new Error(`makeGrid: ${data.length} values for a ${rows}x${cols} grid`);
    g.data.set(data);
  }
  return g;
}

export function gridFromRows(rows: readonly (readonly number[])[]): Grid {
  const cols = rows.length > 0 ? rows[0].length : 0;
  return makeGrid(rows.length, cols, rows.flat());
}

export function gridToRows(g: Grid): number[][] {
  return Array.from({ length: g.rows }, (_, r) =>
    Array.from(g.data.subarray(r * g.cols, (r + 1) * g.cols)),
  );
}

export function gridsEqual(a: Grid, b: Grid): boolean {
  if (a.rows !== b.rows || a.cols !== b.cols) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}

/** A string key that identifies a grid exactly (shape and contents). */
export function gridKey(g: Grid): string {
  return `${g.rows}x${g.cols}:${String.fromCharCode(...g.data)}`;
}

export const DIHEDRAL_INVERSE = [0, 3, 2, 1, 4, 5, 6, 7] as const;

function checkTransform(t: number): void {
  if (!Number.isInteger(t) || t < 0 || t > 7)
    throw new Error(`dihedral transform id must be 0..7, got ${t}`);
}

/** Apply dihedral transform `t` (reference ids) to a grid. */
export function dihedral(g: Grid, t: number): Grid {
  checkTransform(t);
  const H = g.rows;
  const W = g.cols;
  const swap = t === 1 || t === 3 || t === 6 || t === 7;
  const out = makeGrid(swap ? W : H, swap ? H : W);
  for (let i = 0; i < out.rows; i++) {
    for (let j = 0; j < out.cols; j++) {
      // Source cell of output cell (i, j).
      let r: number;
      let c: number;
      switch (t) {
        case 0:
          [r, c] = [i, j];
          break;
        case 1:
          [r, c] = [j, W - 1 - i];
          break;
        case 2:
          [r, c] = [H - 1 - i, W - 1 - j];
          break;
        case 3:
          [r, c] = [H - 1 - j, i];
          break;
        case 4:
          [r, c] = [i, W - 1 - j];
          break;
        case 5:
          [r, c] = [H - 1 - i, j];
          break;
        case 6:
          [r, c] = [j, i];
          break;
        default:
          [r, c] = [H - 1 - j, W - 1 - i];
      }
      out.data[i * out.cols + j] = g.data[r * W + c];
    }
  }
  return out;
}

export function inverseDihedral(g: Grid, t: number): Grid {
  checkTransform(t);
  return dihedral(g, DIHEDRAL_INVERSE[t]);
}
