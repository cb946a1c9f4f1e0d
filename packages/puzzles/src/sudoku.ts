/**
 * Sudoku with boxes of boxRows x boxCols (2x2 -> 4x4, 2x3 -> 6x6, 3x3 -> 9x9):
 * a solver that counts solutions, a generator of puzzles with exactly one
 * solution, the reference augmentations, encoding and the Sudoku-Extreme CSV.
 * A grid is a Uint8Array of n*n cells, 0 = blank, digits 1..n.
 */
import type { Rng } from '@rrm/random';
import { PuzzleOptionError } from './errors.js';
import { DatasetError } from './metadata.js';

export interface SudokuShape {
  boxRows: number;
  boxCols: number;
}

export const SUDOKU_SHAPES: Record<string, SudokuShape> = {
  '4x4': { boxRows: 2, boxCols: 2 },
  '6x6': { boxRows: 2, boxCols: 3 },
  '9x9': { boxRows: 3, boxCols: 3 },
};

export function sudokuSize(shape: SudokuShape): number {
  const n = shape.boxRows * shape.boxCols;
  if (
    !Number.isInteger(shape.boxRows) ||
    !Number.isInteger(shape.boxCols) ||
    shape.boxRows < 1 ||
    shape.boxCols < 1 ||
    n > 16
  ) {
    throw new Error(
      `Sudoku box must be positive integers with at most 16 digits, got ${shape.boxRows}x${shape.boxCols}`,
    );
  }
  return n;
}

/** The box shape of an n x n Sudoku from its number of cells (16, 36 or 81). */
export function shapeForCells(cells: number): SudokuShape | null {
  return Object.values(SUDOKU_SHAPES).find((s) => (s.boxRows * s.boxCols) ** 2 === cells) ?? null;
}

export interface SolveResult {
  /** Solutions found, stopped at the limit. */
  count: number;
  /** The first solution, or null. */
  solution: Uint8Array | null;
  /** Search nodes visited: the measure of solver effort used for difficulty. */
  nodes: number;
  /**
   * Nodes where the search had to choose among two or more digits: 0 for a puzzle that
   * naked singles solve, and the `rating` written into generated CSVs.
   */
  guesses: number;
}

function popcount(x: number): number {
  let c = 0;
  for (let v = x; v; v &= v - 1) c++;
  return c;
}

/**
 * Depth-first search on bitmask candidates, always branching on the blank cell
 * with fewest candidates. With an rng the digit order is random (used to fill grids).
 */
export function solveSudoku(
  grid: Uint8Array,
  shape: SudokuShape,
  options: { limit?: number; rng?: Rng } = {},
): SolveResult {
  const n = sudokuSize(shape);
  const { boxRows, boxCols } = shape;
  if (grid.length !== n * n)
    throw new Error(`solveSudoku: expected ${n * n} cells, got ${grid.length}`);
  const limit = options.limit ?? 2;
  const cells = Uint8Array.from(grid);
  const rowMask = new Int32Array(n);
  const colMask = new Int32Array(n);
  const boxMask = new Int32Array(n);
  const boxOf = (r: number, c: number) =>
    Math.floor(r / boxRows) * boxRows + Math.floor(c / boxCols);
  const result: SolveResult = { count: 0, solution: null, nodes: 0, guesses: 0 };
  for (let i = 0; i < n * n; i++) {
    const v = cells[i];
    if (v === 0) continue;
    if (v > n) throw new Error(`solveSudoku: cell ${i} holds ${v}, digits are 1..${n}`);
    const bit = 1 << (v - 1);
    const r = Math.floor(i / n);
    const c = i % n;
    const b = boxOf(r, c);
    // A given that repeats in its row, column or box leaves no solution.
    if ((rowMask[r] | colMask[c] | boxMask[b]) & bit) return result;
    rowMask[r] |= bit;
    colMask[c] |= bit;
    boxMask[b] |= bit;
  }
  const full = (1 << n) - 1;
  const search = (): boolean => {
    result.nodes++;
    let best = -1;
    let bestFree = 0;
    let bestCount = n + 1;
    for (let i = 0; i < n * n; i++) {
      if (cells[i] !== 0) continue;
      const r = Math.floor(i / n);
      const c = i % n;
      const free = full & ~(rowMask[r] | colMask[c] | boxMask[boxOf(r, c)]);
      const k = popcount(free);
      if (k < bestCount) {
        best = i;
        bestFree = free;
        bestCount = k;
        if (k <= 1) break;
      }
    }
    if (best < 0) {
      result.count++;
      if (!result.solution) result.solution = Uint8Array.from(cells);
      return result.count >= limit;
    }
    if (bestCount === 0) return false;
    if (bestCount > 1) result.guesses++;
    const digits: number[] = [];
    for (let d = 0; d < n; d++) if (bestFree & (1 << d)) digits.push(d);
    if (options.rng) options.rng.shuffle(digits);
    const r = Math.floor(best / n);
    const c = best % n;
    const b = boxOf(r, c);
    for (const d of digits) {
      const bit = 1 << d;
      cells[best] = d + 1;
      rowMask[r] |= bit;
      colMask[c] |= bit;
      boxMask[b] |= bit;
      const stop = search();
      rowMask[r] &= ~bit;
      colMask[c] &= ~bit;
      boxMask[b] &= ~bit;
      cells[best] = 0;
      if (stop) return true;
    }
    return false;
  };
  search();
  return result;
}

