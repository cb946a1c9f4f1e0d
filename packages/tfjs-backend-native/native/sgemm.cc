// AVX-512 SGEMM in the usual blocked layout: B is packed into panels of NR columns and
// A into panels of MR rows (op() and alpha applied while packing), so that the
// micro-kernel reads both with unit stride and keeps an MR x NR tile of C in registers.
//
// Blocking (per thread): KC = 256 steps of k, so that one B micro-panel (KC x NR floats,
// 32 KB) stays in L1 while MC = 120 rows of A (120 KB) sit in L2 and NC = 2048 columns of
// packed B (2 MB) in L3. The micro-kernel holds 12 x 32 floats of C: 24 of the 32 zmm
// registers, enough independent FMA chains to hide their latency on two FMA ports.
#include "sgemm.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define RRM_SGEMM_X86 1
// OpenBLAS's name for its kernels; weak, as in blas.h, so that BLIS links too.
extern "C" char* openblas_get_corename(void) __attribute__((weak));
#endif

namespace rrm {

#ifdef RRM_SGEMM_X86
namespace {

constexpr int64_t MR = 12, NR = 32;
constexpr int64_t KC = 256, MC = 120, NC = 2048;
static_assert(MC % MR == 0 && NC % NR == 0, "blocks hold whole micro-panels");

struct FreeDeleter {
  void operator()(float* p) const { std::free(p); }
};

// One thread's packing buffers, allocated on its first product and kept.
float* threadBuffer(std::unique_ptr<float[], FreeDeleter>& slot, int64_t floats) {
  if (!slot) slot.reset(static_cast<float*>(std::aligned_alloc(64, floats * sizeof(float))));
  return slot.get();
}

// op(A)[i0 .. i0+mc) x [p0 .. p0+kc), times alpha, as panels of MR rows: panel r holds,
// for each k, rows r*MR .. r*MR+MR-1 (zero past mc).
void packA(bool transA, const float* A, int64_t lda, int64_t i0, int64_t mc, int64_t p0,
           int64_t kc, float alpha, float* out) {
  for (int64_t r = 0; r < mc; r += MR) {
    const int64_t rows = std::min(MR, mc - r);
    for (int64_t k = 0; k < kc; ++k) {
      float* dst = out + r * kc + k * MR;
      for (int64_t i = 0; i < rows; ++i) {
        const int64_t row = i0 + r + i, col = p0 + k;
        dst[i] = alpha * (transA ? A[col * lda + row] : A[row * lda + col]);
      }
      for (int64_t i = rows; i < MR; ++i) dst[i] = 0.0f;
    }
  }
}

// op(B)[p0 .. p0+kc) x [j0 .. j0+nc) as panels of NR columns: panel c holds, for each k,
// columns c*NR .. c*NR+NR-1 (zero past nc).
void packB(bool transB, const float* B, int64_t ldb, int64_t p0, int64_t kc, int64_t j0,
           int64_t nc, float* out) {
  for (int64_t c = 0; c < nc; c += NR) {
    const int64_t cols = std::min(NR, nc - c);
    for (int64_t k = 0; k < kc; ++k) {
      float* dst = out + c * kc + k * NR;
      const int64_t row = p0 + k, col = j0 + c;
      if (transB) {
        for (int64_t j = 0; j < cols; ++j) dst[j] = B[(col + j) * ldb + row];
      } else {
        std::memcpy(dst, B + row * ldb + col, cols * sizeof(float));
      }
      for (int64_t j = cols; j < NR; ++j) dst[j] = 0.0f;
    }
  }
}

// C[0 .. m) x [0 .. n) (m <= MR, n <= NR) = (accumulate ? C : 0) + a-panel . b-panel.
__attribute__((target("avx512f"))) void microKernel(int64_t kc, const float* a, const float* b,
                                                   float* c, int64_t ldc, int64_t m, int64_t n,
                                                   bool accumulate) {
  __m512 lo[MR], hi[MR];
#pragma GCC unroll 12
  for (int64_t i = 0; i < MR; ++i) lo[i] = hi[i] = _mm512_setzero_ps();
  for (int64_t k = 0; k < kc; ++k) {
    const __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
#pragma GCC unroll 12
    for (int64_t i = 0; i < MR; ++i) {
      const __m512 ai = _mm512_set1_ps(a[i]);
      lo[i] = _mm512_fmadd_ps(ai, b0, lo[i]);
      hi[i] = _mm512_fmadd_ps(ai, b1, hi[i]);
    }
    a += MR;
    b += NR;
  }
  const __mmask16 mlo = n >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << n) - 1);
  const __mmask16 mhi = n >= 32 ? 0xFFFF : n > 16 ? static_cast<__mmask16>((1u << (n - 16)) - 1) : 0;
#pragma GCC unroll 12
  for (int64_t i = 0; i < MR; ++i) {
    if (i >= m) break;
    float* ci = c + i * ldc;
    __m512 vlo = lo[i], vhi = hi[i];
    if (accumulate) {
      vlo = _mm512_add_ps(vlo, _mm512_maskz_loadu_ps(mlo, ci));
      vhi = _mm512_add_ps(vhi, _mm512_maskz_loadu_ps(mhi, ci + 16));
    }
    _mm512_mask_storeu_ps(ci, mlo, vlo);
    _mm512_mask_storeu_ps(ci + 16, mhi, vhi);
  }
}

}  // namespace

