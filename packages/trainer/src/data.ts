/**
 * The dataset a config names, built on first use when the config says how (generated
 * Sudoku for the small presets). A build writes into a temporary folder renamed into
 * place at the end, so an interrupted build is never mistaken for a dataset.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateSudoku, type SudokuPuzzle, type SudokuShape, sudokuSplit } from '@rrm/puzzles';
import { writeDataset } from '@rrm/puzzles/node';
import { Rng } from '@rrm/random';
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

/**
 * Distinct generated puzzles: on small boards the generator repeats itself, and a test
 * puzzle that also appears in training would not be held out.
 */
export function distinctSudokus(
  count: number,
  shape: SudokuShape,
  rng: Rng,
  options: { minGivens: number; maxGivens: number; seen: Set<string>; onNew?: () => void },
): SudokuPuzzle[] {
  const out: SudokuPuzzle[] = [];
  for (let tries = 0; out.length < count; tries++) {
    if (tries > 100 * count + 1000) {
      throw new ConfigError(
        `build_data: cannot find ${count} distinct puzzles of this size (found ${out.length})`,
      );
    }
    const { minGivens, maxGivens } = options;
    // Drawn only for a range, so fixed-givens datasets keep their random stream.
    const target = maxGivens > minGivens ? minGivens + rng.int(maxGivens - minGivens + 1) : minGivens;
    const p = generateSudoku(shape, rng, { minGivens: target });
    const key = p.question.join('');
    if (options.seen.has(key)) continue;
    options.seen.add(key);
    out.push(p);
    options.onNew?.();
  }
  return out;
}

export function buildSudokuDataset(
  dir: string,
  b: SudokuBuildConfig,
  onProgress?: ProgressFn,
): void {
  const shape = { boxRows: b.box_rows, boxCols: b.box_cols };
  const rng = new Rng(b.seed);
  const total = b.train_puzzles + b.test_puzzles;
  let made = 0;
  const opts = {
    minGivens: b.min_givens,
    maxGivens: b.max_givens,
    seen: new Set<string>(),
    onNew: () => onProgress?.(++made, total),
  };
  const train = distinctSudokus(b.train_puzzles, shape, rng, opts);
  const test = distinctSudokus(b.test_puzzles, shape, rng, opts);
  const augRng = rng.fork(1);
  const dataset = {
    train: sudokuSplit(train, shape, { numAug: b.num_aug, rng: augRng }),
    test: sudokuSplit(test, shape, { numAug: 0, rng: augRng }),
    identifiers: ['<blank>'],
  };
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
