export type { FmaPeak } from './addon.js';
export { NativeBackend } from './backend.js';
export { blasNotice, narrowBlasNotice } from './blas.js';
export {
  ATTENTION,
  ATTENTION_BLOCK,
  ATTENTION_BLOCK_GRAD,
  ATTENTION_GRAD,
  MLP_BLOCK,
  MLP_BLOCK_GRAD,
  RMS_NORM,
  RMS_NORM_GRAD,
  SWIGLU,
  SWIGLU_GRAD,
} from './contract.js';
export { measureFmaPeak } from './peak.js';
export { registerNativeBackend } from './register.js';
