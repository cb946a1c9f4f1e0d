export type { CreateOptions, DataKeys } from '@rrm/act';
export {
  HRM_PRESETS,
  type HRMConfig,
  type HRMPresetName,
  hrmConfig,
  hrmPreset,
} from './config';
export { createHRM, type HRM, HRMInner } from './model';
