import { registerGradients } from './gradients';

// tfjs-core registers no gradients by itself; training with these layers needs them.
await registerGradients();

export { lecunStd, truncNormal } from './init';
export {
  binaryCrossEntropyWithLogits,
  IGNORE_LABEL_ID,
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
  LearnedPositionEmbedding,
  postNorm,
  RotaryEmbedding,
  rmsNorm,
  SwiGLU,
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
export { fromTensor, toTensor } from './tensors';
export { expectFlatTensorCount } from './testing';
export { registerGradients };
