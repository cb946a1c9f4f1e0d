/**
 * An independent Sudoku solution counter for tests: Knuth's Algorithm X with
 * dancing links over the exact-cover matrix (cell, row-digit, column-digit,
 * box-digit constraints). It shares no code with the package's solver.
 */
export function countSolutionsDlx(
  grid: ArrayLike<number>,
  boxRows: number,
  boxCols: number,
  limit = 2,
): number {
  const n = boxRows * boxCols;
  const columns = 4 * n * n;
  // Node arrays: index 0 is the root, 1..columns are column headers.
  const L: number[] = [];
  const R: number[] = [];
  const U: number[] = [];
  const D: number[] = [];
  const C: number[] = [];
  const size: number[] = new Array(columns + 1).fill(0);
  for (let i = 0; i <= columns; i++) {
    L.push(i - 1);
    R.push(i + 1);
    U.push(i);
    D.push(i);
    C.push(i);
  }
  L[0] = columns;
  R[columns] = 0;
  const addRow = (cols: number[]) => {
    let first = -1;
    for (const col of cols) {
      const node = L.length;
      C.push(col);
      U.push(U[col]);
      D.push(col);
      D[U[col]] = node;
      U[col] = node;
      size[col]++;
      if (first < 0) {
        L.push(node);
        R.push(node);
        first = node;
      } else {
        L.push(L[first]);
        R.push(first);
        R[L[first]] = node;
        L[first] = node;
      }
    }
  };
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const given = grid[r * n + c];
      for (let d = 0; d < n; d++) {
        if (given !== 0 && given !== d + 1) continue;
        const b = Math.floor(r / boxRows) * boxRows + Math.floor(c / boxCols);
        addRow([
          1 + r * n + c,
          1 + n * n + r * n + d,
          1 + 2 * n * n + c * n + d,
          1 + 3 * n * n + b * n + d,
        ]);
      }
    }
  }
  const cover = (col: number) => {
    R[L[col]] = R[col];
    L[R[col]] = L[col];
    for (let i = D[col]; i !== col; i = D[i]) {
      for (let j = R[i]; j !== i; j = R[j]) {
        D[U[j]] = D[j];
        U[D[j]] = U[j];
        size[C[j]]--;
      }
    }
  };
  const uncover = (col: number) => {
    for (let i = U[col]; i !== col; i = U[i]) {
      for (let j = L[i]; j !== i; j = L[j]) {
        size[C[j]]++;
        D[U[j]] = j;
        U[D[j]] = j;
      }
    }
    R[L[col]] = col;
    L[R[col]] = col;
  };
  let found = 0;
  const search = (): void => {
    if (R[0] === 0) {
      found++;
      return;
    }
    let col = R[0];
    for (let j = R[col]; j !== 0; j = R[j]) if (size[j] < size[col]) col = j;
    cover(col);
    for (let r = D[col]; r !== col && found < limit; r = D[r]) {
      for (let j = R[r]; j !== r; j = R[j]) cover(C[j]);
      search();
      for (let j = L[r]; j !== r; j = L[j]) uncover(C[j]);
    }
    uncover(col);
  };
  search();
  return found;
}
