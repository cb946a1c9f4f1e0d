// Fused kernels for the blocks of HRM/TRM: SwiGLU's gate and RMS norm, each
// with its gradient. One pass over the data instead of several elementwise
// kernels and their temporaries.
#include <algorithm>

#include "common.h"

namespace rrm {

// Σ x[i] y[i] as eight interleaved partial sums: a fixed order (so results do
// not depend on the ISA's width beyond FMA contraction) that still vectorises.
RRM_SIMD float dot8(const float* x, const float* y, int64_t n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int k = 0; k < 8; ++k) acc[k] += x[i + k] * y[i + k];
  }
  float s = 0;
  for (; i < n; ++i) s += x[i] * y[i];
  for (int k = 0; k < 8; ++k) s += acc[k];
  return s;
}

namespace {

constexpr int64_t kGrain = 1 << 15;

inline float sigmoid(float g) { return 1.0f / (1.0f + vexp(-g)); }

inline float invRms(const float* x, int64_t n, float eps) {
  return 1.0f / std::sqrt(dot8(x, x, n) / static_cast<float>(n) + eps);
}

}  // namespace

RRM_SIMD void swigluSplit(const float* gate, const float* up, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = gate[i] * sigmoid(gate[i]) * up[i];
}

// With s = sigmoid(g): d/dg = dy * up * s * (1 + g (1 - s)) and d/dup = dy * g * s.
RRM_SIMD void swigluGradSplit(const float* dy, const float* gate, const float* up, float* dgate,
                              float* dup, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float g = gate[i], s = sigmoid(g);
    dgate[i] = dy[i] * up[i] * s * (1.0f + g * (1.0f - s));
    dup[i] = dy[i] * g * s;
  }
}

void swigluRows(const float* x, float* out, int64_t rows, int64_t n) {
  for (int64_t r = 0; r < rows; ++r, x += 2 * n, out += n) swigluSplit(x, x + n, out, n);
}

void swigluGradRows(const float* dy, const float* x, float* dx, int64_t rows, int64_t n) {
  for (int64_t r = 0; r < rows; ++r, dy += n, x += 2 * n, dx += 2 * n) {
    swigluGradSplit(dy, x, x + n, dx, dx + n, n);
  }
}

RRM_SIMD void rmsNormRows(const float* x, float* y, int64_t rows, int64_t n, float eps) {
  for (int64_t r = 0; r < rows; ++r, x += n, y += n) {
    const float inv = invRms(x, n, eps);
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] * inv;
  }
}

// With r = 1 / rms(x): dx = r dy - x r³ (dy·x) / n.
RRM_SIMD void rmsNormGradRows(const float* dy, const float* x, float* dx, int64_t rows, int64_t n,
                              float eps) {
  for (int64_t r = 0; r < rows; ++r, dy += n, x += n, dx += n) {
    const float inv = invRms(x, n, eps);
    const float c = inv * inv * inv * dot8(dy, x, n) / static_cast<float>(n);
    for (int64_t i = 0; i < n; ++i) dx[i] = inv * dy[i] - c * x[i];
  }
}

namespace {

// Rows per parallel chunk: about kGrain elements.
int64_t rowGrain(int64_t n) { return std::max<int64_t>(1, kGrain / std::max<int64_t>(n, 1)); }

void requireFloats(const Napi::Env& env, std::initializer_list<const Array*> arrays,
                   const char* message) {
  for (const Array* a : arrays) require(env, a->kind == Kind::F32, message);
}

// x [rows, 2n] (gate | up) -> out [rows, n].
Napi::Value SwigluFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Array x = arrayArg(info, 0, "x"), o = arrayArg(info, 1, "out");
  const int64_t n = intArg(info, 2, "n");
  requireFloats(env, {&x, &o}, "swiglu: float32 only");
  require(env, n >= 1 && x.length == 2 * o.length && o.length % n == 0,
          "swiglu: x must be [rows, 2n] and out [rows, n]");
  const float* in = x.as<float>();
  float* out = o.as<float>();
  parallelFor(o.length / n, rowGrain(2 * n), [&](int64_t lo, int64_t hi) {
    swigluRows(in + lo * 2 * n, out + lo * n, hi - lo, n);
  });
  return env.Undefined();
}

// dy [rows, n], x [rows, 2n] -> dx [rows, 2n].
Napi::Value SwigluGradFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Array d = arrayArg(info, 0, "dy"), x = arrayArg(info, 1, "x"), o = arrayArg(info, 2, "out");
  const int64_t n = intArg(info, 3, "n");
  requireFloats(env, {&d, &x, &o}, "swigluGrad: float32 only");
  require(env, n >= 1 && x.length == 2 * d.length && o.length == x.length && d.length % n == 0,
          "swigluGrad: dy must be [rows, n], x and out [rows, 2n]");
  const float* dy = d.as<float>();
  const float* in = x.as<float>();
  float* out = o.as<float>();
  parallelFor(d.length / n, rowGrain(2 * n), [&](int64_t lo, int64_t hi) {
    swigluGradRows(dy + lo * n, in + lo * 2 * n, out + lo * 2 * n, hi - lo, n);
  });
  return env.Undefined();
}

// RMS norm over the last axis of length n (no learned scale).
Napi::Value RmsNormFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Array x = arrayArg(info, 0, "x"), o = arrayArg(info, 1, "out");
  const int64_t n = intArg(info, 2, "n");
  const float eps = static_cast<float>(numArg(info, 3, "eps"));
  requireFloats(env, {&x, &o}, "rmsNorm: float32 only");
  require(env, x.length == o.length, "rmsNorm: out differs in length from x");
  require(env, n >= 1 && x.length % n == 0, "rmsNorm: length is not a multiple of the last axis");
  const float* in = x.as<float>();
  float* out = o.as<float>();
  parallelFor(x.length / n, rowGrain(n), [&](int64_t lo, int64_t hi) {
    rmsNormRows(in + lo * n, out + lo * n, hi - lo, n, eps);
  });
  return env.Undefined();
}

Napi::Value RmsNormGradFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Array d = arrayArg(info, 0, "dy"), x = arrayArg(info, 1, "x"), o = arrayArg(info, 2, "out");
  const int64_t n = intArg(info, 3, "n");
  const float eps = static_cast<float>(numArg(info, 4, "eps"));
  requireFloats(env, {&d, &x, &o}, "rmsNormGrad: float32 only");
  require(env, d.length == x.length && o.length == x.length, "rmsNormGrad: lengths differ");
  require(env, n >= 1 && x.length % n == 0, "rmsNormGrad: length is not a multiple of the last axis");
  const float* dy = d.as<float>();
  const float* in = x.as<float>();
  float* out = o.as<float>();
  parallelFor(x.length / n, rowGrain(n), [&](int64_t lo, int64_t hi) {
    rmsNormGradRows(dy + lo * n, in + lo * n, out + lo * n, hi - lo, n, eps);
  });
  return env.Undefined();
}


}  // namespace

void initFused(Napi::Env env, Napi::Object exports) {
  exports.Set("swiglu", Napi::Function::New(env, SwigluFn));
  exports.Set("swigluGrad", Napi::Function::New(env, SwigluGradFn));
  exports.Set("rmsNorm", Napi::Function::New(env, RmsNormFn));
  exports.Set("rmsNormGrad", Napi::Function::New(env, RmsNormGradFn));
}

}  // namespace rrm
