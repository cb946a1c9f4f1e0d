// A whole reasoning block in one call, forward and backward: TRM-MLP's and the
// attention block's. The TRM-MLP block:
//   h' = rmsNorm_S(h + mlp_t(h))   (token mixing; its norm runs over positions)
//   y  = rmsNorm_D(h' + mlp(h'))   (channel SwiGLU)
// Each batch element is kept as [S, D], small enough for one core's L2, and runs
// on its own, so every elementwise step reads what the product before it wrote.
// The token mixing is W · h rather than a product on hᵀ, so nothing is
// transposed:
//   G1 = Wt_gu [2m, S] · h [S, D] = [gate; up],  g1 = silu(gate) · up  [m, D]
//   s1 = h + Wt_down [S, m] · g1,                 h' = rmsNorm over S of s1
//   G2 = h' · W_guᵀ [S, 2n] = [gate | up],        g2 = silu(gate) · up  [S, n]
//   s2 = h' + g2 · W_downᵀ,                       y = rmsNorm over D of s2
// The weights are in PyTorch's [out, in] layout: Wt_gu [2m, S], Wt_down [S, m],
// W_gu [2n, D], W_down [D, n].
#include <algorithm>
#include <memory>

#include "blas.h"

namespace rrm {
namespace {

// Uninitialised scratch (each element is written before it is read): zeroing
// the backward's buffers, about 35 MB at B 32, S 81, D 128, costs a product's time.
struct Scratch {
  explicit Scratch(int64_t n) : p(new float[std::max<int64_t>(n, 1)]) {}
  float* data() { return p.get(); }
  std::unique_ptr<float[]> p;
};

struct Dims {
  int64_t B, S, D, m, n;
  float eps;
  int64_t sd() const { return S * D; }
};

struct Weights {
  const float* tgu;  // Wt_gu
  const float* td;   // Wt_down
  const float* gu;   // W_gu
  const float* dn;   // W_down
};

// The forward's activations the backward reads: G1 [B, 2m, D], s1 [B, S, D],
// G2 [B, S, 2n], s2 [B, S, D].
struct Saved {
  float* G1;
  float* s1;
  float* G2;
  float* s2;
};

// x / sqrt(mean(x²) + eps) down each column of [rows, cols]; `inv` is cols floats.
RRM_SIMD void rmsNormCols(const float* x, float* y, int64_t rows, int64_t cols, float eps,
                          float* inv) {
  std::fill(inv, inv + cols, 0.0f);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) inv[c] += x[r * cols + c] * x[r * cols + c];
  }
  for (int64_t c = 0; c < cols; ++c) {
    inv[c] = 1.0f / std::sqrt(inv[c] / static_cast<float>(rows) + eps);
  }
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) y[r * cols + c] = x[r * cols + c] * inv[c];
  }
}

// Its gradient, per column as rmsNormGradRows per row: dx = r dy - x r³ (dy·x) / rows.
// `inv` and `dot` are cols floats each.
RRM_SIMD void rmsNormColsGrad(const float* dy, const float* x, float* dx, int64_t rows,
                              int64_t cols, float eps, float* inv, float* dot) {
  std::fill(inv, inv + cols, 0.0f);
  std::fill(dot, dot + cols, 0.0f);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      inv[c] += x[r * cols + c] * x[r * cols + c];
      dot[c] += dy[r * cols + c] * x[r * cols + c];
    }
  }
  for (int64_t c = 0; c < cols; ++c) {
    inv[c] = 1.0f / std::sqrt(inv[c] / static_cast<float>(rows) + eps);
    dot[c] = inv[c] * inv[c] * inv[c] * dot[c] / static_cast<float>(rows);
  }
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      dx[r * cols + c] = inv[c] * dy[r * cols + c] - dot[c] * x[r * cols + c];
    }
  }
}

RRM_SIMD void addInto(float* y, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += x[i];
}

// Batch elements are the parallelism: one single-threaded gemm at a time per thread.
template <typename Fn>
void forEachElement(int64_t B, Fn fn) {
  parallelFor(B, ownBlasThreads() ? 1 : std::max<int64_t>(B, 1), fn);
}

