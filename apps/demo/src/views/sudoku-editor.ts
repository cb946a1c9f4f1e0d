import { type Grid, makeGrid, type SudokuShape, sudokuConflicts, sudokuSize } from '@rrm/puzzles';
import { h } from './dom';
import { boxBorders, sizeGrid } from './grid-view';

export interface SudokuEditor {
  el: HTMLElement;
  read(): Grid;
  write(g: Grid): void;
}

/**
 * An editable board: type digits, arrows move, Backspace/Delete/0/. clear. A digit that
 * repeats in its row, column or box is marked as it is typed (class `dup`, aria-invalid).
 * Each cell is an <input> so it works with screen readers and on phones.
 */
export function sudokuEditor(shape: SudokuShape, onEdit: () => void): SudokuEditor {
  const n = sudokuSize(shape);
  const values = () => Uint8Array.from(inputs, (x) => Number(x.value) || 0);
  const markConflicts = () => {
    const clash = sudokuConflicts(values(), shape);
    inputs.forEach((x, i) => {
      x.classList.toggle('dup', clash[i] === 1);
      if (clash[i]) x.setAttribute('aria-invalid', 'true');
      else x.removeAttribute('aria-invalid');
    });
  };
  const edited = () => {
    markConflicts();
    onEdit();
  };
  const el = h('div', { class: 'grid grid-sudoku editor', 'data-testid': 'sudoku-editor' });
  sizeGrid(el, n, 30);
  const inputs = Array.from({ length: n * n }, (_, i) => {
    const r = Math.floor(i / n);
    const c = i % n;
    const input = h('input', {
      class: 'cell',
      inputmode: 'numeric',
      maxlength: 1,
      'aria-label': `row ${r + 1} column ${c + 1}`,
    });
    input.classList.add(...boxBorders(shape, r, c, n));
    input.addEventListener('keydown', (e) => {
      const move: Record<string, number> = {
        ArrowLeft: -1,
        ArrowRight: 1,
        ArrowUp: -n,
        ArrowDown: n,
      };
      if (e.key in move) {
        inputs[(i + move[e.key] + n * n) % (n * n)].focus();
        e.preventDefault();
      } else if (e.key.length === 1) {
        const d = Number(e.key);
        if (e.key >= '1' && d <= n) input.value = e.key;
        else if (e.key === '0' || e.key === '.' || e.key === ' ') input.value = '';
        else return e.preventDefault();
        e.preventDefault();
        inputs[Math.min(i + 1, n * n - 1)].focus();
        edited();
      } else if (e.key === 'Backspace' || e.key === 'Delete') {
        input.value = '';
        e.preventDefault();
        edited();
      }
    });
    // Pasting or autofill bypass keydown: keep only a valid digit.
    input.addEventListener('input', () => {
      const d = Number(input.value.slice(-1));
      input.value = d >= 1 && d <= n ? String(d) : '';
      edited();
    });
    el.append(input);
    return input;
  });
  return {
    el,
    read: () => makeGrid(n, n, values()),
    write: (g) => {
      if (g.rows !== n || g.cols !== n) {
        throw new Error(`sudoku editor: expected a ${n}×${n} board, got ${g.rows}×${g.cols}`);
      }
      g.data.forEach((v, i) => {
        inputs[i].value = v === 0 ? '' : String(v);
      });
      markConflicts();
    },
  };
}
