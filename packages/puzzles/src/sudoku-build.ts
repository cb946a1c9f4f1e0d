/**
 * The one Sudoku dataset builder on disk, used by the trainer (datasets built on first use)
 * and by `rrm-data`: original puzzles are generated first (they are few and the duplicate
 * checks need them all), then each group and its augmentations is streamed to the .npy
 * files, so memory does not grow with `numAug`. The folder also gets the originals as
 * Sudoku-Extreme CSVs with a solver-effort `rating`, and `build.json`, the settings it was
 * built with, so that a folder built otherwise is detected instead of silently reused.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Rng } from '@rrm/random';
import {
  generateSudokuPuzzles,
  type SudokuDatasetOptions,
  singleExampleMetadata,
  sudokuGroup,
  sudokuVocabSize,
} from './builders.js';
import {
  buildDatasetFolder,
  PuzzleSetWriter,
  tokenDtype,
  writeIdentifiers,
  writeMetadata,
} from './layout.js';
import { type SudokuPuzzle, type SudokuShape, solveSudoku, sudokuSize } from './sudoku.js';

export const BUILD_FILE = 'build.json';

/** Bumped whenever the same settings would build different puzzles. */
const SUDOKU_BUILDER_VERSION = 1;

/** What `build.json` records: everything that decides the puzzles written. */
export function sudokuBuildSettings(options: SudokuDatasetOptions): Record<string, unknown> {
  return {
    kind: 'sudoku',
    version: SUDOKU_BUILDER_VERSION,
    box_rows: options.shape.boxRows,
    box_cols: options.shape.boxCols,
    train_puzzles: options.numTrain,
    test_puzzles: options.numTest,
    num_aug: options.numAug,
    min_givens: options.minGivens ?? 0,
    max_givens: options.maxGivens ?? null,
    min_effort: options.minEffort ?? 0,
    seed: options.seed,
  };
}

/**
 * How the folder's recorded build differs from `settings` (`key: recorded -> wanted`, one
 * per key), or null when they agree. A folder without a record differs by definition.
 */
export function buildMismatch(dir: string, settings: Record<string, unknown>): string | null {
  const path = join(dir, BUILD_FILE);
  if (!existsSync(path)) return `no ${BUILD_FILE} records how it was built`;
  let recorded: Record<string, unknown>;
  try {
    recorded = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return `${path} is not JSON (${(e as Error).message})`;
  }
  const keys = [...new Set([...Object.keys(recorded), ...Object.keys(settings)])];
  const diffs = keys
    .filter((k) => JSON.stringify(recorded[k]) !== JSON.stringify(settings[k]))
    .map(
      (k) => `${k}: ${JSON.stringify(recorded[k])} there, ${JSON.stringify(settings[k])} wanted`,
    );
  return diffs.length > 0 ? diffs.join('; ') : null;
}

function csvCell(v: number, n: number): string {
  return v === 0 ? '.' : v.toString(n + 1);
}

/** The Sudoku-Extreme CSV of `puzzles`; `rating` is the uniqueness proof's guesses. */
export function sudokuCsv(puzzles: SudokuPuzzle[], shape: SudokuShape, source: string): string {
  const n = sudokuSize(shape);
  const lines = ['source,question,answer,rating'];
  for (const p of puzzles) {
    const q = Array.from(p.question, (v) => csvCell(v, n)).join('');
    const a = Array.from(p.answer, (v) => csvCell(v, n)).join('');
    const rating = solveSudoku(p.question, shape, { limit: 2 }).guesses;
    lines.push(`${source},${q},${a},${rating}`);
  }
  return `${lines.join('\n')}\n`;
}

function writeGroups(
  dir: string,
  split: 'train' | 'test',
  puzzles: SudokuPuzzle[],
  shape: SudokuShape,
  aug: { numAug: number; rng: Rng },
): void {
  const seqLen = sudokuSize(shape) ** 2;
  const vocab = sudokuVocabSize(shape);
  const count = puzzles.length * (1 + aug.numAug);
  const writer = new PuzzleSetWriter(dir, split, 'all', {
    numExamples: count,
    seqLen,
    dtype: tokenDtype(vocab),
  });
  for (const p of puzzles) {
    for (const [input, label] of sudokuGroup(p, shape, aug)) {
      writer.addExample(input, label);
      writer.endPuzzle(0);
    }
    writer.endGroup();
  }
  writer.close();
  writeMetadata(dir, split, singleExampleMetadata(puzzles.length, seqLen, vocab));
  writeFileSync(join(dir, `${split}.csv`), sudokuCsv(puzzles, shape, `rrm-${split}`));
}

/**
 * Build a generated Sudoku dataset into `dir` (replacing it): the reference layout, the
 * CSVs and `build.json`, built whole (`buildDatasetFolder`).
 */
export function buildSudokuDataset(dir: string, options: SudokuDatasetOptions): void {
  const { train, test, augRng } = generateSudokuPuzzles(options);
  buildDatasetFolder(dir, (tmp) => {
    writeGroups(tmp, 'train', train, options.shape, { numAug: options.numAug, rng: augRng });
    writeGroups(tmp, 'test', test, options.shape, { numAug: 0, rng: augRng });
    writeIdentifiers(tmp, ['<blank>']);
    writeFileSync(
      join(tmp, BUILD_FILE),
      `${JSON.stringify(sudokuBuildSettings(options), null, 2)}\n`,
    );
  });
}
