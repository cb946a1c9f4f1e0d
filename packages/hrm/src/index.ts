export type { CreateOptions } from '@rrm/act';
export type { DataKeys } from '@rrm/reasoning';
export {
  HRM_PRESETS,
  type HRMConfig,
  type HRMPresetName,
  hrmConfig,
  hrmPreset,
} from './config';
export { createHRM, type HRM, HRMInner } from './model';