// The channel half of a block for `rows` positions (of one or more batch elements):
// y = rmsNorm_D(u + mlp(u)), through G2 [rows, 2n], g [rows, n] and s2 [rows, D].
void channelMix(const Dims& d, int64_t rows, const float* gu, const float* dn, const float* u,
                float* y, float* G2, float* s2, float* g) {
  const int64_t D = d.D, n = d.n;
  gemm(false, true, rows, 2 * n, D, 1.0f, u, D, gu, D, G2, 2 * n);
  swigluRows(G2, g, rows, n);
  gemm(false, true, rows, D, n, 1.0f, g, n, dn, n, s2, D);
  addInto(s2, u, rows * D);
  rmsNormRows(s2, y, rows, D, d.eps);
}

// The channel half runs on groups of batch elements of about this many rows in all: one
// product over several elements packs its weights once for all of them, and 256 rows
// of [gate | up] still fit in L2 (at D 128; measured 8-10 % faster per block than one
// element at a time, at S 81).
constexpr int64_t kGroupRows = 256;
int64_t groupOf(int64_t S) { return std::max<int64_t>(1, kGroupRows / S); }

// The MLP block's forward of batch elements [lo, hi); activations go to `saved`
// where it is set (training), else to per-thread scratch (s holds each element's
// s1, then the group's s2).
void forward(const Dims& d, const Weights& w, const float* H, float* out, const Saved* saved,
             int64_t lo, int64_t hi) {
  const int64_t S = d.S, D = d.D, m = d.m, n = d.n, K = groupOf(S);
  Scratch G(saved ? 0 : std::max(2 * m * D, 2 * n * S * K)), s(saved ? 0 : S * D * K),
      g(std::max(m * D, n * S * K)), u(S * D * K), inv(D);
  for (int64_t b0 = lo; b0 < hi; b0 += K) {
    const int64_t k = std::min(K, hi - b0);
    for (int64_t b = b0; b < b0 + k; ++b) {
      const float* x = H + b * d.sd();
      float* G1 = saved ? saved->G1 + b * 2 * m * D : G.data();
      float* s1 = saved ? saved->s1 + b * d.sd() : s.data();
      gemm(false, false, 2 * m, D, S, 1.0f, w.tgu, S, x, D, G1, D);
      swigluSplit(G1, G1 + m * D, g.data(), m * D);
      gemm(false, false, S, D, m, 1.0f, w.td, m, g.data(), D, s1, D);
      addInto(s1, x, d.sd());
      rmsNormCols(s1, u.data() + (b - b0) * d.sd(), S, D, d.eps, inv.data());
    }
    float* G2 = saved ? saved->G2 + b0 * S * 2 * n : G.data();
    float* s2 = saved ? saved->s2 + b0 * d.sd() : s.data();
    channelMix(d, k * S, w.gu, w.dn, u.data(), out + b0 * d.sd(), G2, s2, g.data());
  }
}

struct Args {
  Dims d;
  Weights w;
};

// Checks and reads h (argument 0) and the weights (1-4), then B, S, D, m, n, eps
// from argument `dims` on.
Args readArgs(const Napi::CallbackInfo& info, size_t dims, const char* fn) {
  Napi::Env env = info.Env();
  Array h = arrayArg(info, 0, "h"), tgu = arrayArg(info, 1, "tokenGateUp"),
        td = arrayArg(info, 2, "tokenDown"), gu = arrayArg(info, 3, "gateUp"),
        dn = arrayArg(info, 4, "down");
  Dims d{intArg(info, dims, "B"), intArg(info, dims + 1, "S"), intArg(info, dims + 2, "D"),
         intArg(info, dims + 3, "m"), intArg(info, dims + 4, "n"),
         static_cast<float>(numArg(info, dims + 5, "eps"))};
  const std::string name(fn);
  for (const Array* a : {&h, &tgu, &td, &gu, &dn}) {
    require(env, a->kind == Kind::F32, name + ": float32 only");
  }
  require(env, d.B >= 0 && d.S >= 1 && d.D >= 1 && d.m >= 1 && d.n >= 1, name + ": bad dimensions");
  require(env, h.length == d.B * d.sd(), name + ": h must be [B, S, D]");
  require(env, tgu.length == 2 * d.m * d.S && td.length == d.S * d.m &&
                   gu.length == 2 * d.n * d.D && dn.length == d.D * d.n,
          name + ": weights must be [2m, S], [S, m], [2n, D] and [D, n]");
  return {d, {tgu.as<float>(), td.as<float>(), gu.as<float>(), dn.as<float>()}};
}