bool blasHasAvx512Kernels() {
  if (openblas_get_corename == nullptr) return true;  // BLIS picks its kernels by CPU itself
  std::string core = openblas_get_corename();
  for (char& ch : core) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return core == "skylakex" || core == "cooperlake" || core == "sapphirerapids";
}

bool ownSgemmAvailable() {
  static const bool available = [] {
    if (__builtin_cpu_supports("avx512f") == 0) return false;
    const char* choice = std::getenv("RRM_NATIVE_GEMM");
    if (choice != nullptr && std::strcmp(choice, "blas") == 0) return false;
    if (choice != nullptr && std::strcmp(choice, "own") == 0) return true;
    return !blasHasAvx512Kernels();
  }();
  return available;
}

void ownSgemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha,
              const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    for (int64_t i = 0; i < M; ++i) std::memset(C + i * ldc, 0, N * sizeof(float));
    return;
  }
  thread_local std::unique_ptr<float[], FreeDeleter> aSlot, bSlot;
  float* aPack = threadBuffer(aSlot, MC * KC);
  float* bPack = threadBuffer(bSlot, KC * NC);
  for (int64_t jc = 0; jc < N; jc += NC) {
    const int64_t nc = std::min(NC, N - jc);
    for (int64_t pc = 0; pc < K; pc += KC) {
      const int64_t kc = std::min(KC, K - pc);
      packB(transB, B, ldb, pc, kc, jc, nc, bPack);
      for (int64_t ic = 0; ic < M; ic += MC) {
        const int64_t mc = std::min(MC, M - ic);
        packA(transA, A, lda, ic, mc, pc, kc, alpha, aPack);
        for (int64_t jr = 0; jr < nc; jr += NR) {
          for (int64_t ir = 0; ir < mc; ir += MR) {
            microKernel(kc, aPack + ir * kc, bPack + jr * kc, C + (ic + ir) * ldc + jc + jr, ldc,
                        std::min(MR, mc - ir), std::min(NR, nc - jr), pc > 0);
          }
        }
      }
    }
  }
}

#else  // not x86-64 with GCC or Clang: the BLAS does every product

bool blasHasAvx512Kernels() { return false; }

bool ownSgemmAvailable() { return false; }

void ownSgemm(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*,
              int64_t, float*, int64_t) {
  std::abort();  // unreachable: callers check ownSgemmAvailable()
}

#endif

const char* gemmKernels() { return ownSgemmAvailable() ? "avx512" : "blas"; }

}  // namespace rrm
