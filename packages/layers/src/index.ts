// tfjs-core registers no gradients by itself; training with these layers needs them.
import '#register-gradients';

export { lecunStd, truncNormal } from './init';
export {
  binaryCrossEntropyWithLogits,
  logStablemax,
  softmaxCrossEntropy,
  stablemaxCrossEntropy,
} from './losses';
export { Embedding, Linear, Module, WeightsMismatchError } from './module';
export {
  Attention,
  applyRotary,
  type CosSin,
  findMultiple,
  fusedAttentionBlock,
  fusedMlpBlock,
  GridMixing,
  gridNeighbourIndex,
  LearnedPositionEmbedding,
  postNorm,
  RotaryEmbedding,
  rmsNorm,
  SudokuMixing,
  SwiGLU,
  sudokuGroupTable,
  swigluInner,
  TokenMixingMLP,
} from './nn';
export {
  AdamATan2,
  type AdamOptions,
  AdamW,
  type CosineScheduleOptions,
  cosineSchedule,
  EMA,
  type OptimizerState,
  SignSGDSparse,
} from './optim';
export {
  decodeTensorBytes,
  expectTensor,
  readSafetensors,
  type SafetensorsDtype,
  SafetensorsError,
  type SafetensorsFile,
  type TensorRecord,
  type WritableTensor,
  writeSafetensors,
} from './safetensors';
export { detach, noGrad, type Tensors, valueAndGradsWithAux } from './tape';
export { downloadValues, fromTensor, toTensor } from './tensors';
export { expectFlatTensorCount, expectTensorsClose } from './testing';
