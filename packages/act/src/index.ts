export {
  type ActBatch,
  type ActCarry,
  disposeCarry,
  initialCarry,
  type Latents,
  type ResetCarry,
  resetCarry,
} from './carry';
export {
  drawMinHaltSteps,
  type HaltingConfig,
  haltDecision,
  haltLogit,
  qContinueTarget,
} from './halting';
export {
  type ActLosses,
  type ActMetrics,
  actLoss,
  actLossHead,
  actMetricSums,
  type LossType,
  sequenceCorrectness,
} from './loss';
export {
  type ActGradStep,
  type ActInner,
  ActModel,
  type ActModelOptions,
  type ActStep,
  type CreateOptions,
  createActModel,
  disposeStep,
  type EvaluationStep,
  evaluationSteps,
  type Heads,
  type InnerOutput,
  type LossSums,
  type StepOutputs,
} from './model';
