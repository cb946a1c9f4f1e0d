// CBLAS from OpenBLAS, BLIS or Accelerate, for the kernels that call sgemm.
#pragma once
#ifdef RRM_ACCELERATE
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
// Present in OpenBLAS and BLIS respectively; weak so that either library links.
extern "C" void openblas_set_num_threads(int) __attribute__((weak));
extern "C" void bli_thread_set_num_threads(long) __attribute__((weak));
// OpenBLAS's name for the kernels it runs (it picks them at load, or OPENBLAS_CORETYPE does).
extern "C" char* openblas_get_corename(void) __attribute__((weak));
#endif

#include "common.h"
#include "sgemm.h"

namespace rrm {

// Whether gemm calls run on one thread each (the addon's own kernels, or a BLAS held to one
// thread on the first call), so that kernels split their gemm calls over this addon's pool.
bool ownBlasThreads();

// C = alpha op(A) op(B) for row-major operands with leading dimensions, on one thread:
// the addon's AVX-512 kernels where the CPU has them (sgemm.h), else the BLAS.
inline void gemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha,
                 const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc) {
  if (ownSgemmAvailable()) {
    ownSgemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, C, ldc);
    return;
  }
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
              static_cast<int>(M), static_cast<int>(N), static_cast<int>(K), alpha, A,
              static_cast<int>(lda), B, static_cast<int>(ldb), 0.0f, C, static_cast<int>(ldc));
}

}  // namespace rrm