float* floatsOf(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t length,
                const std::string& fn) {
  Array a = arrayArg(info, i, name);
  require(info.Env(), a.kind == Kind::F32 && a.length == length,
          fn + ": " + name + " must be float32 of " + std::to_string(length) + " elements");
  return a.as<float>();
}

// mlpBlock(h, Wt_gu, Wt_down, W_gu, W_down, out, B, S, D, m, n, eps[, G1, s1, G2, s2]):
// with the four last arrays (training) the activations are kept there.
Napi::Value MlpBlockFn(const Napi::CallbackInfo& info) {
  const auto [d, w] = readArgs(info, 6, "mlpBlock");
  const float* H = arrayArg(info, 0, "h").as<float>();
  float* out = floatsOf(info, 5, "out", d.B * d.sd(), "mlpBlock");
  Saved saved{};
  const bool keep = info.Length() > 12;
  if (keep) {
    saved = {floatsOf(info, 12, "G1", d.B * 2 * d.m * d.D, "mlpBlock"),
             floatsOf(info, 13, "s1", d.B * d.sd(), "mlpBlock"),
             floatsOf(info, 14, "G2", d.B * d.S * 2 * d.n, "mlpBlock"),
             floatsOf(info, 15, "s2", d.B * d.sd(), "mlpBlock")};
  }
  forEachElement(d.B, [&](int64_t lo, int64_t hi) {
    forward(d, w, H, out, keep ? &saved : nullptr, lo, hi);
  });
  return info.Env().Undefined();
}

// The attention variant: h' = rmsNorm_D(h + attention(h) · W_oᵀ), then the
// channel half. W_qkv [3·H·hd, D], W_o [D, H·hd]; cos, sin [≥S, hd], or none.
struct Attention {
  Dims d;
  int64_t H, hd;
  const float *h, *qkv, *wo, *cos, *sin, *gu, *dn;
  int64_t inner() const { return H * hd; }
};

// Reads h, W_qkv, W_o, cos, sin, W_gu, W_down (arguments 0-6), then B, S, D, H,
// hd, n, eps from argument `dims` on.
Attention readAttention(const Napi::CallbackInfo& info, size_t dims, const std::string& fn) {
  Napi::Env env = info.Env();
  const int64_t B = intArg(info, dims, "B"), S = intArg(info, dims + 1, "S"),
                D = intArg(info, dims + 2, "D"), H = intArg(info, dims + 3, "H"),
                hd = intArg(info, dims + 4, "hd"), n = intArg(info, dims + 5, "n");
  const Dims d{B, S, D, 0, n, static_cast<float>(numArg(info, dims + 6, "eps"))};
  require(env, B >= 0 && S >= 1 && D >= 1 && H >= 1 && hd >= 1 && n >= 1, fn + ": bad dimensions");
  Array cos = arrayArg(info, 3, "cos"), sin = arrayArg(info, 4, "sin");
  require(env, cos.kind == Kind::F32 && sin.kind == Kind::F32 && cos.length == sin.length &&
                   (cos.length == 0 || (hd % 2 == 0 && cos.length % hd == 0 && cos.length / hd >= S)),
          fn + ": cos and sin must be [≥S, hd] with hd even, or empty");
  const bool rope = cos.length > 0;
  return {d,
          H,
          hd,
          floatsOf(info, 0, "h", B * S * D, fn),
          floatsOf(info, 1, "qkvProj", 3 * H * hd * D, fn),
          floatsOf(info, 2, "oProj", D * H * hd, fn),
          rope ? cos.as<float>() : nullptr,
          rope ? sin.as<float>() : nullptr,
          floatsOf(info, 5, "gateUp", 2 * n * D, fn),
          floatsOf(info, 6, "down", D * n, fn)};
}

