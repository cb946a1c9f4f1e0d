/**
 * @rrm/trainer/browser: what trains without a file system (a browser tab, a worker): the
 * presets and config validation, the deep-supervision loop and evaluation. The Node entry
 * (`@rrm/trainer`) adds run folders, checkpoints on disk and datasets built on first use.
 */
export { mazeBuildOptions, sudokuBuildOptions } from './build-options.js';
export {
  type ArcBuildConfig,
  type BuildConfig,
  configJson,
  type MazeBuildConfig,
  type SudokuBuildConfig,
  type TrainConfig,
  totalSteps,
  validateTrainConfig,
} from './config.js';
export { type EvalResult, type Evaluator, evaluate } from './evaluate.js';
export {
  createModel,
  type LoopPosition,
  type Model,
  modelCheckpoint,
  NonFiniteLossError,
  NonFiniteUpdateError,
  TrainingLoop,
  withDatasetKeys,
} from './loop.js';
export type { MetricRecord } from './metrics.js';
export { DEFAULT_PRESET, preset, presetNames, resolveConfig } from './presets.js';
