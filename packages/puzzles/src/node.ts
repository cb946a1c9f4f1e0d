/** @rrm/puzzles/node: dataset folders and streaming .npy files on disk. */
import type { PuzzleDataset } from './builders.js';
import { writeIdentifiers, writeSplit } from './layout.js';

export {
  arrayPath,
  buildDatasetFolder,
  FIELDS,
  type OpenedSplit,
  PuzzleSetWriter,
  type ReadSplitOptions,
  readIdentifiers,
  readMetadata,
  readSplit,
  type SetCounts,
  SPLITS,
  tokenDtype,
  writeIdentifiers,
  writeMetadata,
  writeSplit,
} from './layout.js';
export { buildMazeDataset, mazeBuildSettings } from './maze-build.js';
export { NpyFile, NpyWriter, readNpyFile, writeNpyFile } from './npy-file.js';
export {
  BUILD_FILE,
  buildMismatch,
  buildSudokuDataset,
  sudokuBuildSettings,
  sudokuCsv,
} from './sudoku-build.js';

/** Write a generated dataset (train, test, identifiers.json) to `dir` in the reference layout. */
export function writeDataset(dir: string, dataset: PuzzleDataset): void {
  writeSplit(dir, 'train', dataset.train);
  writeSplit(dir, 'test', dataset.test);
  writeIdentifiers(dir, dataset.identifiers);
}
