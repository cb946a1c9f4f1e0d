import { loadAddon, type NativeAddon } from './addon.js';

/**
 * Why OpenBLAS runs narrower kernels than the CPU has, or null when it does not: on an
 * AVX-512 CPU, OpenBLAS's AVX2 kernels (`Haswell`, `Zen`), which `OPENBLAS_CORETYPE` can
 * force, run the models' matmuls at about half the speed (measured on a 2-vCPU AMD EPYC:
 * 110 against 205 GFLOP/s on one thread, and TRM training steps 1.5× slower). The addon
 * then runs its own AVX-512 kernels (`gemmKernels` 'avx512'), and the notice says so.
 */
export function narrowBlasNotice(
  addon: Pick<NativeAddon, 'blasCore' | 'blasAvx512Kernels' | 'isa' | 'gemmKernels'>,
  coretype: string | undefined,
): string | null {
  const { blasCore, blasAvx512Kernels, isa, gemmKernels } = addon;
  if (isa !== 'avx512' || blasCore === '' || blasAvx512Kernels) return null;
  const forced = coretype ? ` (OPENBLAS_CORETYPE=${coretype})` : '';
  const matmuls =
    gemmKernels === 'avx512'
      ? "; matmuls run on the addon's AVX-512 kernels instead"
      : '; unset RRM_NATIVE_GEMM for the AVX-512 ones, about 2× faster matmuls';
  return `OpenBLAS's ${blasCore} kernels on an AVX-512 CPU${forced}${matmuls}`;
}

/**
 * `narrowBlasNotice` for this process, for the backend choice line. The variable is the
 * user's to change, so the backend never overrides it.
 */
export function blasNotice(): string | null {
  return narrowBlasNotice(loadAddon(), process.env.OPENBLAS_CORETYPE);
}
