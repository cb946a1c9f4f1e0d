/**
 * @rrm/trainer: the deep-supervision trainer for Node. Everything of
 * `@rrm/trainer/browser` (presets, configs, the loop, evaluation), plus run folders,
 * checkpoints on disk, datasets built on first use, and conversion to the reference layout.
 */
export * from './browser.js';
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
export { LIMITS, type ModelName, mergeConfig, setDotted } from './config.js';
export { type ConvertResult, type ConvertTarget, convertCheckpoint } from './convert.js';
export { arcBuildOptions, ensureDataset, openTrainingData, type TrainingData } from './data.js';
export {
  type HaltingStats,
  SetEvalAccumulator,
  type SetEvalMetrics,
  type StepMetrics,
} from './eval-metrics.js';
export { type EvaluateOptions, type EvaluatorBatch, toActBatch } from './evaluate.js';
export { MetricsLog } from './metrics.js';
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
