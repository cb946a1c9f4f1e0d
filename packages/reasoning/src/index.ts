export { type BlockConfig, ReasoningBlock, ReasoningModule } from './blocks';
export {
  checkReasoningConfig,
  type DataKeys,
  defaultPuzzleEmbLen,
  fromPreset,
  isSizeFree,
  type PosEncodings,
  type ReasoningConfig,
  reasoningConfigSpec,
} from './config';
export {
  ConfigError,
  type ConfigSpec,
  describeValue,
  type FieldSpec,
  isPlainObject,
  validateFields,
} from './fields';
export { ReasoningInner, SparsePuzzleEmbedding } from './inner';
