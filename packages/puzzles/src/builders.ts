/**
 * Sudoku and maze datasets in the reference layout: each original puzzle is a
 * group; the group's puzzles are the original and its augmentations, one example
 * each; every puzzle identifier is 0 (blank), as the reference builders write them.
 */
import { Rng } from '@rrm/random';
import { memorySet, type PuzzleSplit } from './dataset.js';
import { PuzzleOptionError } from './errors.js';
import { dihedralMaze, encodeMaze, generateMaze, type Maze, type MazeOptions } from './maze.js';
import type { PuzzleDatasetMetadata } from './metadata.js';
import {
  applySudokuAugmentation,
  checkGivens,
  encodeSudoku,
  generateSudoku,
  randomSudokuAugmentation,
  type SudokuGenerateOptions,
  type SudokuPuzzle,
  type SudokuShape,
  sudokuSignature,
  sudokuSize,
} from './sudoku.js';

export type Example = [input: Uint8Array, label: Uint8Array];

/** Train and test splits plus identifiers.json: what `writeDataset` puts on disk. */
export interface PuzzleDataset {
  train: PuzzleSplit;
  test: PuzzleSplit;
  identifiers: string[];
}

export type ProgressCallback = (
  done: number,
  total: number,
  fields?: Record<string, string | number>,
) => void;

/** dataset.json of a split of single-example puzzles in `groups` groups (one per original). */
export function singleExampleMetadata(
  groups: number,
  seqLen: number,
  vocabSize: number,
): PuzzleDatasetMetadata {
  return {
    pad_id: 0,
    ignore_label_id: 0,
    blank_identifier_id: 0,
    vocab_size: vocabSize,
    seq_len: seqLen,
    num_puzzle_identifiers: 1,
    total_groups: groups,
    mean_puzzle_examples: 1,
    // As the reference Sudoku and maze builders write it: an original and its augmentations
    // count once.
    total_puzzles: groups,
    sets: ['all'],
  };
}

/** A split of single-example puzzles, one group per original, all identifiers blank. */
export function singleExampleSplit(
  groups: Example[][],
  seqLen: number,
  vocabSize: number,
): PuzzleSplit {
  const count = groups.reduce((a, g) => a + g.length, 0);
  const inputs = new Uint8Array(count * seqLen);
  const labels = new Uint8Array(count * seqLen);
  const groupIndices = [0];
  let k = 0;
  for (const group of groups) {
    for (const [input, label] of group) {
      if (input.length !== seqLen || label.length !== seqLen) {
        throw new Error(
          `singleExampleSplit: example ${k} has length ${input.length}/${label.length}, expected ${seqLen}`,
        );
      }
      inputs.set(input, k * seqLen);
      labels.set(label, k * seqLen);
      k++;
    }
    groupIndices.push(k);
  }
  const set = memorySet({
    inputs,
    labels,
    puzzleIdentifiers: new Int32Array(count),
    puzzleIndices: Int32Array.from({ length: count + 1 }, (_, i) => i),
    groupIndices,
    seqLen,
  });
  return {
    metadata: singleExampleMetadata(groups.length, seqLen, vocabSize),
    sets: { all: set },
  };
}

/** Sudoku tokens: vocab = pad + blank + n digits. */
export function sudokuVocabSize(shape: SudokuShape): number {
  return sudokuSize(shape) + 2;
}

/** A puzzle as tokens, followed by `numAug` random relabellings/permutations of it. */
export function sudokuGroup(
  { question, answer }: SudokuPuzzle,
  shape: SudokuShape,
  options: { numAug: number; rng: Rng },
): Example[] {
  const group: Example[] = [[encodeSudoku(question), encodeSudoku(answer)]];
  for (let a = 0; a < options.numAug; a++) {
    const aug = randomSudokuAugmentation(shape, options.rng);
    group.push([
      encodeSudoku(applySudokuAugmentation(question, shape, aug)),
      encodeSudoku(applySudokuAugmentation(answer, shape, aug)),
    ]);
  }
  return group;
}

/** Each puzzle followed by `numAug` random relabellings/permutations of it. */
export function sudokuSplit(
  puzzles: SudokuPuzzle[],
  shape: SudokuShape,
  options: { numAug: number; rng: Rng },
): PuzzleSplit {
  const n = sudokuSize(shape);
  const groups = puzzles.map((p) => sudokuGroup(p, shape, options));
  return singleExampleSplit(groups, n * n, sudokuVocabSize(shape));
}

export interface SudokuDatasetOptions extends SudokuGenerateOptions {
  shape: SudokuShape;
  numTrain: number;
  numTest: number;
  /** Augmented copies of each training puzzle (the test split is never augmented). */
  numAug: number;
  seed: number;
  onProgress?: ProgressCallback;
}

