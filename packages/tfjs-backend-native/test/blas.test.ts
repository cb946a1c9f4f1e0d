import { describe, expect, it } from 'vitest';
import { loadAddon } from '../src/addon.js';
import { narrowBlasNotice } from '../src/index.js';

// What the addon reports of its BLAS and CPU, as narrowBlasNotice reads it.
const addon = (
  blasCore: string,
  isa: 'avx512' | 'avx2',
  gemmKernels: 'avx512' | 'blas',
  blasAvx512Kernels = false,
) => ({ blasCore, isa, gemmKernels, blasAvx512Kernels });

describe('the BLAS notice of the backend choice line', () => {
  it('says when OpenBLAS runs narrower kernels than the CPU has, and what runs instead', () => {
    expect(narrowBlasNotice(addon('Haswell', 'avx512', 'avx512'), 'Haswell')).toBe(
      "OpenBLAS's Haswell kernels on an AVX-512 CPU (OPENBLAS_CORETYPE=Haswell); matmuls run on the addon's AVX-512 kernels instead",
    );
    expect(narrowBlasNotice(addon('Zen', 'avx512', 'blas'), undefined)).toBe(
      "OpenBLAS's Zen kernels on an AVX-512 CPU; unset RRM_NATIVE_GEMM for the AVX-512 ones, about 2× faster matmuls",
    );
  });

  it('says nothing when the kernels fit the CPU, or the BLAS is not OpenBLAS', () => {
    expect(narrowBlasNotice(addon('SkylakeX', 'avx512', 'blas', true), undefined)).toBeNull();
    expect(narrowBlasNotice(addon('Haswell', 'avx2', 'blas'), 'Haswell')).toBeNull();
    expect(narrowBlasNotice(addon('', 'avx512', 'blas'), undefined)).toBeNull();
  });

  // Only OpenBLAS names its kernels; BLIS's own choice counts as AVX-512.
  it.skipIf(loadAddon().blasCore === '')(
    "takes the BLAS's AVX-512 kernels from the addon: OpenBLAS's SkylakeX family",
    () => {
      const { blasCore, blasAvx512Kernels } = loadAddon();
      expect(blasAvx512Kernels).toBe(/^(skylakex|cooperlake|sapphirerapids)$/i.test(blasCore));
    },
  );
});
