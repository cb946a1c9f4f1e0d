/**
 * The puzzle builders' options for a config's `build_data`, shared by the Node trainer
 * (datasets built on disk on first use) and a browser worker (generated in memory).
 */
import {
  checkGivens,
  type MazeDatasetOptions,
  type ProgressCallback,
  PuzzleOptionError,
  type SudokuDatasetOptions,
} from '@rrm/puzzles';
import { ConfigError } from '@rrm/reasoning';
import type { MazeBuildConfig, SudokuBuildConfig } from './config.js';

/**
 * The builder's options for `build_data` (max_givens 0: one fixed givens count); givens
 * impossible for the board are a ConfigError naming the key.
 */
export function sudokuBuildOptions(
  b: SudokuBuildConfig,
  onProgress?: ProgressCallback,
): SudokuDatasetOptions {
  const options = {
    shape: { boxRows: b.box_rows, boxCols: b.box_cols },
    numTrain: b.train_puzzles,
    numTest: b.test_puzzles,
    numAug: b.num_aug,
    minGivens: b.min_givens,
    maxGivens: b.max_givens > 0 ? b.max_givens : undefined,
    seed: b.seed,
    onProgress,
  };
  try {
    checkGivens(options.shape, options, {
      min: '"build_data.min_givens"',
      max: '"build_data.max_givens"',
    });
  } catch (e) {
    if (e instanceof PuzzleOptionError) throw new ConfigError(`config key ${e.message}`);
    throw e;
  }
  return options;
}

export function mazeBuildOptions(
  b: MazeBuildConfig,
  onProgress?: ProgressCallback,
): MazeDatasetOptions {
  return {
    size: b.size,
    numTrain: b.train_puzzles,
    numTest: b.test_puzzles,
    minPathLength: b.min_path,
    testMinPathLength: b.test_min_path ?? undefined,
    loopFraction: b.loop_fraction,
    carver: b.carver,
    augment: b.augment,
    seed: b.seed,
    onProgress,
  };
}
