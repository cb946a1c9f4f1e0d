export {
  atomicWriteFile,
  type CheckpointRef,
  latestCheckpoint,
  listCheckpoints,
  writeCheckpointDir,
} from './checkpoint-files.js';
export {
  ConfigError,
  isPlainObject,
  type ModelName,
  mergeConfig,
  type SudokuBuildConfig,
  setDotted,
  type TrainConfig,
  totalSteps,
  validateTrainConfig,
} from './config.js';
export {
  datasetDir,
  datasetExists,
  ensureDataset,
  type ProgressFn,
  sudokuBuildOptions,
} from './data.js';
export {
  type HaltingStats,
  SetEvalAccumulator,
  type SetEvalMetrics,
  type StepMetrics,
} from './eval-metrics.js';
export {
  type EvalResult,
  type EvaluateOptions,
  type Evaluator,
  type EvaluatorBatch,
  evaluate,
  toActBatch,
} from './evaluate.js';
export { type MetricRecord, MetricsLog } from './metrics.js';
export {
  CONFIG_FILE,
  createModel,
  loadModel,
  MODEL_FILE,
  type Model,
  readRunConfig,
  resolveCheckpointDir,
  withDatasetKeys,
} from './model.js';
export { DEFAULT_PRESET, preset, presetNames, resolveConfig } from './presets.js';
export {
  NonFiniteLossError,
  type RunOptions,
  STATE_FILE,
  STATE_JSON,
  Trainer,
  type TrainerOptions,
  type TrainResult,
  type TrainStatus,
} from './trainer.js';
