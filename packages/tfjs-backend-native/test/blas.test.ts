import { describe, expect, it } from 'vitest';
import { narrowBlasNotice } from '../src/index.js';

describe('the BLAS notice of the backend choice line', () => {
  it('says when OpenBLAS runs narrower kernels than the CPU has, and what runs instead', () => {
    expect(narrowBlasNotice('Haswell', 'avx512', 'Haswell', 'avx512')).toBe(
      "OpenBLAS's Haswell kernels on an AVX-512 CPU (OPENBLAS_CORETYPE=Haswell); matmuls run on the addon's AVX-512 kernels instead",
    );
    expect(narrowBlasNotice('Zen', 'avx512', undefined, 'blas')).toBe(
      "OpenBLAS's Zen kernels on an AVX-512 CPU; unset RRM_NATIVE_GEMM for the AVX-512 ones, about 2× faster matmuls",
    );
  });

  it('says nothing when the kernels fit the CPU, or the BLAS is not OpenBLAS', () => {
    expect(narrowBlasNotice('SkylakeX', 'avx512', undefined, 'blas')).toBeNull();
    expect(narrowBlasNotice('Haswell', 'avx2', 'Haswell', 'blas')).toBeNull();
    expect(narrowBlasNotice('', 'avx512', undefined, 'blas')).toBeNull();
  });
});
