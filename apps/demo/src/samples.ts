import {
  type Grid,
  generateMaze,
  generateSudoku,
  MAZE_CHARSET,
  makeGrid,
  type SudokuShape,
  solveSudoku,
  sudokuSize,
} from '@rrm/puzzles';
import { Rng } from '@rrm/random';
import { puzzlesFromArcTask } from './arc-task';
import type { Puzzle } from './puzzle';
import arcA from './samples/00576224.json';
import arcB from './samples/03560426.json';

/**
 * A Sudoku as the page holds it. The solution is worked out with the
 * @rrm/puzzles solver, so a typed puzzle is checked too when it has exactly one.
 */
export function sudokuPuzzle(
  id: string,
  title: string,
  shape: SudokuShape,
  question: Uint8Array,
): Puzzle {
  const n = sudokuSize(shape);
  const { count, solution } = solveSudoku(question, shape, { limit: 2 });
  return {
    id,
    title,
    kind: 'sudoku',
    shape,
    input: makeGrid(n, n, question),
    solution: count === 1 && solution ? makeGrid(n, n, solution) : undefined,
    note:
      count === 1
        ? undefined
        : count === 0
          ? 'this Sudoku has no solution'
          : 'this Sudoku has more than one solution',
  };
}

/**
 * Generated Sudokus of the shape a checkpoint was trained on, with the same floor
 * on givens as its training data (`build_data.min_givens`), so the samples are in
 * distribution. 0 removes digits for as long as the solution stays unique.
 */
export function sudokuSamples(shape: SudokuShape, minGivens: number, count = 3): Puzzle[] {
  const n = sudokuSize(shape);
  return Array.from({ length: count }, (_, i) => {
    const seed = 1000 + i;
    const { question } = generateSudoku(shape, new Rng(seed), { minGivens });
    return sudokuPuzzle(
      `sudoku-${n}x${n}-${seed}`,
      `Sudoku ${n}×${n} #${i + 1} (seed ${seed})`,
      shape,
      question,
    );
  });
}

function mazeGrid(text: string, size: number): Grid {
  return makeGrid(
    size,
    size,
    Array.from(text, (ch) => MAZE_CHARSET.indexOf(ch)),
  );
}

/** A loop-free maze (one path from S to G) whose path is at least `minPath` steps long. */
export function mazeSample(seed: number, size: number, minPath = size): Puzzle {
  const maze = generateMaze(new Rng(seed), { size, minPathLength: minPath, loopFraction: 0 });
  return {
    id: `maze-${size}-${seed}`,
    title: `Maze ${size}×${size} (seed ${seed})`,
    kind: 'maze',
    input: mazeGrid(maze.question, size),
    solution: mazeGrid(maze.answer, size),
  };
}

/** Bundled puzzles whatever the checkpoint; the ARC tasks are from ARC-AGI-1 (Apache-2.0). */
export const FIXED_SAMPLES: Puzzle[] = [
  ...puzzlesFromArcTask(JSON.stringify(arcA), '00576224.json'),
  ...puzzlesFromArcTask(JSON.stringify(arcB), '03560426.json'),
  // As long as the held-out mazes the maze models are scored on (docs/results.md).
  mazeSample(7, 15, 40),
  mazeSample(7, 30, 120),
];
