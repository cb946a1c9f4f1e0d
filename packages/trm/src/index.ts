export type { CreateOptions, DataKeys } from '@rrm/act';
export {
  TRM_PRESETS,
  type TRMConfig,
  type TRMPresetName,
  trmConfig,
  trmPreset,
  trmPuzzleEmbLen,
} from './config';
export { createTRM, type TRM, TRMInner } from './model';
