/**
 * @rrm/arc: ARC-AGI tasks (both public formats, validated), the token encoding on a
 * 30x30 canvas (or a smaller one for the tasks that fit), dihedral and colour
 * augmentation, the reference dataset plan and the voting evaluator. Pure and
 * browser-safe; files and the streaming build are in `@rrm/arc/node`.
 */
export {
  type ArcAugmentation,
  AUGMENT_RETRIES_FACTOR,
  applyAugmentation,
  augmentationName,
  chooseAugmentations,
  IDENTITY_AUGMENTATION,
  invertAugmentation,
  NAME_SEPARATOR,
  pairsKey,
  parseAugmentationName,
  randomAugmentation,
} from './augment.js';
export {
  type ArcPairJson,
  type ArcPlan,
  type ArcPlanOptions,
  type ArcSubset,
  arcSplitMetadata,
  type PlannedPuzzle,
  planArcDataset,
  taskToJson,
} from './build.js';
export {
  ARC_PALETTE,
  ARC_SEQ_LEN,
  ARC_VOCAB_SIZE,
  arcCanvasForSeqLen,
  arcTaskOverflow,
  checkArcCanvas,
  checkArcTaskFits,
  cropArcGrid,
  EOS,
  encodeArcGrid,
  formatArcGrid,
  locateArcGrid,
  type Offset,
  PAD,
  randomOffset,
} from './encode.js';
export {
  ArcEvaluator,
  type ArcResult,
  type Attempts,
  DEFAULT_PASS_KS,
  type EvaluatorBatch,
  type RankedCandidate,
  type TestPuzzlesJson,
} from './evaluate.js';
export {
  ARC_MAX_GRID,
  ArcDataError,
  type ArcPair,
  type ArcTask,
  type ParseOptions,
  parseCombined,
  parseGrid,
  parseTask,
} from './task.js';
export { type ArcVariant, type ArcVariants, arcTestVariants } from './variants.js';