// The activations an attention block's backward reads: qkv [B, S, 3·H·hd], heads
// [B, S, H·hd] (the attention before W_o), s1 [B, S, D], G2 [B, S, 2n], s2 [B, S, D].
struct AttentionSaved {
  float *qkv, *heads, *s1, *G2, *s2;
};

void attentionForward(const Attention& a, float* out, const AttentionSaved* saved, int64_t lo,
                      int64_t hi) {
  const Dims& d = a.d;
  const int64_t S = d.S, D = d.D, n = d.n, I = a.inner(), K = groupOf(S);
  Scratch proj(saved ? 0 : std::max(3 * I, 2 * n) * S * K), o(saved ? 0 : S * I * K),
      s(saved ? 0 : 2 * S * D * K), u(S * D * K), g(S * n * K);
  // Everything but the attention itself is row by row, so it runs on the whole group.
  for (int64_t b0 = lo; b0 < hi; b0 += K) {
    const int64_t rows = std::min(K, hi - b0) * S;
    const float* x = a.h + b0 * d.sd();
    float* qkv = saved ? saved->qkv + b0 * S * 3 * I : proj.data();
    float* heads = saved ? saved->heads + b0 * S * I : o.data();
    float* s1 = saved ? saved->s1 + b0 * d.sd() : s.data();
    gemm(false, true, rows, 3 * I, D, 1.0f, x, D, a.qkv, D, qkv, 3 * I);
    for (int64_t r = 0; r < rows; r += S) {
      attendOne(qkv + r * 3 * I, a.cos, a.sin, heads + r * I, S, a.H, a.hd);
    }
    gemm(false, true, rows, D, I, 1.0f, heads, I, a.wo, I, s1, D);
    addInto(s1, x, rows * D);
    rmsNormRows(s1, u.data(), rows, D, d.eps);
    float* G2 = saved ? saved->G2 + b0 * S * 2 * n : proj.data();
    float* s2 = saved ? saved->s2 + b0 * d.sd() : s.data() + rows * D;
    channelMix(d, rows, a.gu, a.dn, u.data(), out + b0 * d.sd(), G2, s2, g.data());
  }
}

// attentionBlock(h, W_qkv, W_o, cos, sin, W_gu, W_down, out, B, S, D, H, hd, n, eps
//                [, qkv, heads, s1, G2, s2]): with the five last arrays (training)
// the activations are kept there.
Napi::Value AttentionBlockFn(const Napi::CallbackInfo& info) {
  const std::string fn = "attentionBlock";
  const Attention a = readAttention(info, 8, fn);
  const Dims& d = a.d;
  float* out = floatsOf(info, 7, "out", d.B * d.sd(), fn);
  const bool keep = info.Length() > 15;
  AttentionSaved saved{};
  if (keep) {
    saved = {floatsOf(info, 15, "qkv", d.B * d.S * 3 * a.inner(), fn),
             floatsOf(info, 16, "heads", d.B * d.S * a.inner(), fn),
             floatsOf(info, 17, "s1", d.B * d.sd(), fn),
             floatsOf(info, 18, "G2", d.B * d.S * 2 * d.n, fn),
             floatsOf(info, 19, "s2", d.B * d.sd(), fn)};
  }
  forEachElement(d.B, [&](int64_t lo, int64_t hi) {
    attentionForward(a, out, keep ? &saved : nullptr, lo, hi);
  });
  return info.Env().Undefined();
}

// C = op(A) op(B) cut into `parts` blocks of rows, for a parallel loop over blocks.
struct RowBlocks {
  bool tA, tB;
  int64_t M, N, K;
  const float* A;
  int64_t lda;
  const float* B;
  int64_t ldb;
  float* C;
  void run(int64_t part, int64_t parts) const {
    const int64_t r0 = M * part / parts, r1 = M * (part + 1) / parts;
    if (r0 >= r1) return;
    gemm(tA, tB, r1 - r0, N, K, 1.0f, tA ? A + r0 : A + r0 * lda, lda, B, ldb, C + r0 * N, N);
  }
};

