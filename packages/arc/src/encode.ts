/**
 * ARC grids on a square canvas, 30x30 as the papers (any side 1..30 for tasks whose grids
 * all fit a smaller one): PAD 0, EOS 1, colour c -> c + 2 (vocab 12, sequence canvas²).
 * An EOS row lies under the grid and an EOS column right of it, where they fit. Input and
 * output can be translated together.
 */

import { type Grid, makeGrid, PuzzleOptionError } from '@rrm/puzzles';
import type { Rng } from '@rrm/random';
import { ARC_MAX_GRID, ArcDataError, type ArcTask } from './task.js';

export const ARC_SEQ_LEN = ARC_MAX_GRID * ARC_MAX_GRID;
export const ARC_VOCAB_SIZE = 12;
export const PAD = 0;
export const EOS = 1;

export interface Offset {
  row: number;
  col: number;
}

/** `canvas` itself when it is a side the encoding allows (an integer 1..30). */
export function checkArcCanvas(canvas: number): number {
  if (!Number.isInteger(canvas) || canvas < 1 || canvas > ARC_MAX_GRID)
    throw new PuzzleOptionError(
      `canvas must be an integer in 1..${ARC_MAX_GRID} (the side of the square grid canvas), got ${canvas}`,
    );
  return canvas;
}

/** The canvas side of a dataset whose sequences are `seqLen` tokens (seq_len = canvas²). */
export function arcCanvasForSeqLen(seqLen: number): number {
  const side = Math.round(Math.sqrt(seqLen));
  if (side * side !== seqLen || side < 1 || side > ARC_MAX_GRID)
    throw new ArcDataError(
      `seq_len ${seqLen} is not an ARC canvas (a square of side 1..${ARC_MAX_GRID})`,
    );
  return side;
}

function checkLength(what: string, tokens: ArrayLike<number>, canvas: number): number {
  const N = checkArcCanvas(canvas);
  if (tokens.length !== N * N)
    throw new Error(`${what}: expected ${N * N} tokens (a ${N}x${N} canvas), got ${tokens.length}`);
  return N;
}

/**
 * Where `task` has a grid larger than `canvas`×`canvas` (`test example 0 output: the 12x9
 * grid`), or null when all its grids fit: demonstrations, test inputs and the test answers
 * that are given (a prediction must fit the canvas to be right).
 */
export function arcTaskOverflow(task: ArcTask, canvas: number): string | null {
  const N = checkArcCanvas(canvas);
  for (const kind of ['train', 'test'] as const) {
    for (const [i, pair] of task[kind].entries()) {
      for (const side of ['input', 'output'] as const) {
        const g = pair[side];
        if (g && (g.rows > N || g.cols > N))
          return `${kind} example ${i} ${side}: the ${g.rows}x${g.cols} grid`;
      }
    }
  }
  return null;
}

/** Throws an ArcDataError naming the task and the grid when `task` does not fit `canvas`. */
export function checkArcTaskFits(task: ArcTask, canvas: number, where = `task ${task.id}`): void {
  const overflow = arcTaskOverflow(task, canvas);
  if (overflow)
    throw new ArcDataError(
      `${where}, ${overflow} does not fit the ${canvas}x${canvas} canvas; use a larger canvas or keep only the tasks that fit`,
    );
}

/** One grid on the canvas with its top-left corner at `offset`. */
export function encodeArcGrid(
  g: Grid,
  offset: Offset = { row: 0, col: 0 },
  canvas = ARC_MAX_GRID,
): Uint8Array {
  const N = checkArcCanvas(canvas);
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
export function randomOffset(input: Grid, output: Grid, rng: Rng, canvas = ARC_MAX_GRID): Offset {
  const N = checkArcCanvas(canvas);
  const rows = Math.max(input.rows, output.rows);
  const cols = Math.max(input.cols, output.cols);
  if (rows > N || cols > N)
    throw new Error(`randomOffset: a ${rows}x${cols} pair does not fit the ${N}x${N} canvas`);
  return { row: rng.int(N - rows + 1), col: rng.int(N - cols + 1) };
}

/** Where a (possibly translated) grid starts: the top-left of the colour tokens. */
export function locateArcGrid(tokens: ArrayLike<number>, canvas = ARC_MAX_GRID): Offset {
  const N = checkLength('locateArcGrid', tokens, canvas);
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
export function cropArcGrid(
  tokens: ArrayLike<number>,
  origin: Offset = { row: 0, col: 0 },
  canvas = ARC_MAX_GRID,
): Grid {
  const N = checkLength('cropArcGrid', tokens, canvas);
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
