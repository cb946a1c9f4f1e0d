/**
 * The dataset a config names, built on first use when the config says how (generated
 * Sudoku for the small presets). A build writes into a temporary folder renamed into
 * place at the end, so an interrupted build is never mistaken for a dataset.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateSudokuDataset } from '@rrm/puzzles';
import { writeDataset } from '@rrm/puzzles/node';
import { ConfigError, type SudokuBuildConfig, type TrainConfig } from './config.js';

export type ProgressFn = (
  done: number,
  total: number,
  fields?: Record<string, string | number>,
) => void;

export function datasetDir(cfg: TrainConfig): string {
  if (cfg.data_paths.length !== 1) {
    throw new ConfigError(
      `config key "data_paths": one dataset folder supported, got ${cfg.data_paths.length} (${cfg.data_paths.join(', ')})`,
    );
  }
  return cfg.data_paths[0];
}

export function datasetExists(dir: string): boolean {
  return (
    existsSync(join(dir, 'train', 'dataset.json')) && existsSync(join(dir, 'test', 'dataset.json'))
  );
}

export function buildSudokuDataset(
  dir: string,
  b: SudokuBuildConfig,
  onProgress?: ProgressFn,
): void {
  const dataset = generateSudokuDataset({
    shape: { boxRows: b.box_rows, boxCols: b.box_cols },
    numTrain: b.train_puzzles,
    numTest: b.test_puzzles,
    numAug: b.num_aug,
    minGivens: b.min_givens,
    seed: b.seed,
    onProgress,
  });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(dirname(tmp), { recursive: true });
  writeDataset(tmp, dataset);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

/**
 * Makes sure the config's dataset is on disk; returns true when it was built now.
 * A missing dataset without `build_data` is an error that says how to make one.
 */
export function ensureDataset(cfg: TrainConfig, onProgress?: ProgressFn): boolean {
  const dir = datasetDir(cfg);
  if (datasetExists(dir)) return false;
  if (!cfg.build_data) {
    throw new ConfigError(
      `dataset ${dir}: not found (no train/ and test/ dataset.json); build it with \`pnpm rrm-data build ...\` or set data_paths`,
    );
  }
  buildSudokuDataset(dir, cfg.build_data, onProgress);
  return true;
}
