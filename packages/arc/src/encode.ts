/**
 * ARC grids on the 30x30 canvas: PAD 0, EOS 1, colour c -> c + 2 (vocab 12,
 * sequence 900). An EOS row lies under the grid and an EOS column right of it,
 * where they fit. Input and output can be translated together.
 */

import { type Grid, makeGrid } from '@rrm/puzzles';
import type { Rng } from '@rrm/random';
import { ARC_MAX_GRID } from './task.js';

export const ARC_SEQ_LEN = ARC_MAX_GRID * ARC_MAX_GRID;
export const ARC_VOCAB_SIZE = 12;
export const PAD = 0;
export const EOS = 1;

export interface Offset {
  row: number;
  col: number;
}

/** One grid on the canvas with its top-left corner at `offset`. */
export function encodeArcGrid(g: Grid, offset: Offset = { row: 0, col: 0 }): Uint8Array {
  const N = ARC_MAX_GRID;
  const { row, col } = offset;
  if (row < 0 || col < 0 || row + g.rows > N || col + g.cols > N) {
    throw new Error(
      `encodeArcGrid: a ${g.rows}x${g.cols} grid at (${row}, ${col}) leaves the ${N}x${N} canvas`,
    );
  }
  const out = new Uint8Array(N * N);
  for (let r = 0; r < g.rows; r++) {
    for (let c = 0; c < g.cols; c++) out[(row + r) * N + col + c] = g.data[r * g.cols + c] + 2;
  }
  const eosRow = row + g.rows;
  const eosCol = col + g.cols;
  if (eosRow < N) out.fill(EOS, eosRow * N + col, eosRow * N + eosCol);
  if (eosCol < N) for (let r = row; r < eosRow; r++) out[r * N + eosCol] = EOS;
  return out;
}

/** A random offset at which both grids fit (the reference's translational augmentation). */
export function randomOffset(input: Grid, output: Grid, rng: Rng): Offset {
  return {
    row: rng.int(ARC_MAX_GRID - Math.max(input.rows, output.rows) + 1),
    col: rng.int(ARC_MAX_GRID - Math.max(input.cols, output.cols) + 1),
  };
}

/** Where a (possibly translated) grid starts: the top-left of the colour tokens. */
export function locateArcGrid(tokens: ArrayLike<number>): Offset {
  const N = ARC_MAX_GRID;
  let row = N;
  let col = N;
  for (let i = 0; i < N * N; i++) {
    if (tokens[i] >= 2 && tokens[i] <= 11) {
      row = Math.min(row, Math.floor(i / N));
      col = Math.min(col, i % N);
    }
  }
  return row === N ? { row: 0, col: 0 } : { row, col };
}

/**
 * A predicted canvas back to a grid: the largest rectangle of colour tokens
 * anchored at `origin` (default top-left), found row by row as the reference
 * evaluator does.
 */
export function cropArcGrid(tokens: ArrayLike<number>, origin: Offset = { row: 0, col: 0 }): Grid {
  const N = ARC_MAX_GRID;
  if (tokens.length !== N * N)
    throw new Error(`cropArcGrid: expected ${N * N} tokens, got ${tokens.length}`);
  const at = (r: number, c: number) => tokens[(origin.row + r) * N + origin.col + c];
  let bestArea = 0;
  let bestRows = 0;
  let bestCols = 0;
  let cols = N - origin.col;
  for (let rows = 1; rows <= N - origin.row; rows++) {
    for (let c = 0; c < cols; c++) {
      const t = at(rows - 1, c);
      if (t < 2 || t > 11) {
        cols = c;
        break;
      }
    }
    if (rows * cols > bestArea) {
      bestArea = rows * cols;
      bestRows = rows;
      bestCols = cols;
    }
  }
  const g = makeGrid(bestRows, bestCols);
  for (let r = 0; r < bestRows; r++)
    for (let c = 0; c < bestCols; c++) g.data[r * bestCols + c] = at(r, c) - 2;
  return g;
}

// The ARC palette (black, blue, red, green, yellow, grey, magenta, orange, sky, maroon) in ANSI 256 colours.
const ANSI = [16, 27, 196, 46, 226, 250, 201, 208, 51, 88];

/** A grid as coloured text for terminals (two spaces per cell on an ARC colour background). */
export function formatArcGrid(g: Grid, color = true): string {
  const lines: string[] = [];
  for (let r = 0; r < g.rows; r++) {
    let line = '';
    for (let c = 0; c < g.cols; c++) {
      const v = g.data[r * g.cols + c];
      line += color ? `\x1b[48;5;${ANSI[v]}m ${v}\x1b[0m` : `${v} `;
    }
    lines.push(color ? line : line.trimEnd());
  }
  return lines.join('\n');
}

/** The usual ARC palette as CSS colours, indexed by colour 0-9 (for drawing grids). */
export const ARC_PALETTE = [
  '#000000',
  '#0074D9',
  '#FF4136',
  '#2ECC40',
  '#FFDC00',
  '#AAAAAA',
  '#F012BE',
  '#FF851B',
  '#7FDBFF',
  '#870C25',
] as const;
