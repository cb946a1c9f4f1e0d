/**
 * @rrm/puzzles: the reference puzzle dataset format, its sampler, and the Sudoku
 * and maze generators. Everything here is pure and runs in the browser; file I/O
 * (reading and writing dataset folders, streaming .npy) is in `@rrm/puzzles/node`.
 */
export {
  type Example,
  generateMazeDataset,
  generateMazes,
  generateSudokuDataset,
  generateSudokuPuzzles,
  type MazeDatasetOptions,
  mazeSplit,
  type ProgressCallback,
  type PuzzleDataset,
  type SudokuDatasetOptions,
  type SudokuPuzzles,
  singleExampleMetadata,
  singleExampleSplit,
  sudokuGroup,
  sudokuSplit,
  sudokuVocabSize,
} from './builders.js';
export {
  generatedDatasetBytes,
  MemoryRows,
  memorySet,
  type PuzzleSet,
  type PuzzleSplit,
  type RowSource,
  validatePuzzleSet,
  validateSplitCounts,
} from './dataset.js';
export { PuzzleOptionError } from './errors.js';
export {
  DIHEDRAL_INVERSE,
  dihedral,
  dihedralShape,
  dihedralSource,
  type Grid,
  gridFromRows,
  gridKey,
  gridsEqual,
  gridToRows,
  inverseDihedral,
  makeGrid,
} from './grid.js';
export {
  decodeMaze,
  dihedralMaze,
  encodeMaze,
  formatMaze,
  generateMaze,
  MAZE_CHARSET,
  type Maze,
  type MazeOptions,
  mazeDistances,
  parseMazeCsv,
} from './maze.js';
export {
  DatasetError,
  METADATA_FIELDS,
  metadataJson,
  type PuzzleDatasetMetadata,
  PyFloat,
  pythonJson,
  validateMetadata,
} from './metadata.js';
export {
  decodeNpy,
  elementCount,
  encodeNpy,
  encodeNpyHeader,
  type NpyArray,
  type NpyData,
  type NpyDtype,
  NpyFormatError,
  type NpyHeader,
  parseNpyHeader,
  toInt32,
} from './npy.js';
export {
  type Batch,
  IGNORE_LABEL_ID,
  TrainSampler,
  type TrainSamplerOptions,
  type TrainSamplerState,
  testBatches,
} from './sampler.js';
export {
  applySudokuAugmentation,
  checkGivens,
  decodeSudoku,
  encodeSudoku,
  fewestGivens,
  formatSudoku,
  generateSudoku,
  isSolvedSudoku,
  parseSudokuCsv,
  randomSudokuAugmentation,
  type SolveResult,
  SUDOKU_SHAPES,
  type SudokuAugmentation,
  type SudokuCsvRow,
  type SudokuGenerateOptions,
  type SudokuPuzzle,
  type SudokuShape,
  shapeForCells,
  solveSudoku,
  sudokuConflicts,
  sudokuSignature,
  sudokuSize,
} from './sudoku.js';