// With an empty batch the weight gradients are zero and there is nothing else to do.
bool zeroForEmptyBatch(int64_t B, std::initializer_list<std::pair<float*, int64_t>> grads) {
  if (B > 0) return false;
  for (auto [p, len] : grads) std::fill(p, p + len, 0.0f);
  return true;
}

// Runs four products split into blocks of rows over the threads. Unit k is part
// k / 4 of product k % 4, so that a thread's contiguous chunk of units holds a
// share of every product (their sizes differ fourfold).
void runRowBlocks(const RowBlocks (&grads)[4]) {
  const int64_t parts = ownBlasThreads() ? threads() : 1;
  parallelFor(4 * parts, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t k = lo; k < hi; ++k) grads[k % 4].run(k / 4, parts);
  });
}

// The channel half's backward for `rows` positions starting at row r0 of the batch:
// ds2, g2, dG2 (and u, recomputed by the caller) go to the full-batch buffers for the
// weight gradients; du [rows, D] is the gradient of the half's input u.
struct ChannelGrad {
  const Dims& d;
  const float *gu, *dn, *dy, *G2, *s2;
  float *ds2, *g2, *dG2;
  void run(int64_t r0, int64_t rows, float* dg2, float* du) const {
    const int64_t D = d.D, n = d.n;
    const float* G2r = G2 + r0 * 2 * n;
    swigluRows(G2r, g2 + r0 * n, rows, n);
    rmsNormGradRows(dy + r0 * D, s2 + r0 * D, ds2 + r0 * D, rows, D, d.eps);
    gemm(false, false, rows, n, D, 1.0f, ds2 + r0 * D, D, dn, n, dg2, n);
    swigluGradRows(dg2, G2r, dG2 + r0 * 2 * n, rows, n);
    gemm(false, false, rows, D, 2 * n, 1.0f, dG2 + r0 * 2 * n, 2 * n, gu, D, du, D);
    addInto(du, ds2 + r0 * D, rows * D);
  }
};

