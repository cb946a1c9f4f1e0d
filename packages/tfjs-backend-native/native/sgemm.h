// The addon's own single-precision GEMM for AVX-512 CPUs. OpenBLAS may run kernels
// narrower than the CPU (OPENBLAS_CORETYPE=Haswell holds it to AVX2 on AVX-512 machines,
// half the FMA width), and it is the step's largest cost; these kernels use the full
// width whatever the BLAS does. Elsewhere gemm() in blas.h calls the BLAS.
#pragma once
#include <cstdint>

namespace rrm {

// Whether the BLAS runs AVX-512 kernels: OpenBLAS's SkylakeX, Cooperlake or SapphireRapids
// ones (by openblas_get_corename()); BLIS, which picks kernels by CPU itself, counts as yes.
bool blasHasAvx512Kernels();

// Whether gemm() runs ownSgemm here: on an AVX-512F CPU whose BLAS runs narrower kernels
// (OpenBLAS's Haswell or Zen ones). Where the BLAS has AVX-512 kernels of its own they are
// as fast on the models' large products and faster on the small ones, so they stay.
// RRM_NATIVE_GEMM=own or =blas forces the choice, for comparisons.
bool ownSgemmAvailable();

// The kernels gemm() runs: "avx512" (ownSgemm) or "blas".
const char* gemmKernels();

// C = alpha op(A) op(B), row-major, with leading dimensions; C is overwritten (beta = 0).
// Single-threaded: callers split the product over the pool. The summation order is fixed
// by the shape alone, so results do not depend on timing or threads.
// Needs an AVX-512F CPU (ownSgemmAvailable() checks it).
void ownSgemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha,
              const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc);

}  // namespace rrm
