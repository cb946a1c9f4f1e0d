export { NativeBackend } from './backend.js';
export { SWIGLU, SWIGLU_GRAD } from './kernels/fused.js';
export { registerNativeBackend } from './register.js';