// mlpBlockGrad(h, Wt_gu, Wt_down, W_gu, W_down, dy, G1, s1, G2, s2, B, S, D, m, n, eps,
//              dh, dWt_gu, dWt_down, dW_gu, dW_down).
// First each batch element's backward on its own, keeping what the weight
// gradients need in full-batch buffers laid out so that each weight gradient
// is then one long product over the batch (K = B·S or B·D):
//   dW_down = ds2ᵀ · g2, dW_gu = dG2ᵀ · h', dWt_down = ds1 · g1ᵀ, dWt_gu = dG1 · hᵀ,
// with ds1, g1, dG1 and h stored [·, B·D] (batch element b in columns bD..bD+D).
Napi::Value MlpBlockGradFn(const Napi::CallbackInfo& info) {
  const std::string fn = "mlpBlockGrad";
  const auto [d, w] = readArgs(info, 10, fn.c_str());
  const int64_t B = d.B, S = d.S, D = d.D, m = d.m, n = d.n, BD = B * D, BS = B * S;
  const float* H = arrayArg(info, 0, "h").as<float>();
  const float* dy = floatsOf(info, 5, "dy", B * d.sd(), fn);
  const float* G1 = floatsOf(info, 6, "G1", B * 2 * m * D, fn);
  const float* s1 = floatsOf(info, 7, "s1", B * d.sd(), fn);
  const float* G2 = floatsOf(info, 8, "G2", BS * 2 * n, fn);
  const float* s2 = floatsOf(info, 9, "s2", B * d.sd(), fn);
  float* dh = floatsOf(info, 16, "dh", B * d.sd(), fn);
  float* dWtgu = floatsOf(info, 17, "dTokenGateUp", 2 * m * S, fn);
  float* dWtd = floatsOf(info, 18, "dTokenDown", S * m, fn);
  float* dWgu = floatsOf(info, 19, "dGateUp", 2 * n * D, fn);
  float* dWd = floatsOf(info, 20, "dDown", D * n, fn);
  if (zeroForEmptyBatch(B, {{dWtgu, 2 * m * S}, {dWtd, S * m}, {dWgu, 2 * n * D}, {dWd, D * n}})) {
    return info.Env().Undefined();
  }
  Scratch ds2(BS * D), g2(BS * n), dG2(BS * 2 * n), u(BS * D), ds1t(S * BD),
      g1t(m * BD), dG1t(2 * m * BD), ht(S * BD);
  const ChannelGrad channel{d, w.gu, w.dn, dy, G2, s2, ds2.data(), g2.data(), dG2.data()};
  const int64_t K = groupOf(S);
  forEachElement(B, [&](int64_t lo, int64_t hi) {
    Scratch dg2(K * S * n), du(K * S * D), ds1(S * D), dg1(m * D), inv(D), dot(D);
    for (int64_t b0 = lo; b0 < hi; b0 += K) {
      const int64_t k = std::min(K, hi - b0);
      for (int64_t b = b0; b < b0 + k; ++b) {
        rmsNormCols(s1 + b * d.sd(), u.data() + b * d.sd(), S, D, d.eps, inv.data());
      }
      channel.run(b0 * S, k * S, dg2.data(), du.data());
      // Token mixing and its norm, one element at a time; g1, dG1 and h go to the
      // [·, B·D] buffers.
      for (int64_t b = b0; b < b0 + k; ++b) {
        const int64_t o = b * d.sd();
        const float* G1b = G1 + b * 2 * m * D;
        rmsNormColsGrad(du.data() + (b - b0) * d.sd(), s1 + o, ds1.data(), S, D, d.eps, inv.data(),
                        dot.data());
        gemm(true, false, m, D, S, 1.0f, w.td, m, ds1.data(), D, dg1.data(), D);
        for (int64_t j = 0; j < m; ++j) {
          const float* gate = G1b + j * D;
          const float* up = G1b + (m + j) * D;
          swigluSplit(gate, up, g1t.data() + j * BD + b * D, D);
          swigluGradSplit(dg1.data() + j * D, gate, up, dG1t.data() + j * BD + b * D,
                          dG1t.data() + (m + j) * BD + b * D, D);
        }
        for (int64_t r = 0; r < S; ++r) {
          std::copy(ds1.data() + r * D, ds1.data() + (r + 1) * D, ds1t.data() + r * BD + b * D);
          std::copy(H + o + r * D, H + o + (r + 1) * D, ht.data() + r * BD + b * D);
        }
        gemm(true, false, S, D, 2 * m, 1.0f, w.tgu, S, dG1t.data() + b * D, BD, dh + o, D);
        addInto(dh + o, ds1.data(), d.sd());
      }
    }
  });
  const RowBlocks grads[] = {
      {true, false, D, n, BS, ds2.data(), D, g2.data(), n, dWd},
      {true, false, 2 * n, D, BS, dG2.data(), 2 * n, u.data(), D, dWgu},
      {false, true, S, m, BD, ds1t.data(), BD, g1t.data(), BD, dWtd},
      {false, true, 2 * m, S, BD, dG1t.data(), BD, ht.data(), BD, dWtgu},
  };
  runRowBlocks(grads);
  return info.Env().Undefined();
}

