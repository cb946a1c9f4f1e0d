export { NativeBackend } from './backend.js';
export { registerNativeBackend } from './register.js';
