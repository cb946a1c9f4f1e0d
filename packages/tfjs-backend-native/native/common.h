// Shared helpers for the rrm native kernels: typed-array access, and the
// deterministic parallel-for of pool.h (whose rules are written there).
#pragma once
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "pool.h"

namespace rrm {

// Element kinds as the TF.js cpu backend stores them: float32 -> Float32Array,
// int32 -> Int32Array, bool -> Uint8Array.
enum class Kind { F32, I32, U8 };

struct Array {
  void* data;
  int64_t length;
  Kind kind;
  template <typename T>
  T* as() const {
    return static_cast<T*>(data);
  }
  int elemSize() const { return kind == Kind::U8 ? 1 : 4; }
};

// Reads argument `i` as a Float32Array, Int32Array or Uint8Array; throws a
// TypeError naming the argument otherwise.
Array arrayArg(const Napi::CallbackInfo& info, size_t i, const char* name);
Array arrayArg(const Napi::Env& env, const Napi::Value& v, const char* name);
// Reads argument `i` as an integer vector (a JS array of numbers or an Int32Array).
std::vector<int64_t> intsArg(const Napi::CallbackInfo& info, size_t i, const char* name);
int64_t intArg(const Napi::CallbackInfo& info, size_t i, const char* name);
double numArg(const Napi::CallbackInfo& info, size_t i, const char* name);

[[noreturn]] void fail(const Napi::Env& env, const std::string& message);
void require(const Napi::Env& env, bool ok, const std::string& message);


// Marks a loop function to be compiled twice, for the build's baseline ISA and
// for x86-64-v3 (AVX2 + FMA); the loader picks the one the CPU runs (a GNU
// ifunc), so one portable build still gets eight-wide arithmetic. Measured on
// the SwiGLU gate: 3x faster than the baseline SSE loop. GCC 12+ on x86-64
// Linux only (older GCC cannot dispatch on an ISA level, only on CPU models);
// elsewhere the baseline version is the only one.
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__) && \
    __GNUC__ >= 12
#define RRM_SIMD __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define RRM_SIMD
#endif

// exp(x) in a form the compiler vectorises (glibc's expf is a scalar call):
// Cephes' range reduction x = k ln2 + r and degree-6 polynomial, within 2 ulp.
// 2^k is applied as two factors so results down to the denormal range stay
// exact; overflow gives inf, underflow 0, NaN stays NaN.
inline float vexp(float x) {
  // Ternaries, not fmin/fmax: those keep NaN rules that block vectorisation.
  float c = x < -103.9f ? -103.9f : x;
  c = c > 88.72f ? 88.72f : c;
  const float k = std::floor(c * 1.44269504088896341f + 0.5f);
  const float r = c - k * 0.693359375f + k * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float y = p * r * r + r + 1.0f;
  const int32_t ki = static_cast<int32_t>(k);
  const int32_t k1 = ki / 2;
  const int32_t b1 = (k1 + 127) << 23, b2 = (ki - k1 + 127) << 23;
  float s1, s2;
  std::memcpy(&s1, &b1, sizeof s1);
  std::memcpy(&s2, &b2, sizeof s2);
  float e = y * s1 * s2;
  e = x > 88.72f ? INFINITY : e;
  e = x < -103.9f ? 0.0f : e;
  return x != x ? x : e;
}

// One row of softmax (or log-softmax when `logOut`), cols >= 1; yr may be xr
// for softmax, not for log-softmax.
void softmaxRow(const float* xr, float* yr, int64_t cols, bool logOut);
// Σ x[i] y[i] in a fixed order (eight interleaved partial sums, then the tail).
float dot8(const float* x, const float* y, int64_t n);

// The row loops of fused.cc, shared with the block kernels (block.cc).
// SwiGLU's gate: out = silu(gate) * up, n wide; and its gradient.
void swigluSplit(const float* gate, const float* up, float* out, int64_t n);
void swigluGradSplit(const float* dy, const float* gate, const float* up, float* dgate, float* dup,
                     int64_t n);
// The same on rows of the packed projection [gate | up], 2n wide, out n wide.
void swigluRows(const float* x, float* out, int64_t rows, int64_t n);
void swigluGradRows(const float* dy, const float* x, float* dx, int64_t rows, int64_t n);
// y = x / sqrt(mean(x²) + eps) for each row of n (y may be x); and its gradient.
void rmsNormRows(const float* x, float* y, int64_t rows, int64_t n, float eps);
void rmsNormGradRows(const float* dy, const float* x, float* dx, int64_t rows, int64_t n, float eps);

// softmax(q kᵀ / √D) v for the H heads of one batch element, on one thread:
// qkv [S, 3·H·D] (q, k, v), o [S, H·D]; cos and sin [≥S, D] rotate q and k
// (null for no RoPE).
void attendOne(const float* qkv, const float* cos, const float* sin, float* o, int64_t S, int64_t H,
               int64_t D);
// Its gradient: dy [S, H·D] -> dqkv [S, 3·H·D] (dq | dk | dv).
void attendGradOne(const float* dy, const float* qkv, const float* cos, const float* sin,
                   float* dqkv, int64_t S, int64_t H, int64_t D);

void initAttention(Napi::Env env, Napi::Object exports);
void initBlock(Napi::Env env, Napi::Object exports);
void initElementwise(Napi::Env env, Napi::Object exports);
void initFused(Napi::Env env, Napi::Object exports);
void initMatmul(Napi::Env env, Napi::Object exports);
void initPeak(Napi::Env env, Napi::Object exports);
void initReduce(Napi::Env env, Napi::Object exports);
void initShape(Napi::Env env, Napi::Object exports);

}  // namespace rrm
