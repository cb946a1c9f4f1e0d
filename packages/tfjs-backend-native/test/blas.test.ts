import { describe, expect, it } from 'vitest';
import { narrowBlasNotice } from '../src/index.js';

describe('the BLAS notice of the backend choice line', () => {
  it('says when OpenBLAS runs narrower kernels than the CPU has, and what to do', () => {
    expect(narrowBlasNotice('Haswell', 'avx512', 'Haswell')).toBe(
      "OpenBLAS's Haswell kernels on an AVX-512 CPU (OPENBLAS_CORETYPE=Haswell; unset it for the AVX-512 ones, about 2× faster matmuls)",
    );
    expect(narrowBlasNotice('Zen', 'avx512', undefined)).toBe(
      "OpenBLAS's Zen kernels on an AVX-512 CPU",
    );
  });

  it('says nothing when the kernels fit the CPU, or the BLAS is not OpenBLAS', () => {
    expect(narrowBlasNotice('SkylakeX', 'avx512', undefined)).toBeNull();
    expect(narrowBlasNotice('Haswell', 'avx2', 'Haswell')).toBeNull();
    expect(narrowBlasNotice('', 'avx512', undefined)).toBeNull();
  });
});