// attentionBlockGrad(h, W_qkv, W_o, cos, sin, W_gu, W_down, dy, qkv, heads, s1, G2, s2,
//                    B, S, D, H, hd, n, eps, dh, dW_qkv, dW_o, dW_gu, dW_down).
// Each batch element's backward on its own, then each weight gradient as one product
// over the batch (K = B·S), every operand already [B·S, ·]:
//   dW_down = ds2ᵀ · g2, dW_gu = dG2ᵀ · h', dW_o = ds1ᵀ · heads, dW_qkv = dqkvᵀ · h.
Napi::Value AttentionBlockGradFn(const Napi::CallbackInfo& info) {
  const std::string fn = "attentionBlockGrad";
  const Attention a = readAttention(info, 13, fn);
  const Dims& d = a.d;
  const int64_t B = d.B, S = d.S, D = d.D, n = d.n, I = a.inner(), BS = B * S;
  const float* dy = floatsOf(info, 7, "dy", B * d.sd(), fn);
  const float* qkv = floatsOf(info, 8, "qkv", BS * 3 * I, fn);
  const float* heads = floatsOf(info, 9, "heads", BS * I, fn);
  const float* s1 = floatsOf(info, 10, "s1", B * d.sd(), fn);
  const float* G2 = floatsOf(info, 11, "G2", BS * 2 * n, fn);
  const float* s2 = floatsOf(info, 12, "s2", B * d.sd(), fn);
  float* dh = floatsOf(info, 20, "dh", B * d.sd(), fn);
  float* dWqkv = floatsOf(info, 21, "dQkvProj", 3 * I * D, fn);
  float* dWo = floatsOf(info, 22, "dOProj", D * I, fn);
  float* dWgu = floatsOf(info, 23, "dGateUp", 2 * n * D, fn);
  float* dWd = floatsOf(info, 24, "dDown", D * n, fn);
  if (zeroForEmptyBatch(B, {{dWqkv, 3 * I * D}, {dWo, D * I}, {dWgu, 2 * n * D}, {dWd, D * n}})) {
    return info.Env().Undefined();
  }
  Scratch ds2(BS * D), g2(BS * n), dG2(BS * 2 * n), u(BS * D), ds1(BS * D), dqkv(BS * 3 * I);
  const ChannelGrad channel{d, a.gu, a.dn, dy, G2, s2, ds2.data(), g2.data(), dG2.data()};
  const int64_t K = groupOf(S);
  forEachElement(B, [&](int64_t lo, int64_t hi) {
    Scratch dg2(K * S * n), du(K * S * D), dheads(K * S * I);
    // Row by row on the whole group, but for the attention itself.
    for (int64_t b0 = lo; b0 < hi; b0 += K) {
      const int64_t r0 = b0 * S, rows = std::min(K, hi - b0) * S;
      rmsNormRows(s1 + r0 * D, u.data() + r0 * D, rows, D, d.eps);
      channel.run(r0, rows, dg2.data(), du.data());
      rmsNormGradRows(du.data(), s1 + r0 * D, ds1.data() + r0 * D, rows, D, d.eps);
      gemm(false, false, rows, I, D, 1.0f, ds1.data() + r0 * D, D, a.wo, I, dheads.data(), I);
      for (int64_t r = 0; r < rows; r += S) {
        attendGradOne(dheads.data() + r * I, qkv + (r0 + r) * 3 * I, a.cos, a.sin,
                      dqkv.data() + (r0 + r) * 3 * I, S, a.H, a.hd);
      }
      gemm(false, false, rows, D, 3 * I, 1.0f, dqkv.data() + r0 * 3 * I, 3 * I, a.qkv, D,
           dh + r0 * D, D);
      addInto(dh + r0 * D, ds1.data() + r0 * D, rows * D);
    }
  });
  const RowBlocks grads[] = {
      {true, false, D, n, BS, ds2.data(), D, g2.data(), n, dWd},
      {true, false, 2 * n, D, BS, dG2.data(), 2 * n, u.data(), D, dWgu},
      {true, false, D, I, BS, ds1.data(), D, heads, I, dWo},
      {true, false, 3 * I, D, BS, dqkv.data(), 3 * I, a.h, D, dWqkv},
  };
  runRowBlocks(grads);
  return info.Env().Undefined();
}

}  // namespace

void initBlock(Napi::Env env, Napi::Object exports) {
  exports.Set("mlpBlock", Napi::Function::New(env, MlpBlockFn));
  exports.Set("mlpBlockGrad", Napi::Function::New(env, MlpBlockGradFn));
  exports.Set("attentionBlock", Napi::Function::New(env, AttentionBlockFn));
  exports.Set("attentionBlockGrad", Napi::Function::New(env, AttentionBlockGradFn));
}

}  // namespace rrm
