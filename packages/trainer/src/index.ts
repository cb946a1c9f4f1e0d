export { mazeBuildOptions, sudokuBuildOptions } from './build-options.js';
export {
  atomicWriteFile,
  type CheckpointRef,
  latestCheckpoint,
  listCheckpoints,
  writeCheckpointDir,
} from './checkpoint-files.js';
export {
  checkFiniteWeights,
  checkModelFitsDataset,
  firstNonFinite,
  NonFiniteWeightsError,
} from './checks.js';
export {
  type BuildConfig,
  LIMITS,
  type MazeBuildConfig,
  type ModelName,
  mergeConfig,
  type SudokuBuildConfig,
  setDotted,
  type TrainConfig,
  totalSteps,
  validateTrainConfig,
} from './config.js';
export { type ConvertResult, type ConvertTarget, convertCheckpoint } from './convert.js';
export { ensureDataset, openTrainingData, type TrainingData } from './data.js';
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
export { type MetricRecord, MetricsLog } from './metrics.js';
export {
  type Checkpoint,
  CONFIG_FILE,
  loadModel,
  MODEL_FILE,
  modelFromCheckpoint,
  readCheckpoint,
  readRunConfig,
  resolveCheckpointDir,
} from './model.js';
export { DEFAULT_PRESET, preset, presetNames, resolveConfig } from './presets.js';
export { fromReferenceConfig, toReferenceConfig } from './reference.js';
export {
  describeFsError,
  LOCK_FILE,
  openRunFolder,
  type RunFolder,
  RunFolderError,
} from './run-folder.js';
export {
  checkpointFiles,
  loadTrainingState,
  readSavedState,
  type SavedState,
  STATE_FILE,
  STATE_JSON,
  type TrainingParts,
} from './train-state.js';
export {
  type EvaluatorFactories,
  NONFINITE_PREFIX,
  type RunOptions,
  Trainer,
  type TrainerOptions,
  type TrainResult,
  TrainStateError,
  type TrainStatus,
} from './trainer.js';
