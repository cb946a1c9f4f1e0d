export { dataKeysFromWeights } from './data-keys';
export { CheckpointError } from './errors';
export { createModel, modelFromWeights } from './models';
export { readStateDictPickle, STORAGE_TYPES, type TensorRef, writeStateDictPickle } from './pickle';
export {
  type ModelKind,
  parseReferenceConfig,
  type RunConfig,
  referenceConfigYaml,
  TRAIN_KEYS,
} from './reference-config';
export { isZip, readTorchCheckpoint, writeTorchCheckpoint } from './torch';
export {
  checkpointTensors,
  detectPrefix,
  type LoadOptions,
  loadWeights,
  PUZZLE_TABLE,
  REFERENCE_PREFIX,
  readWeights,
  saveCheckpoint,
  saveTorchCheckpoint,
  type WeightsFormat,
} from './weights';
