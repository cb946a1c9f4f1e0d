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

const sourceCache = new Map<number, Int32Array>();

/**
 * For transform `t` of a rows x cols grid, the source index of each output cell
 * (output is cols x rows for t in 1, 3, 6, 7). Cached: augmentation applies the
 * same few shapes millions of times.
 */
export function dihedralSource(rows: number, cols: number, t: number): Int32Array {
  checkTransform(t);
  const key = cols < 1024 ? (rows * 1024 + cols) * 8 + t : -1;
  let source = sourceCache.get(key);
  if (source) return source;
  const H = rows;
  const W = cols;
  const swap = t === 1 || t === 3 || t === 6 || t === 7;
  const outCols = swap ? H : W;
  source = new Int32Array(H * W);
  for (let k = 0; k < source.length; k++) {
    const i = Math.floor(k / outCols);
    const j = k % outCols;
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
    source[k] = r * W + c;
  }
  if (key >= 0 && sourceCache.size < 65536) sourceCache.set(key, source);
  return source;
}

/** Shape of a rows x cols grid after transform `t`. */
export function dihedralShape(rows: number, cols: number, t: number): [number, number] {
  return t === 1 || t === 3 || t === 6 || t === 7 ? [cols, rows] : [rows, cols];
}

/** Apply dihedral transform `t` (reference ids) to a grid, optionally recolouring through `map`. */
export function dihedral(g: Grid, t: number, map?: ArrayLike<number>): Grid {
  const source = dihedralSource(g.rows, g.cols, t);
  const [rows, cols] = dihedralShape(g.rows, g.cols, t);
  const out = makeGrid(rows, cols);
  if (map) for (let k = 0; k < source.length; k++) out.data[k] = map[g.data[source[k]]];
  else for (let k = 0; k < source.length; k++) out.data[k] = g.data[source[k]];
  return out;
}

export function inverseDihedral(g: Grid, t: number): Grid {
  checkTransform(t);
  return dihedral(g, DIHEDRAL_INVERSE[t]);
}
