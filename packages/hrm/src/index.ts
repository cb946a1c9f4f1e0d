export {
  type DataKeys,
  HRM_PRESETS,
  type HRMConfig,
  type HRMPresetName,
  hrmConfig,
  hrmPreset,
} from './config';
export { type CreateOptions, createHRM, type HRM, HRMInner } from './model';
