import {
  findBackendFactory,
  getKernelsForBackend,
  type KernelConfig,
  type KernelFunc,
  registerBackend,
  registerKernel,
} from '@tensorflow/tfjs-core';
// Registers every cpu kernel: the fallbacks this backend copies.
import '@tensorflow/tfjs-backend-cpu';
import { loadAddon } from './addon.js';
import { type KernelArgs, NativeBackend, type NativeKernel } from './backend.js';
import { registerFusedGradients } from './contract.js';
import { blockKernels } from './kernels/block.js';
import { elementwiseKernels } from './kernels/elementwise.js';
import { fusedKernels } from './kernels/fused.js';
import { matmulKernels } from './kernels/matmul.js';
import { movementKernels } from './kernels/movement.js';
import { reduceKernels } from './kernels/reduce.js';

export const nativeKernels: Record<string, NativeKernel> = {
  ...elementwiseKernels,
  ...matmulKernels,
  ...reduceKernels,
  ...movementKernels,
};

/** Wraps a native kernel so inputs it declines go to the cpu kernel of the same name. */
function withFallback(native: NativeKernel, cpu: KernelFunc): KernelFunc {
  return (args) => native(args as unknown as KernelArgs) ?? cpu(args);
}

/**
 * Registers the TF.js backend `native`: the cpu backend's storage and kernels,
 * with the kernels above replaced by the addon's. Safe to call again. Throws an
 * Error whose message says why when the addon cannot be loaded.
 */
export function registerNativeBackend(): void {
  const addon = loadAddon();
  if (findBackendFactory('native') !== null) return;
  // Priority 0: registering must not make `native` the default over an
  // explicitly preferred backend; callers select it with tf.setBackend.
  registerBackend('native', () => new NativeBackend(addon), 0);
  for (const config of getKernelsForBackend('cpu')) {
    const native = nativeKernels[config.kernelName];
    const copy: KernelConfig = {
      ...config,
      backendName: 'native',
      kernelFunc:
        native === undefined ? config.kernelFunc : withFallback(native, config.kernelFunc),
    };
    registerKernel(copy);
  }
  for (const [kernelName, kernel] of Object.entries({ ...fusedKernels, ...blockKernels })) {
    registerKernel({
      kernelName,
      backendName: 'native',
      kernelFunc: (args) => kernel(args as unknown as KernelArgs)!,
    });
  }
  registerFusedGradients();
}
