// One thread's GFLOP/s on the products of a TRM-MLP training step (B32 S81 D128, one of
// two threads' halves), through OpenBLAS and through the addon's AVX-512 kernels
// (native/sgemm.cc), interleaved in one run. Build and run from the package folder:
//   g++ -std=c++17 -O3 -march=x86-64-v2 -Inative native/sgemm.cc bench/gemm_bench.cc \
//     $(pkg-config --cflags --libs openblas) -o /tmp/gemm-bench && OPENBLAS_NUM_THREADS=1 /tmp/gemm-bench
// (OPENBLAS_CORETYPE=Haswell in front shows OpenBLAS held to its AVX2 kernels.)
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "sgemm.h"

int main() {
  // M x N x K: the SwiGLU up projection, its down projection, a weight gradient (long K),
  // the token-mixing projection, and one attention head's scores.
  const int shapes[][3] = {{1296, 1024, 128}, {1296, 128, 512}, {128, 512, 2592}, {1296, 384, 128}, {64, 64, 32}};
  std::printf("OpenBLAS kernels: %s\n", openblas_get_corename());
  for (const auto& s : shapes) {
    const int M = s[0], N = s[1], K = s[2];
    for (bool tA : {false, true}) {
      std::vector<float> A(size_t(M) * K, 0.5f), B(size_t(K) * N, 0.25f), C(size_t(M) * N);
      const long reps = std::max(3L, 3000000000L / (2L * M * N * K));
      double gflops[2];
      for (int own = 0; own < 2; ++own) {
        auto product = [&] {
          if (own) {
            rrm::ownSgemm(tA, false, M, N, K, 1.0f, A.data(), tA ? M : K, B.data(), N, C.data(), N);
          } else {
            cblas_sgemm(CblasRowMajor, tA ? CblasTrans : CblasNoTrans, CblasNoTrans, M, N, K, 1.0f,
                        A.data(), tA ? M : K, B.data(), N, 0.0f, C.data(), N);
          }
        };
        product();  // warm the caches and the packing buffers
        const auto t0 = std::chrono::steady_clock::now();
        for (long r = 0; r < reps; ++r) product();
        const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        gflops[own] = 2.0 * M * N * K * reps / sec / 1e9;
      }
      std::printf("%5d x %5d x %5d %s  OpenBLAS %6.1f  own %6.1f GFLOP/s\n", M, N, K,
                  tA ? "A^T" : "A  ", gflops[0], gflops[1]);
    }
  }
}
