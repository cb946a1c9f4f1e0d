export { type BlockConfig, ReasoningBlock, ReasoningModule } from './blocks';
export {
  type ActBatch,
  type ActCarry,
  disposeCarry,
  disposeLatents,
  initialCarry,
  type Latents,
  resetCarry,
} from './carry';
export {
  checkReasoningConfig,
  type DataKeys,
  defaultPuzzleEmbLen,
  fromPreset,
  type LossType,
  type PosEncodings,
  type ReasoningConfig,
  reasoningConfigSpec,
} from './config';
export {
  ConfigError,
  type ConfigSpec,
  describeValue,
  FIELD_WORDING,
  type FieldSpec,
  type FieldWording,
  isPlainObject,
  validateFields,
} from './fields';
export { drawMinHaltSteps, type HaltingConfig, haltDecision, qContinueTarget } from './halting';
export { type Heads, ReasoningInner, SparsePuzzleEmbedding } from './inner';
export {
  type ActLosses,
  type ActMetrics,
  actLoss,
  actMetricSums,
  IGNORE_LABEL_ID,
  sequenceCorrectness,
} from './loss';
export {
  ActModel,
  type ActModelOptions,
  type CreateOptions,
  createActModel,
  disposeStep,
  type LossSums,
  type ScoredStep,
  type StepOutputs,
  type StepResult,
  type TrainStepResult,
} from './model';
export { withoutGradient } from './no-grad';
