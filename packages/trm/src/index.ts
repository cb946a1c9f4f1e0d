export {
  type DataKeys,
  TRM_PRESETS,
  type TRMConfig,
  type TRMPresetName,
  trmConfig,
  trmPreset,
  trmPuzzleEmbLen,
} from './config';
export { type CreateOptions, createTRM, type TRM, TRMInner } from './model';
