// The addon's AVX-512 GEMM (native/sgemm.cc) against a double-precision product, checked
// without Node: built and run by test/sgemm.test.ts on CPUs with AVX-512F.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../../native/sgemm.h"

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  if (!ok) {
    std::printf("FAIL %s\n", what.c_str());
    ++failures;
  }
}

// One product with padded leading dimensions: every entry of C within a rounding bound of
// the exact product, nothing outside the M x N block written, the same bits on a rerun.
void product(bool tA, bool tB, int64_t M, int64_t N, int64_t K, float alpha, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  const int64_t lda = (tA ? M : K) + 3, ldb = (tB ? K : N) + 5, ldc = N + 7;
  std::vector<float> A((tA ? K : M) * lda), B((tB ? N : K) * ldb);
  for (float& v : A) v = u(rng);
  for (float& v : B) v = u(rng);
  const float sentinel = 12345.0f;
  std::vector<float> C(M * ldc, sentinel);
  rrm::ownSgemm(tA, tB, M, N, K, alpha, A.data(), lda, B.data(), ldb, C.data(), ldc);
  const std::string name = std::string(tA ? "A^T " : "A ") + (tB ? "B^T " : "B ") +
                           std::to_string(M) + "x" + std::to_string(N) + "x" + std::to_string(K);
  bool close = true, untouched = true;
  for (int64_t i = 0; i < M; ++i) {
    for (int64_t j = 0; j < ldc; ++j) {
      if (j >= N) {
        untouched = untouched && C[i * ldc + j] == sentinel;
        continue;
      }
      double exact = 0, magnitude = 0;
      for (int64_t k = 0; k < K; ++k) {
        const double a = tA ? A[k * lda + i] : A[i * lda + k];
        const double b = tB ? B[j * ldb + k] : B[k * ldb + j];
        exact += a * b;
        magnitude += std::fabs(a * b);
      }
      exact *= alpha;
      // float32 summation: each of K additions rounds by at most 2^-24 of the running sum.
      const double bound = 1e-6 * (K + 2) * std::fabs(alpha) * magnitude + 1e-30;
      close = close && std::fabs(C[i * ldc + j] - exact) <= bound;
    }
  }
  check(close, name + ": equals the exact product within float32 rounding");
  check(untouched, name + ": writes nothing past column N");
  std::vector<float> again(M * ldc, sentinel);
  rrm::ownSgemm(tA, tB, M, N, K, alpha, A.data(), lda, B.data(), ldb, again.data(), ldc);
  check(std::memcmp(C.data(), again.data(), C.size() * sizeof(float)) == 0,
        name + ": the same bits twice");
}

}  // namespace

int main() {
  setenv("RRM_NATIVE_GEMM", "own", 1);  // without a BLAS linked, the kernels run only if asked
  if (!rrm::ownSgemmAvailable()) {
    std::printf("FAIL ownSgemmAvailable() is false; run this only on AVX-512F CPUs\n");
    return 1;
  }
  std::mt19937 rng(7);
  // Edges of every block: MR = 12, NR = 32 (two 16-lane halves), KC = 256, MC = 120, NC = 2048.
  for (bool tA : {false, true}) {
    for (bool tB : {false, true}) {
      for (int64_t M : {1, 11, 12, 13, 121}) {
        for (int64_t N : {1, 15, 16, 17, 32, 33}) {
          for (int64_t K : {1, 7, 257}) product(tA, tB, M, N, K, 1.0f, rng);
        }
      }
      product(tA, tB, 250, 2049, 40, 0.125f, rng);
      product(tA, tB, 37, 70, 600, -2.0f, rng);
    }
  }
  // K = 0: C is zeroed, as sgemm with beta = 0 does.
  std::vector<float> C(6, 1.0f);
  rrm::ownSgemm(false, false, 2, 3, 0, 1.0f, nullptr, 1, nullptr, 3, C.data(), 3);
  bool zero = true;
  for (float v : C) zero = zero && v == 0.0f;
  check(zero, "K = 0 gives zeros");
  if (failures == 0) std::printf("ok\n");
  return failures == 0 ? 0 : 1;
}
