// Batched matrix multiplication through CBLAS sgemm.
#include <cstring>

#ifdef RRM_ACCELERATE
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
#endif

#include "common.h"

namespace rrm {
namespace {

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
  for (int64_t k = 0; k < batches; ++k) {
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
                transB ? CblasTrans : CblasNoTrans, static_cast<int>(M), static_cast<int>(N),
                static_cast<int>(K), 1.0f, A + aBatch[k] * M * K,
                static_cast<int>(transA ? M : K), B + bBatch[k] * K * N,
                static_cast<int>(transB ? K : N), 0.0f, out + k * M * N, static_cast<int>(N));
  }
  return env.Undefined();
}

}  // namespace

void initMatmul(Napi::Env env, Napi::Object exports) {
  exports.Set("matmul", Napi::Function::New(env, MatmulFn));
}

}  // namespace rrm