/** True when `grid` is a complete, valid solution. */
export function isSolvedSudoku(grid: Uint8Array, shape: SudokuShape): boolean {
  const n = sudokuSize(shape);
  if (grid.length !== n * n || grid.some((v) => v < 1 || v > n)) return false;
  const r = solveSudoku(grid, shape, { limit: 1 });
  return r.count === 1;
}

/**
 * 1 for every filled cell whose digit appears again in its row, column or box, else 0
 * (blanks, 0, never conflict): what a board breaks of the rules, cell by cell.
 */
export function sudokuConflicts(grid: Uint8Array, shape: SudokuShape): Uint8Array {
  const n = sudokuSize(shape);
  const { boxRows, boxCols } = shape;
  if (grid.length !== n * n)
    throw new Error(`sudokuConflicts: expected ${n * n} cells, got ${grid.length}`);
  const out = new Uint8Array(n * n);
  // Cells of each row, column and box, then every pair within a unit that shares a digit.
  const units: number[][] = [];
  for (let k = 0; k < n; k++) {
    const r0 = Math.floor(k / (n / boxCols)) * boxRows;
    const c0 = (k % (n / boxCols)) * boxCols;
    units.push(
      Array.from({ length: n }, (_, j) => k * n + j),
      Array.from({ length: n }, (_, j) => j * n + k),
      Array.from({ length: n }, (_, j) => (r0 + Math.floor(j / boxCols)) * n + c0 + (j % boxCols)),
    );
  }
  for (const unit of units) {
    const seen = new Map<number, number>();
    for (const i of unit) {
      const d = grid[i];
      if (d === 0) continue;
      const first = seen.get(d);
      if (first === undefined) seen.set(d, i);
      else out[first] = out[i] = 1;
    }
  }
  return out;
}

export interface SudokuPuzzle {
  /** 0 = blank */
  question: Uint8Array;
  answer: Uint8Array;
}

/**
 * The fewest givens a puzzle with one solution can have (17 for 9×9, McGuire et al. 2012;
 * 4×4 and 6×6 by exhaustive search), or null when not known for the shape.
 */
export function fewestGivens(shape: SudokuShape): number | null {
  return { 4: 4, 6: 8, 9: 17 }[sudokuSize(shape)] ?? null;
}

/**
 * An invariant of a puzzle under every augmentation (digit relabelling, row, band, column
 * and stack permutations, transposition): two puzzles with different signatures are never
 * augmentations of each other. Each given contributes its row, column and box given counts
 * and how often its digit is given; the sorted list of these is the signature.
 */
export function sudokuSignature(question: Uint8Array, shape: SudokuShape): string {
  const n = sudokuSize(shape);
  const box = (i: number) =>
    Math.floor(Math.floor(i / n) / shape.boxRows) * shape.boxRows +
    Math.floor((i % n) / shape.boxCols);
  const rows = new Int32Array(n);
  const cols = new Int32Array(n);
  const boxes = new Int32Array(n);
  const digits = new Int32Array(n + 1);
  for (let i = 0; i < n * n; i++) {
    if (question[i] === 0) continue;
    rows[Math.floor(i / n)]++;
    cols[i % n]++;
    boxes[box(i)]++;
    digits[question[i]]++;
  }
  const parts: number[] = [];
  for (let i = 0; i < n * n; i++) {
    if (question[i] === 0) continue;
    const r = rows[Math.floor(i / n)];
    const c = cols[i % n];
    // Transposing swaps row and column counts, so keep them as an unordered pair.
    parts.push(
      ((Math.min(r, c) * 17 + Math.max(r, c)) * 17 + boxes[box(i)]) * 82 + digits[question[i]],
    );
  }
  return parts.sort((a, b) => a - b).join(',');
}

export interface SudokuGenerateOptions {
  /** Stop removing digits at this many givens (default: remove while the solution stays unique). */
  minGivens?: number;
  /**
   * With a value above `minGivens`, each attempt stops at a count drawn uniformly from
   * minGivens..maxGivens, and a puzzle that became minimal above maxGivens is redrawn.
   */
  maxGivens?: number;
  /** Keep only puzzles whose uniqueness proof takes at least this many search nodes. */
  minEffort?: number;
  /** Attempts before giving up on minEffort. */
  maxAttempts?: number;
}

