export {
  BACKEND_NAMES,
  type BackendName,
  type ChosenBackend,
  isBackendName,
  parseBackendName,
} from './names';
export { type SelectBackendOptions, selectBackend, webgpuUnavailable } from './select';
export { registerWebGpuKernels } from './webgpu-kernels';
