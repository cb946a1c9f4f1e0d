// Batched matrix multiplication through CBLAS sgemm.
#include <algorithm>
#include <cstring>

#include "blas.h"

namespace rrm {

// Whether gemm calls run on one thread each, so that this addon splits them
// over its own pool: its own kernels always do, and the BLAS is held to one
// thread where it can be. OpenBLAS's own threading scales poorly on the skinny
// shapes of HRM/TRM (1.1-1.6x on two cores, measured) and its idle threads
// spin, taking the core from the elementwise kernels that follow.
bool ownBlasThreads() {
#ifdef RRM_ACCELERATE
  return false;  // Accelerate has no thread control; let it thread itself
#else
  static const bool own = [] {
    bool held = false;
    if (openblas_set_num_threads != nullptr) {
      openblas_set_num_threads(1);
      held = true;
    } else if (bli_thread_set_num_threads != nullptr) {
      bli_thread_set_num_threads(1);
      held = true;
    }
    return held || ownSgemmAvailable();
  }();
  return own;
#endif
}

namespace {

// Below this many multiply-adds a split costs more than it saves.
constexpr int64_t kMinSplitWork = int64_t(1) << 20;

struct Gemm {
  const float* A;
  const float* B;
  float* C;
  int64_t M, N, K;
  bool transA, transB;

  // Rows [m0, m1) and columns [n0, n1) of C = op(A) op(B).
  void run(int64_t m0, int64_t m1, int64_t n0, int64_t n1) const {
    if (m0 >= m1 || n0 >= n1) return;
    const float* a = A + (transA ? m0 : m0 * K);
    const float* b = B + (transB ? n0 * K : n0);
    gemm(transA, transB, m1 - m0, n1 - n0, K, 1.0f, a, transA ? M : K, b, transB ? K : N,
         C + m0 * N + n0, N);
  }
};

// out[k] = op(a[aBatch[k]]) x op(b[bBatch[k]]) for every output batch k, where
// op transposes when the flag is set; a batch holds M x K (or K x M when
// transposed) floats, row-major. The batch index lists express TF.js's
// broadcasting of the leading dimensions.
Napi::Value MatmulFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Array a = arrayArg(info, 0, "a"), b = arrayArg(info, 1, "b"), o = arrayArg(info, 2, "out");
  const int64_t M = intArg(info, 3, "M"), N = intArg(info, 4, "N"), K = intArg(info, 5, "K");
  const bool transA = info[6].ToBoolean(), transB = info[7].ToBoolean();
  const std::vector<int64_t> aBatch = intsArg(info, 8, "aBatch");
  const std::vector<int64_t> bBatch = intsArg(info, 9, "bBatch");
  require(env, a.kind == Kind::F32 && b.kind == Kind::F32 && o.kind == Kind::F32,
          "matmul: float32 only");
  require(env, M >= 0 && N >= 0 && K >= 0, "matmul: negative dimension");
  require(env, aBatch.size() == bBatch.size(), "matmul: batch lists differ in length");
  const int64_t batches = static_cast<int64_t>(aBatch.size());
  require(env, o.length == batches * M * N, "matmul: output length does not match");
  for (int64_t k = 0; k < batches; ++k) {
    require(env, aBatch[k] >= 0 && (aBatch[k] + 1) * M * K <= a.length, "matmul: a batch out of range");
    require(env, bBatch[k] >= 0 && (bBatch[k] + 1) * K * N <= b.length, "matmul: b batch out of range");
  }
  if (o.length == 0) return env.Undefined();
  float* out = o.as<float>();
  if (K == 0) {
    std::memset(out, 0, o.length * sizeof(float));
    return env.Undefined();
  }
  const float* A = a.as<float>();
  const float* B = b.as<float>();
  auto gemm = [&](int64_t k) {
    return Gemm{A + aBatch[k] * M * K, B + bBatch[k] * K * N, out + k * M * N, M, N, K,
                transA, transB};
  };
  // Work units: each batch cut into `parts` blocks of rows (or of columns when
  // C is wider than tall), so that there are at least as many units as threads.
  // Every block is one fixed sgemm call, so results do not depend on timing.
  const int64_t work = M * N * K;
  int64_t parts = 1;
  if (ownBlasThreads() && batches < threads() && work >= kMinSplitWork) {
    parts = std::min<int64_t>((threads() + batches - 1) / batches, std::max(M, N));
  }
  const bool byRows = M >= N;
  const int64_t units = batches * parts;
  const int64_t grain = ownBlasThreads() && work * batches >= kMinSplitWork ? 1 : units;
  parallelFor(units, grain, [&](int64_t lo, int64_t hi) {
    for (int64_t u = lo; u < hi; ++u) {
      const Gemm g = gemm(u / parts);
      const int64_t p = u % parts;
      if (byRows) g.run(M * p / parts, M * (p + 1) / parts, 0, N);
      else g.run(0, M, N * p / parts, N * (p + 1) / parts);
    }
  });
  return env.Undefined();
}

}  // namespace

void initMatmul(Napi::Env env, Napi::Object exports) {
  exports.Set("matmul", Napi::Function::New(env, MatmulFn));
}

}  // namespace rrm