/**
 * A random puzzle with exactly one solution: fill a random grid, then blank
 * cells in random order, keeping each removal only if the solution stays unique.
 */
export function generateSudoku(
  shape: SudokuShape,
  rng: Rng,
  options: SudokuGenerateOptions = {},
): SudokuPuzzle {
  const n = sudokuSize(shape);
  const { minGivens, maxGivens } = checkGivens(shape, options);
  const ranged = options.maxGivens !== undefined && maxGivens > minGivens;
  const minEffort = options.minEffort ?? 0;
  const maxAttempts = options.maxAttempts ?? 100;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    // Drawn only for a range, so that fixed-givens streams stay as they were.
    const target = ranged ? minGivens + rng.int(maxGivens - minGivens + 1) : minGivens;
    const answer = solveSudoku(new Uint8Array(n * n), shape, { limit: 1, rng }).solution!;
    const question = Uint8Array.from(answer);
    let givens = n * n;
    for (const cell of rng.permutation(n * n)) {
      if (givens <= target) break;
      question[cell] = 0;
      if (solveSudoku(question, shape, { limit: 2 }).count === 1) givens--;
      else question[cell] = answer[cell];
    }
    if (givens > maxGivens) continue;
    if (solveSudoku(question, shape, { limit: 2 }).nodes >= minEffort) return { question, answer };
  }
  const wanted = [
    minEffort > 0 ? `minEffort ${minEffort}` : '',
    maxGivens < n * n ? `at most ${maxGivens} givens` : '',
  ].filter(Boolean);
  throw new PuzzleOptionError(
    `generateSudoku: no puzzle with ${wanted.join(' and ')} in ${maxAttempts} attempts; relax it`,
  );
}

/**
 * The givens range of `options`, checked against the board: named errors for impossible
 * ones. `names` says what the caller calls the two options (a CLI flag, a config key).
 */
export function checkGivens(
  shape: SudokuShape,
  options: { minGivens?: number; maxGivens?: number },
  names = { min: 'minGivens', max: 'maxGivens' },
): { minGivens: number; maxGivens: number } {
  const n = sudokuSize(shape);
  const minGivens = options.minGivens ?? 0;
  const maxGivens = options.maxGivens ?? n * n;
  const size = `${n}×${n}`;
  for (const [name, v] of [
    [names.min, minGivens],
    [names.max, maxGivens],
  ] as const) {
    if (!Number.isInteger(v) || v < 0 || v > n * n)
      throw new PuzzleOptionError(
        `${name} must be an integer in 0..${n * n} for ${size}, got ${v}`,
      );
  }
  if (options.maxGivens !== undefined && maxGivens < minGivens)
    throw new PuzzleOptionError(`${names.max} ${maxGivens} is below ${names.min} ${minGivens}`);
  const fewest = fewestGivens(shape);
  if (fewest !== null && maxGivens < fewest)
    throw new PuzzleOptionError(
      `${names.max} ${maxGivens}: a ${size} Sudoku with one solution has at least ${fewest} givens`,
    );
  return { minGivens, maxGivens };
}

/** One augmentation: digit relabelling, bands/rows and stacks/columns permuted, optional transpose. */
export interface SudokuAugmentation {
  /** digits[v] = new value of v; digits[0] = 0 */
  digits: Uint8Array;
  /** output row i takes input row rowPerm[i] */
  rowPerm: Int32Array;
  colPerm: Int32Array;
  transpose: boolean;
}

function blockPermutation(blocks: number, size: number, rng: Rng): Int32Array {
  const out = new Int32Array(blocks * size);
  let k = 0;
  for (const b of rng.permutation(blocks))
    for (const i of rng.permutation(size)) out[k++] = b * size + i;
  return out;
}

export function randomSudokuAugmentation(shape: SudokuShape, rng: Rng): SudokuAugmentation {
  const n = sudokuSize(shape);
  const digits = new Uint8Array(n + 1);
  digits.set(
    Array.from(rng.permutation(n), (d) => d + 1),
    1,
  );
  // Transposing swaps the box shape, so it is a symmetry only for square boxes.
  const transpose = shape.boxRows === shape.boxCols && rng.uniform() < 0.5;
  // Bands hold boxRows rows each; stacks hold boxCols columns each.
  const rowPerm = blockPermutation(shape.boxCols, shape.boxRows, rng);
  const colPerm = blockPermutation(shape.boxRows, shape.boxCols, rng);
  return { digits, rowPerm, colPerm, transpose };
}