export function checkCount(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be an integer >= 0, got ${v}`);
}

/** The original puzzles of a Sudoku build, and the stream their augmentations come from. */
export interface SudokuPuzzles {
  train: SudokuPuzzle[];
  test: SudokuPuzzle[];
  augRng: Rng;
}

/**
 * The original puzzles of a build, train then test, from one seeded stream. No puzzle is
 * kept twice, and a test puzzle whose augmentation signature (`sudokuSignature`) matches a
 * training puzzle's is redrawn, so no augmentation of a training puzzle is ever held out.
 */
export function generateSudokuPuzzles(options: SudokuDatasetOptions): SudokuPuzzles {
  checkCount('numTrain', options.numTrain);
  checkCount('numTest', options.numTest);
  checkCount('numAug', options.numAug);
  checkGivens(options.shape, options);
  const rng = new Rng(options.seed);
  const total = options.numTrain + options.numTest;
  const seen = new Set<string>();
  const trainSignatures = new Set<string>();
  let made = 0;
  const draw = (count: number, split: 'train' | 'test'): SudokuPuzzle[] => {
    const out: SudokuPuzzle[] = [];
    for (let tries = 0; out.length < count; tries++) {
      // Small boards run out of distinct puzzles; say so instead of looping forever.
      if (tries > 100 * count + 1000) {
        throw new PuzzleOptionError(
          `cannot find ${count} distinct ${split} puzzles with these settings (found ${out.length}); ask for fewer or widen the givens`,
        );
      }
      const p = generateSudoku(options.shape, rng, options);
      const key = p.question.join('');
      if (seen.has(key)) continue;
      const signature = sudokuSignature(p.question, options.shape);
      if (split === 'test' && trainSignatures.has(signature)) continue;
      if (split === 'train') trainSignatures.add(signature);
      seen.add(key);
      out.push(p);
      options.onProgress?.(++made, total);
    }
    return out;
  };
  const train = draw(options.numTrain, 'train');
  const test = draw(options.numTest, 'test');
  return { train, test, augRng: rng.fork(1) };
}

/** Generate unique-solution Sudokus and lay them out as a train/test dataset, in memory. */
export function generateSudokuDataset(options: SudokuDatasetOptions): PuzzleDataset {
  const { train, test, augRng } = generateSudokuPuzzles(options);
  return {
    train: sudokuSplit(train, options.shape, { numAug: options.numAug, rng: augRng }),
    test: sudokuSplit(test, options.shape, { numAug: 0, rng: augRng }),
    identifiers: ['<blank>'],
  };
}

/** Mazes, each optionally followed by its 7 other dihedral transforms (as the reference `aug`). */
export function mazeSplit(
  mazes: Maze[],
  options: { dihedral: boolean; size?: number },
): PuzzleSplit {
  const size = mazes[0]?.size ?? options.size;
  if (size === undefined) throw new Error('mazeSplit: no mazes and no size');
  const groups = mazes.map((m) => {
    if (m.size !== size) throw new Error(`mazeSplit: maze sizes differ (${m.size} vs ${size})`);
    return mazeGroup(m, options.dihedral);
  });
  return singleExampleSplit(groups, size * size, MAZE_VOCAB_SIZE);
}

/** Maze tokens: pad + the five characters of MAZE_CHARSET. */
export const MAZE_VOCAB_SIZE = 6;

/** One maze's group: the maze, and with `dihedral` its seven other dihedral transforms. */
export function mazeGroup(m: Maze, dihedral: boolean): Example[] {
  return Array.from(
    { length: dihedral ? 8 : 1 },
    (_, t): Example => [
      encodeMaze(dihedralMaze(m.question, m.size, t)),
      encodeMaze(dihedralMaze(m.answer, m.size, t)),
    ],
  );
}

export interface MazeDatasetOptions extends MazeOptions {
  numTrain: number;
  numTest: number;
  /** Test mazes only: start and goal at least this many steps apart (default minPathLength). */
  testMinPathLength?: number;
  /** Add the dihedral transforms of each training maze. */
  augment: boolean;
  seed: number;
  onProgress?: ProgressCallback;
}

/** A maze's dihedral class: the least of its question's eight transforms. */
function mazeClass(m: Maze): string {
  let least = m.question;
  for (let t = 1; t < 8; t++) {
    const q = dihedralMaze(m.question, m.size, t);
    if (q < least) least = q;
  }
  return least;
}

/** Redraws of a test maze that repeats a training one before the build gives up. */
const MAX_REDRAWS = 100;

/**
 * The mazes of a build, training first, from one seeded stream. A test maze whose dihedral
 * class is already drawn is redrawn, so that no transform of a training maze (nor a second
 * copy of a test maze) is ever held out.
 */
export function* generateMazes(
  options: MazeDatasetOptions,
): Generator<{ split: 'train' | 'test'; maze: Maze }> {
  checkCount('numTrain', options.numTrain);
  checkCount('numTest', options.numTest);
  const rng = new Rng(options.seed);
  const total = options.numTrain + options.numTest;
  const seen = new Set<string>();
  for (let i = 0; i < options.numTrain; i++) {
    const maze = generateMaze(rng, options);
    if (options.numTest > 0) seen.add(mazeClass(maze));
    options.onProgress?.(i + 1, total);
    yield { split: 'train', maze };
  }
  const test = { ...options, minPathLength: options.testMinPathLength ?? options.minPathLength };
  for (let i = 0; i < options.numTest; i++) {
    let maze = generateMaze(rng, test);
    for (let redraws = 0; seen.has(mazeClass(maze)); redraws++) {
      if (redraws === MAX_REDRAWS)
        throw new PuzzleOptionError(
          `generateMazes: ${MAX_REDRAWS} test mazes in a row repeat earlier ones; ${test.size ?? 30}x${test.size ?? 30} mazes are too few for ${total}`,
        );
      maze = generateMaze(rng, test);
    }
    seen.add(mazeClass(maze));
    options.onProgress?.(options.numTrain + i + 1, total);
    yield { split: 'test', maze };
  }
}

export function generateMazeDataset(options: MazeDatasetOptions): PuzzleDataset {
  const mazes = [...generateMazes(options)];
  const size = options.size ?? 30;
  const of = (split: 'train' | 'test') => mazes.filter((m) => m.split === split).map((m) => m.maze);
  return {
    train: mazeSplit(of('train'), { dihedral: options.augment, size }),
    test: mazeSplit(of('test'), { dihedral: false, size }),
    identifiers: ['<blank>'],
  };
}
