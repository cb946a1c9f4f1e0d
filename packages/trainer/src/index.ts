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
export { type MetricRecord, MetricsLog } from './metrics.js';
export { DEFAULT_PRESET, preset, presetNames, resolveConfig } from './presets.js';
