export type { CreateOptions } from '@rrm/act';
export type { DataKeys } from '@rrm/reasoning';
export {
  TRM_PRESETS,
  type TRMConfig,
  type TRMPresetName,
  trmConfig,
  trmPreset,
  trmPuzzleEmbLen,
} from './config';
export { createTRM, type TRM, TRMInner } from './model';
