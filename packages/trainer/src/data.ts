/**
 * The dataset a config names, built on first use when the config says how (generated
 * Sudoku or mazes for the small presets, ARC task files for arc-mini) by the builders of
 * `@rrm/puzzles` and `@rrm/arc`, which `rrm-data` uses too. A folder built with other
 * settings is an error, not reused.
 */
import { existsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { ArcDataError, type ArcPlanOptions } from '@rrm/arc';
import { type ArcSources, arcBuildSettings, buildArcDatasetFolder } from '@rrm/arc/node';
import { generatedDatasetBytes, type ProgressCallback, PuzzleOptionError } from '@rrm/puzzles';
import {
  buildMazeDataset,
  buildMismatch,
  buildSudokuDataset,
  mazeBuildSettings,
  type OpenedSplit,
  readSplit,
  sudokuBuildSettings,
} from '@rrm/puzzles/node';
import { ConfigError } from '@rrm/reasoning';
import { mazeBuildOptions, sudokuBuildOptions } from './build-options.js';
import type { ArcBuildConfig, BuildConfig, TrainConfig } from './config.js';

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

/** The ARC builder's sources and options for `build_data` (the test sets' test inputs held out). */
export function arcBuildOptions(
  b: ArcBuildConfig,
  onProgress?: ProgressCallback,
): { sources: ArcSources; options: ArcPlanOptions } {
  return {
    sources: { inputPrefix: b.input_prefix, subsets: b.subsets },
    options: {
      testSets: b.test_sets,
      numAug: b.num_aug,
      seed: b.seed,
      canvas: b.canvas,
      onlyFitting: b.only_fitting,
      onProgress,
    },
  };
}

/** What `build.json` must record for `b`, and how to build it. */
function datasetBuild(
  b: BuildConfig,
  onProgress?: ProgressCallback,
): { settings: Record<string, unknown>; build: (dir: string) => void } {
  if (b.kind === 'arc') {
    const { sources, options } = arcBuildOptions(b, onProgress);
    return {
      settings: arcBuildSettings(sources, options),
      build: (dir) => {
        buildArcDatasetFolder(dir, sources, options);
      },
    };
  }
  if (b.kind === 'maze') {
    const options = mazeBuildOptions(b, onProgress);
    return { settings: mazeBuildSettings(options), build: (dir) => buildMazeDataset(dir, options) };
  }
  // Generated Sudoku is built in memory before it is written (mazes stream to disk).
  const side = b.box_rows * b.box_cols;
  const bytes = generatedDatasetBytes(
    b.train_puzzles * (1 + b.num_aug) + b.test_puzzles,
    side ** 2,
  );
  if (bytes > totalmem() / 2) {
    throw new ConfigError(
      `config key "build_data": ${b.train_puzzles} training puzzles × ${1 + b.num_aug} copies need about ${(bytes / 2 ** 30).toFixed(1)} GB in memory, more than half of this machine's; lower train_puzzles or num_aug`,
    );
  }
  const options = sudokuBuildOptions(b, onProgress);
  return {
    settings: sudokuBuildSettings(options),
    build: (dir) => buildSudokuDataset(dir, options),
  };
}

/**
 * Makes sure the config's dataset is on disk; returns true when it was built now.
 * A missing dataset without `build_data` is an error that says how to make one, and so is
 * a folder whose recorded build differs from `build_data`.
 */
export function ensureDataset(cfg: TrainConfig, onProgress?: ProgressCallback): boolean {
  const dir = datasetDir(cfg);
  const plan = cfg.build_data ? datasetBuild(cfg.build_data, onProgress) : null;
  if (datasetExists(dir)) {
    const mismatch = plan && buildMismatch(dir, plan.settings);
    if (mismatch) {
      throw new ConfigError(
        `dataset ${dir}: not built with this config's build_data (${mismatch}); remove the folder to rebuild it, or set data_paths to another folder`,
      );
    }
    return false;
  }
  if (!plan) {
    throw new ConfigError(
      `dataset ${dir}: not found (no train/ and test/ dataset.json); build it with \`pnpm rrm-data build ...\` or set data_paths`,
    );
  }
  try {
    plan.build(dir);
  } catch (e) {
    // Task files that are missing, malformed or too large for the canvas are named too.
    if (e instanceof PuzzleOptionError || e instanceof ArcDataError)
      throw new ConfigError(`config key "build_data": ${e.message}`);
    throw e;
  }
  return true;
}

/** A dataset folder's two splits, open for reading. */
export interface TrainingData {
  readonly dir: string;
  readonly train: OpenedSplit;
  readonly test: OpenedSplit;
  close(): void;
}

/** The config's dataset, built first when it is missing and `build_data` says how. */
export function openTrainingData(
  cfg: TrainConfig,
  opts: { onProgress?: ProgressCallback; log?: (line: string) => void } = {},
): TrainingData {
  const dir = datasetDir(cfg);
  if (ensureDataset(cfg, opts.onProgress)) opts.log?.(`dataset: built ${dir}`);
  const train = readSplit(dir, 'train');
  let test: OpenedSplit;
  try {
    test = readSplit(dir, 'test');
  } catch (e) {
    train.close();
    throw e;
  }
  return {
    dir,
    train,
    test,
    close: () => {
      train.close();
      test.close();
    },
  };
}
