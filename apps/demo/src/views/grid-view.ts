import { ARC_PALETTE } from '@rrm/arc';
import type { Grid, SudokuShape } from '@rrm/puzzles';
import type { PuzzleKind } from '../grid';
import { h } from './dom';

export interface GridViewOptions {
  /** Cells the model changed since the previous step. */
  changed?: boolean[];
  /** Cells given in the puzzle (drawn differently from the model's fill-ins). */
  given?: boolean[];
  /** Cells that disagree with the known solution. */
  wrong?: boolean[];
  /** Sudoku box shape, for the thicker box borders. */
  shape?: SudokuShape;
  /** Largest side of the drawn grid in pixels. */
  maxPx?: number;
  testId?: string;
}

export function gridView(grid: Grid, kind: PuzzleKind, opts: GridViewOptions = {}): HTMLElement {
  const maxPx = opts.maxPx ?? 270;
  const cellPx = Math.max(6, Math.min(30, Math.floor(maxPx / Math.max(grid.rows, grid.cols))));
  const el = h('div', {
    class: `grid grid-${kind}`,
    'data-rows': grid.rows,
    'data-cols': grid.cols,
    'data-testid': opts.testId,
    role: 'grid',
  });
  sizeGrid(el, grid.cols, cellPx);
  grid.data.forEach((v, i) => {
    const r = Math.floor(i / grid.cols);
    const c = i % grid.cols;
    const classes = ['cell'];
    if (opts.changed?.[i]) classes.push('changed');
    if (opts.given?.[i]) classes.push('given');
    if (opts.wrong?.[i]) classes.push('wrong');
    if (opts.shape) classes.push(...boxBorders(opts.shape, r, c, grid.rows));
    const cell = h('div', { class: classes.join(' '), 'data-value': v });
    if (kind === 'arc') cell.style.background = ARC_PALETTE[v] ?? '#444';
    else if (kind === 'sudoku') cell.textContent = v === 0 ? '' : String(v);
    else cell.classList.add(`maze-${glyphName(v)}`);
    el.append(cell);
  });
  return el;
}

/**
 * Lays out `cols` columns of square cells of at most `cellPx`: the size is a CSS variable,
 * so that on a phone the stylesheet can shrink the boards to fit two side by side.
 */
export function sizeGrid(el: HTMLElement, cols: number, cellPx: number): void {
  el.style.setProperty('--cols', String(cols));
  el.style.setProperty('--cell-max', `${cellPx}px`);
}

/** Thicker lines between Sudoku boxes. */
export function boxBorders(shape: SudokuShape, r: number, c: number, n: number): string[] {
  const out: string[] = [];
  if ((c + 1) % shape.boxCols === 0 && c < n - 1) out.push('box-right');
  if ((r + 1) % shape.boxRows === 0 && r < n - 1) out.push('box-bottom');
  return out;
}

function glyphName(v: number): string {
  return ['wall', 'open', 'start', 'goal', 'path'][v] ?? 'unknown';
}

/** A titled grid, as used for demonstration pairs and the step view. */
export function captioned(title: string, body: Element): HTMLElement {
  return h('figure', { class: 'captioned' }, h('figcaption', {}, title), body);
}