export function applySudokuAugmentation(
  grid: Uint8Array,
  shape: SudokuShape,
  aug: SudokuAugmentation,
): Uint8Array {
  const n = sudokuSize(shape);
  const out = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const r = aug.rowPerm[i];
      const c = aug.colPerm[j];
      out[i * n + j] = aug.digits[aug.transpose ? grid[c * n + r] : grid[r * n + c]];
    }
  }
  return out;
}

/** Tokens as the reference: 0 pad, blank 1, digit d -> d + 1. */
export function encodeSudoku(grid: Uint8Array): Uint8Array {
  return grid.map((v) => v + 1);
}

/** Tokens back to a grid; pad and blank tokens (0, 1) both read as blank. */
export function decodeSudoku(tokens: ArrayLike<number>, shape: SudokuShape): Uint8Array {
  const n = sudokuSize(shape);
  if (tokens.length !== n * n)
    throw new Error(`decodeSudoku: expected ${n * n} tokens, got ${tokens.length}`);
  return Uint8Array.from(tokens, (t, i) => {
    if (t > n + 1 || t < 0)
      throw new Error(`decodeSudoku: token ${t} at ${i} is outside 0..${n + 1}`);
    return t <= 1 ? 0 : t - 1;
  });
}

/** A grid as text, boxes separated by lines; blanks as '.'. */
export function formatSudoku(grid: Uint8Array, shape: SudokuShape): string {
  const n = sudokuSize(shape);
  const digit = (v: number) => (v === 0 ? '.' : v.toString(n + 1));
  const lines: string[] = [];
  for (let r = 0; r < n; r++) {
    if (r > 0 && r % shape.boxRows === 0)
      lines.push(
        Array.from({ length: shape.boxRows }, () => '-'.repeat(shape.boxCols * 2 - 1)).join('-+-'),
      );
    const cells: string[] = [];
    for (let c = 0; c < n; c++) {
      if (c > 0 && c % shape.boxCols === 0) cells.push('|');
      cells.push(digit(grid[r * n + c]));
    }
    lines.push(cells.join(' '));
  }
  return lines.join('\n');
}

export interface SudokuCsvRow extends SudokuPuzzle {
  source: string;
  rating: number;
}

/**
 * The Sudoku-Extreme CSV: header `source,question,answer,rating`, then one puzzle
 * per line with '.' (or '0') for blanks. Answers are checked to be valid solutions
 * that agree with the givens.
 */
export function parseSudokuCsv(
  text: string,
  file = '<csv>',
): { shape: SudokuShape; rows: SudokuCsvRow[] } {
  const lines = text.split(/\r?\n/);
  const header = lines[0]?.trim();
  if (header !== 'source,question,answer,rating') {
    throw new DatasetError(
      `${file}:1: expected header "source,question,answer,rating", found "${header ?? ''}"`,
    );
  }
  let shape: SudokuShape | null = null;
  const rows: SudokuCsvRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const where = `${file}:${i + 1}`;
    const parts = line.split(',');
    if (parts.length !== 4)
      throw new DatasetError(`${where}: expected 4 fields, found ${parts.length}`);
    const [source, q, a, rating] = parts;
    if (q.length !== a.length)
      throw new DatasetError(`${where}: question has ${q.length} cells, answer ${a.length}`);
    const s = shapeForCells(q.length);
    if (!s) throw new DatasetError(`${where}: ${q.length} cells is not a 4x4, 6x6 or 9x9 Sudoku`);
    if (shape && shape !== s)
      throw new DatasetError(`${where}: Sudoku size differs from the first row`);
    shape = s;
    const n = sudokuSize(s);
    const cell = (ch: string, k: number, field: string) => {
      const v = ch === '.' ? 0 : Number.parseInt(ch, n + 1);
      if (!(v >= 0 && v <= n))
        throw new DatasetError(`${where}: ${field} cell ${k} is "${ch}", expected '.' or 1..${n}`);
      return v;
    };
    const question = Uint8Array.from(q, (ch, k) => cell(ch, k, 'question'));
    const answer = Uint8Array.from(a, (ch, k) => cell(ch, k, 'answer'));
    if (!isSolvedSudoku(answer, s))
      throw new DatasetError(`${where}: answer is not a valid solution`);
    const k = question.findIndex((v, j) => v !== 0 && v !== answer[j]);
    if (k >= 0) throw new DatasetError(`${where}: given at cell ${k} disagrees with the answer`);
    const r = Number(rating);
    if (!Number.isFinite(r)) throw new DatasetError(`${where}: rating "${rating}" is not a number`);
    rows.push({ source, question, answer, rating: r });
  }
  if (!shape) throw new DatasetError(`${file}: no puzzles`);
  return { shape, rows };
}
