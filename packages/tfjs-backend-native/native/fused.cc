// Fused kernels for the blocks of HRM/TRM: SwiGLU's gate and RMS norm, each
// with its gradient, and a whole TRM-MLP block's forward. One pass over the
// data instead of several elementwise kernels and their temporaries.
#include <algorithm>

#include "blas.h"

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

// SwiGLU's gate on rows of the packed projection [gate | up] (2n wide):
// out = silu(gate) * up = gate * sigmoid(gate) * up, n wide.
RRM_SIMD void swigluRows(const float* x, float* out, int64_t rows, int64_t n) {
  for (int64_t r = 0; r < rows; ++r, x += 2 * n, out += n) {
    const float* up = x + n;
    for (int64_t i = 0; i < n; ++i) out[i] = x[i] * sigmoid(x[i]) * up[i];
  }
}

// Its gradient, packed like x: with s = sigmoid(g),
// d/dg = dy * up * s * (1 + g (1 - s)) and d/dup = dy * g * s.
RRM_SIMD void swigluGradRows(const float* dy, const float* x, float* dx, int64_t rows, int64_t n) {
  for (int64_t r = 0; r < rows; ++r, dy += n, x += 2 * n, dx += 2 * n) {
    const float* up = x + n;
    for (int64_t i = 0; i < n; ++i) {
      const float g = x[i], s = sigmoid(g);
      dx[i] = dy[i] * up[i] * s * (1.0f + g * (1.0f - s));
      dx[n + i] = dy[i] * g * s;
    }
  }
}

inline float invRms(const float* x, int64_t n, float eps) {
  return 1.0f / std::sqrt(dot8(x, x, n) / static_cast<float>(n) + eps);
}

// y = x / sqrt(mean(x²) + eps) for each row of n.
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

// y = x / sqrt(mean(x²) + eps) for each column of a [rows, cols] matrix: the
// token-mixing norm, over positions, on a batch element kept as [S, D]. `inv` has
// cols floats of scratch.
RRM_SIMD void rmsNormCols(const float* x, float* y, int64_t rows, int64_t cols, float eps,
                          float* inv) {
  std::fill(inv, inv + cols, 0.0f);
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    for (int64_t c = 0; c < cols; ++c) inv[c] += xr[c] * xr[c];
  }
  for (int64_t c = 0; c < cols; ++c) {
    inv[c] = 1.0f / std::sqrt(inv[c] / static_cast<float>(rows) + eps);
  }
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) y[r * cols + c] = x[r * cols + c] * inv[c];
  }
}

RRM_SIMD void addInto(float* y, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += x[i];
}

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


// One TRM-MLP block, forward only: h = rmsNorm_S(h + mlp_t(h)), then
// h = rmsNorm_D(h + mlp(h)), for each batch element on its own (so it stays in
// L2). Each element is kept as [S, D], and the token-mixing SwiGLU runs as
// W · h rather than on hᵀ, so nothing is transposed:
//   G = Wt_gu [2m, S] · h [S, D]  -> [gate; up], silu(gate) · up -> [m, D]
//   t = Wt_down [S, m] · that     -> [S, D]
//   G = h [S, D] · W_guᵀ (W_gu [2n, D]) -> [S, 2n] = [gate | up] -> [S, n]
//   t = that · W_downᵀ (W_down [D, n]) -> [S, D]
Napi::Value MlpBlockFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Array h = arrayArg(info, 0, "h"), tgu = arrayArg(info, 1, "tokenGateUp"),
        td = arrayArg(info, 2, "tokenDown"), gu = arrayArg(info, 3, "gateUp"),
        dn = arrayArg(info, 4, "down"), o = arrayArg(info, 5, "out");
  const int64_t B = intArg(info, 6, "B"), S = intArg(info, 7, "S"), D = intArg(info, 8, "D");
  const int64_t m = intArg(info, 9, "m"), n = intArg(info, 10, "n");
  const float eps = static_cast<float>(numArg(info, 11, "eps"));
  requireFloats(env, {&h, &tgu, &td, &gu, &dn, &o}, "mlpBlock: float32 only");
  require(env, B >= 0 && S >= 1 && D >= 1 && m >= 1 && n >= 1, "mlpBlock: bad dimensions");
  require(env, h.length == B * S * D && o.length == h.length, "mlpBlock: h and out must be [B, S, D]");
  require(env, tgu.length == 2 * m * S && td.length == S * m && gu.length == 2 * n * D &&
                   dn.length == D * n,
          "mlpBlock: weights must be [2m, S], [S, m], [2n, D] and [D, n]");
  const float* H = h.as<float>();
  const float* Wtgu = tgu.as<float>();
  const float* Wtd = td.as<float>();
  const float* Wgu = gu.as<float>();
  const float* Wd = dn.as<float>();
  float* out = o.as<float>();
  const int64_t grain = ownBlasThreads() ? 1 : std::max<int64_t>(B, 1);
  parallelFor(B, grain, [&](int64_t lo, int64_t hi) {
    std::vector<float> G(std::max(2 * m * D, 2 * n * S)), g(std::max(m * D, n * S)),
        u(S * D), inv(D);
    for (int64_t b = lo; b < hi; ++b) {
      const float* x = H + b * S * D;
      float* y = out + b * S * D;
      gemm(false, false, 2 * m, D, S, 1.0f, Wtgu, S, x, D, G.data(), D);
      swigluRows(G.data(), g.data(), 1, m * D);
      gemm(false, false, S, D, m, 1.0f, Wtd, m, g.data(), D, u.data(), D);
      addInto(u.data(), x, S * D);
      rmsNormCols(u.data(), u.data(), S, D, eps, inv.data());
      gemm(false, true, S, 2 * n, D, 1.0f, u.data(), D, Wgu, D, G.data(), 2 * n);
      swigluRows(G.data(), g.data(), S, n);
      gemm(false, true, S, D, n, 1.0f, g.data(), n, Wd, n, y, D);
      addInto(y, u.data(), S * D);
      rmsNormRows(y, y, S, D, eps);
    }
  });
  return env.Undefined();
}

}  // namespace

void initFused(Napi::Env env, Napi::Object exports) {
  exports.Set("swiglu", Napi::Function::New(env, SwigluFn));
  exports.Set("swigluGrad", Napi::Function::New(env, SwigluGradFn));
  exports.Set("rmsNorm", Napi::Function::New(env, RmsNormFn));
  exports.Set("rmsNormGrad", Napi::Function::New(env, RmsNormGradFn));
  exports.Set("mlpBlock", Napi::Function::New(env, MlpBlockFn));
}

}  // namespace rrm
