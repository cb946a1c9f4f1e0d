// Fused non-causal multi-head self-attention on the packed qkv projection, with
// its gradient: per (batch, head) two sgemm calls on strided views of qkv and a
// row softmax, with no transposes and no [B, heads, S, S] tensor in memory.
#include <algorithm>
#include <cmath>
#include <vector>

#include "blas.h"

namespace rrm {
namespace {

// qkv [B, S, 3·H·D]: each row holds q (H heads of D), then k, then v.
struct Dims {
  int64_t B, S, H, D;
  int64_t row() const { return 3 * H * D; }  // of qkv and dqkv
  int64_t inner() const { return H * D; }    // of o and dy
  float scale() const { return static_cast<float>(1.0 / std::sqrt(static_cast<double>(D))); }
};

// RoPE tables [≥S, D] in the rotate-half layout, or none (null).
struct Rope {
  const float* cos;
  const float* sin;
};

// y = x∘cos + rotate_half(x)∘sin for S rows of D, x read with stride ldx, y [S, D].
// rotate_half([x1, x2]) = [-x2, x1].
RRM_SIMD void rotate(const float* x, int64_t ldx, Rope r, float* y, int64_t S, int64_t D) {
  const int64_t h = D / 2;
  const float* c = r.cos;
  const float* s = r.sin;
  for (int64_t t = 0; t < S; ++t, x += ldx, y += D, c += D, s += D) {
    for (int64_t i = 0; i < h; ++i) y[i] = x[i] * c[i] - x[h + i] * s[i];
    for (int64_t i = 0; i < h; ++i) y[h + i] = x[h + i] * c[h + i] + x[i] * s[h + i];
  }
}

// The transpose of `rotate` (a rotation by minus the angle for RoPE's tables):
// dx = dy∘cos + rotate_halfᵀ(dy∘sin), rotate_halfᵀ([u1, u2]) = [u2, -u1].
// dy [S, D], dx written with stride ldx.
RRM_SIMD void unrotate(const float* dy, Rope r, float* dx, int64_t ldx, int64_t S, int64_t D) {
  const int64_t h = D / 2;
  const float* c = r.cos;
  const float* s = r.sin;
  for (int64_t t = 0; t < S; ++t, dy += D, dx += ldx, c += D, s += D) {
    for (int64_t i = 0; i < h; ++i) dx[i] = dy[i] * c[i] + dy[h + i] * s[h + i];
    for (int64_t i = 0; i < h; ++i) dx[h + i] = dy[h + i] * c[h + i] - dy[i] * s[i];
  }
}

// dS = P∘(dP − rowsum(dP∘P)), in place of dP: the softmax's backward per row.
RRM_SIMD void softmaxGradRows(const float* P, float* dP, int64_t S) {
  for (int64_t r = 0; r < S; ++r, P += S, dP += S) {
    const float c = dot8(dP, P, S);
    for (int64_t j = 0; j < S; ++j) dP[j] = P[j] * (dP[j] - c);
  }
}

// One (batch, head): q and k (rotated into scratch when there are tables), v,
// and P = softmax(q kᵀ / √D) [S, S] in scratch.
struct Head {
  const float* q;
  const float* k;
  const float* v;
  int64_t ldq, ldk;  // v's is the qkv row
  float* P;
};

// Per-thread scratch: rotated q and k [S, D], P [S, S]; for the gradient also
// dP [S, S] and the gradient of a rotated q or k [S, D].
struct Scratch {
  std::vector<float> q, k, p, dp, g;
  Scratch(const Dims& d, bool rope, bool grad)
      : q(rope ? d.S * d.D : 0),
        k(rope ? d.S * d.D : 0),
        p(d.S * d.S),
        dp(grad ? d.S * d.S : 0),
        g(rope && grad ? d.S * d.D : 0) {}
};

Head scores(const Dims& d, const float* qkv, Rope rope, int64_t pair, Scratch& w) {
  const int64_t b = pair / d.H, h = pair % d.H;
  const float* base = qkv + b * d.S * d.row() + h * d.D;
  Head hd{base, base + d.inner(), base + 2 * d.inner(), d.row(), d.row(), w.p.data()};
  if (rope.cos != nullptr) {
    rotate(hd.q, d.row(), rope, w.q.data(), d.S, d.D);
    rotate(hd.k, d.row(), rope, w.k.data(), d.S, d.D);
    hd.q = w.q.data();
    hd.k = w.k.data();
    hd.ldq = hd.ldk = d.D;
  }
  gemm(false, true, d.S, d.S, d.D, d.scale(), hd.q, hd.ldq, hd.k, hd.ldk, hd.P, d.S);
  for (int64_t r = 0; r < d.S; ++r) softmaxRow(hd.P + r * d.S, hd.P + r * d.S, d.S, false);
  return hd;
}

// The output of one (batch, head) pair, written into out [B, S, H·D].
void headForward(const Dims& d, const float* qkv, Rope rope, int64_t pair, Scratch& w, float* out) {
  const Head hd = scores(d, qkv, rope, pair, w);
  const int64_t b = pair / d.H, h = pair % d.H;
  gemm(false, false, d.S, d.D, d.S, 1.0f, hd.P, d.S, hd.v, d.row(),
       out + b * d.S * d.inner() + h * d.D, d.inner());
}

// The gradient of one pair: dy [B, S, H·D] -> its dq, dk, dv in out [B, S, 3·H·D].
// P is recomputed from q and k; with dS = P∘(dP − rowsum(dP∘P)), dP = dy vᵀ:
// dv = Pᵀ dy, dq = dS k / √D, dk = dSᵀ q / √D, then dq and dk are unrotated.
void headGrad(const Dims& d, const float* dy, const float* qkv, Rope rope, int64_t pair,
              Scratch& w, float* out) {
  const bool rotated = rope.cos != nullptr;
  const float scale = d.scale();
  const Head hd = scores(d, qkv, rope, pair, w);
  const int64_t b = pair / d.H, h = pair % d.H;
  const float* dO = dy + b * d.S * d.inner() + h * d.D;
  float* dq = out + b * d.S * d.row() + h * d.D;
  float* dk = dq + d.inner();
  float* dv = dq + 2 * d.inner();
  float* dS = w.dp.data();
  gemm(true, false, d.S, d.D, d.S, 1.0f, hd.P, d.S, dO, d.inner(), dv, d.row());
  gemm(false, true, d.S, d.S, d.D, 1.0f, dO, d.inner(), hd.v, d.row(), dS, d.S);
  softmaxGradRows(hd.P, dS, d.S);
  // Gradients of the rotated q and k: straight into out, or through scratch
  // that is then unrotated into out.
  float* gq = rotated ? w.g.data() : dq;
  float* gk = rotated ? w.g.data() : dk;
  const int64_t ldg = rotated ? d.D : d.row();
  gemm(false, false, d.S, d.D, d.S, scale, dS, d.S, hd.k, hd.ldk, gq, ldg);
  if (rotated) unrotate(gq, rope, dq, d.row(), d.S, d.D);
  gemm(true, false, d.S, d.D, d.S, scale, dS, d.S, hd.q, hd.ldq, gk, ldg);
  if (rotated) unrotate(gk, rope, dk, d.row(), d.S, d.D);
}

// Runs fn(pair, scratch) for every (batch, head) pair, one pair per unit of
// work, each thread with its own scratch.
template <typename Fn>
void forEachHead(const Dims& d, bool rope, bool grad, Fn fn) {
  if (d.S == 0) return;
  ownBlasThreads();  // one thread per sgemm call: the pairs are the parallelism
  parallelFor(d.B * d.H, 1, [&](int64_t lo, int64_t hi) {
    Scratch w(d, rope, grad);
    for (int64_t pair = lo; pair < hi; ++pair) fn(pair, w);
  });
}

struct Args {
  Dims d;
  Rope rope;
};

// Reads the arguments both functions have: the tables cos, sin (empty for no
// RoPE) at index `tables` on, and B, S, H, D at index `dims` on.
Args readArgs(const Napi::CallbackInfo& info, size_t tables, size_t dims, const char* fn) {
  Napi::Env env = info.Env();
  Array cos = arrayArg(info, tables, "cos"), sin = arrayArg(info, tables + 1, "sin");
  Dims d{intArg(info, dims, "B"), intArg(info, dims + 1, "S"), intArg(info, dims + 2, "H"),
         intArg(info, dims + 3, "D")};
  const std::string name(fn);
  require(env, cos.kind == Kind::F32 && sin.kind == Kind::F32, name + ": float32 only");
  require(env, d.B >= 0 && d.S >= 0 && d.H >= 1 && d.D >= 1, name + ": bad dimensions");
  require(env, cos.length == sin.length, name + ": cos and sin differ in length");
  Rope rope{nullptr, nullptr};
  if (cos.length > 0) {
    require(env, d.D % 2 == 0 && cos.length % d.D == 0 && cos.length / d.D >= d.S,
            name + ": cos and sin must be [≥S, D] with D even");
    rope = {cos.as<float>(), sin.as<float>()};
  }
  return {d, rope};
}

// qkv [B, S, 3·H·D], cos, sin, out [B, S, H·D], B, S, H, D:
// out = softmax(q kᵀ / √D) v per batch and head, q and k rotated when tables are given.
Napi::Value AttentionFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Array x = arrayArg(info, 0, "qkv"), o = arrayArg(info, 3, "out");
  const Args args = readArgs(info, 1, 4, "attention");
  const Dims& d = args.d;
  const Rope rope = args.rope;
  require(env, x.kind == Kind::F32 && o.kind == Kind::F32, "attention: float32 only");
  require(env, x.length == d.B * d.S * d.row() && o.length == d.B * d.S * d.inner(),
          "attention: qkv must be [B, S, 3·H·D] and out [B, S, H·D]");
  const float* qkv = x.as<float>();
  float* out = o.as<float>();
  forEachHead(d, rope.cos != nullptr, false,
              [&](int64_t pair, Scratch& w) { headForward(d, qkv, rope, pair, w, out); });
  return env.Undefined();
}

// dy [B, S, H·D], qkv, cos, sin, out [B, S, 3·H·D] (dq | dk | dv like qkv), B, S, H, D.
Napi::Value AttentionGradFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Array g = arrayArg(info, 0, "dy"), x = arrayArg(info, 1, "qkv"), o = arrayArg(info, 4, "out");
  const Args args = readArgs(info, 2, 5, "attentionGrad");
  const Dims& d = args.d;
  const Rope rope = args.rope;
  require(env, g.kind == Kind::F32 && x.kind == Kind::F32 && o.kind == Kind::F32,
          "attentionGrad: float32 only");
  require(env,
          x.length == d.B * d.S * d.row() && o.length == x.length &&
              g.length == d.B * d.S * d.inner(),
          "attentionGrad: dy must be [B, S, H·D], qkv and out [B, S, 3·H·D]");
  const float* dy = g.as<float>();
  const float* qkv = x.as<float>();
  float* out = o.as<float>();
  forEachHead(d, rope.cos != nullptr, true,
              [&](int64_t pair, Scratch& w) { headGrad(d, dy, qkv, rope, pair, w, out); });
  return env.Undefined();
}

}  // namespace

void attendOne(const float* qkv, const float* cos, const float* sin, float* o, int64_t S, int64_t H,
               int64_t D) {
  const Dims d{1, S, H, D};
  Scratch w(d, cos != nullptr, false);
  for (int64_t h = 0; h < H; ++h) headForward(d, qkv, Rope{cos, sin}, h, w, o);
}

void attendGradOne(const float* dy, const float* qkv, const float* cos, const float* sin,
                   float* dqkv, int64_t S, int64_t H, int64_t D) {
  const Dims d{1, S, H, D};
  Scratch w(d, cos != nullptr, true);
  for (int64_t h = 0; h < H; ++h) headGrad(d, dy, qkv, Rope{cos, sin}, h, w, dqkv);
}

void initAttention(Napi::Env env, Napi::Object exports) {
  exports.Set("attention", Napi::Function::New(env, AttentionFn));
  exports.Set("attentionGrad", Napi::Function::New(env, AttentionGradFn));
}

}  // namespace rrm
