// Elementwise kernels: broadcasting binary ops, unary math, cast, select, addN.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>

#include "common.h"

namespace rrm {
namespace {

constexpr int64_t kGrain = 1 << 15;

// Op names are exported to JavaScript, which looks codes up by name, so the
// two sides cannot drift apart.
const char* const kBinaryOps[] = {
    "add",   "sub",       "mul",      "div",          "maximum",   "minimum",
    "pow",   "squaredDifference",     "atan2",        "floorDiv",  "mod",
    "equal", "notEqual",  "less",     "lessEqual",    "greater",   "greaterEqual",
    "logicalAnd",         "logicalOr"};
enum Binary {
  ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM, POW, SQDIFF, ATAN2, FLOORDIV, MOD,
  EQ, NE, LT, LE, GT, GE, LAND, LOR, NUM_BINARY
};

const char* const kUnaryOps[] = {
    "abs",   "neg",   "exp",   "log",   "sqrt",  "rsqrt", "square", "sigmoid", "tanh",
    "relu",  "relu6", "elu",   "softplus",       "log1p", "expm1",  "sin",     "cos",
    "floor", "ceil",  "round", "sign",  "reciprocal",     "step",   "leakyRelu",
    "clip",  "erf",   "selu",  "atan"};
enum Unary {
  ABS, NEG, EXP, LOG, SQRT, RSQRT, SQUARE, SIGMOID, TANH, RELU, RELU6, ELU, SOFTPLUS,
  LOG1P, EXPM1, SIN, COS, FLOOR, CEIL, ROUND, SIGN, RECIPROCAL, STEP, LEAKY, CLIP, ERF,
  SELU, ATAN, NUM_UNARY
};

// One broadcast row: after dimension collapsing the innermost stride of each
// operand is 1 (present) or 0 (broadcast); the four cases get their own loops
// so the compiler can vectorise them.
template <typename A, typename O, typename F>
inline void row(const A* a, int64_t sa, const A* b, int64_t sb, O* o, int64_t n, F f) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], b[i]);
  } else if (sa == 0 && sb == 1) {
    const A x = a[0];
    for (int64_t i = 0; i < n; ++i) o[i] = f(x, b[i]);
  } else if (sa == 1 && sb == 0) {
    const A y = b[0];
    for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], y);
  } else {
    for (int64_t i = 0; i < n; ++i) o[i] = f(a[i * sa], b[i * sb]);
  }
}

struct Layout {
  std::vector<int64_t> shape, as, bs;
  int64_t rows, inner;
};

template <typename A, typename O, typename F>
void broadcastLoop(const A* a, const A* b, O* o, const Layout& L, F f) {
  const int r = static_cast<int>(L.shape.size());
  const int64_t sa = L.as[r - 1], sb = L.bs[r - 1], inner = L.inner;
  if (L.rows == 1) {
    parallelFor(inner, kGrain, [&](int64_t lo, int64_t hi) {
      row(a + lo * sa, sa, b + lo * sb, sb, o + lo, hi - lo, f);
    });
    return;
  }
  parallelFor(L.rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(inner, 1)),
              [&](int64_t lo, int64_t hi) {
                for (int64_t rIdx = lo; rIdx < hi; ++rIdx) {
                  int64_t rem = rIdx, offA = 0, offB = 0;
                  for (int d = r - 2; d >= 0; --d) {
                    const int64_t i = rem % L.shape[d];
                    rem /= L.shape[d];
                    offA += i * L.as[d];
                    offB += i * L.bs[d];
                  }
                  row(a + offA, sa, b + offB, sb, o + rIdx * inner, inner, f);
                }
              });
}

template <typename T>
inline T jsMax(T x, T y) {
  return (x != x || x > y) ? x : y;  // NaN-propagating like Math.max
}
template <typename T>
inline T jsMin(T x, T y) {
  return (x != x || x < y) ? x : y;
}

template <typename A>
bool comparison(int op, const A* a, const A* b, uint8_t* o, const Layout& L) {
  switch (op) {
    case EQ: broadcastLoop(a, b, o, L, [](A x, A y) -> uint8_t { return x == y; }); return true;
    case NE: broadcastLoop(a, b, o, L, [](A x, A y) -> uint8_t { return x != y; }); return true;
    case LT: broadcastLoop(a, b, o, L, [](A x, A y) -> uint8_t { return x < y; }); return true;
    case LE: broadcastLoop(a, b, o, L, [](A x, A y) -> uint8_t { return x <= y; }); return true;
    case GT: broadcastLoop(a, b, o, L, [](A x, A y) -> uint8_t { return x > y; }); return true;
    case GE: broadcastLoop(a, b, o, L, [](A x, A y) -> uint8_t { return x >= y; }); return true;
    default: return false;
  }
}

bool floatArith(int op, const float* a, const float* b, float* o, const Layout& L) {
  switch (op) {
    case ADD: broadcastLoop(a, b, o, L, [](float x, float y) { return x + y; }); return true;
    case SUB: broadcastLoop(a, b, o, L, [](float x, float y) { return x - y; }); return true;
    case MUL: broadcastLoop(a, b, o, L, [](float x, float y) { return x * y; }); return true;
    case DIV: broadcastLoop(a, b, o, L, [](float x, float y) { return x / y; }); return true;
    case MAXIMUM: broadcastLoop(a, b, o, L, jsMax<float>); return true;
    case MINIMUM: broadcastLoop(a, b, o, L, jsMin<float>); return true;
    case POW: broadcastLoop(a, b, o, L, [](float x, float y) { return std::pow(x, y); }); return true;
    case SQDIFF:
      broadcastLoop(a, b, o, L, [](float x, float y) { return (x - y) * (x - y); });
      return true;
    case ATAN2: broadcastLoop(a, b, o, L, [](float x, float y) { return std::atan2(x, y); }); return true;
    case FLOORDIV:
      broadcastLoop(a, b, o, L, [](float x, float y) { return std::floor(x / y); });
      return true;
    case MOD:
      // Result takes the divisor's sign, as in TF.js and Python.
      broadcastLoop(a, b, o, L, [](float x, float y) {
        const float r = std::fmod(x, y);
        return (r != 0 && ((r < 0) != (y < 0))) ? r + y : r;
      });
      return true;
    default: return false;
  }
}

// x^y as the cpu kernel gets it: Math.pow in doubles, stored into an
// Int32Array (truncated, wrapped modulo 2^32; inf and NaN store 0). Exact
// below 2^53; beyond that the low bits depend on V8's pow rounding, which
// glibc's does not reproduce, so such results set `inexact` instead.
inline int32_t intPow(int32_t x, int32_t y, std::atomic<bool>& inexact) {
  if (y == 0 || x == 1) return 1;
  if (x == -1) return (y & 1) ? -1 : 1;
  // 0^-n is inf, |x|^-n for |x| >= 2 a fraction: both store 0.
  if (y < 0 || x == 0) return 0;
  constexpr int64_t kExact = int64_t(1) << 53;
  int64_t r = 1;
  for (int32_t k = 0; k < y; ++k) {
    r *= x;
    if (r >= kExact || r <= -kExact) {
      inexact.store(true, std::memory_order_relaxed);
      return 0;
    }
  }
  return int32_t(uint32_t(uint64_t(r)));
}

// int32 arithmetic wraps modulo 2^32 like the Int32Array stores of the cpu
// backend. Division by zero gives 0 (the cpu kernel's inf or NaN, stored).
// `exact` turns false when a result could not be reproduced (see intPow).
bool intArith(int op, const int32_t* a, const int32_t* b, int32_t* o, const Layout& L,
              bool& exact) {
  using I = int32_t;
  using U = uint32_t;
  switch (op) {
    case ADD: broadcastLoop(a, b, o, L, [](I x, I y) { return I(U(x) + U(y)); }); return true;
    case SUB: broadcastLoop(a, b, o, L, [](I x, I y) { return I(U(x) - U(y)); }); return true;
    case MUL: broadcastLoop(a, b, o, L, [](I x, I y) { return I(U(x) * U(y)); }); return true;
    case MAXIMUM: broadcastLoop(a, b, o, L, [](I x, I y) { return x > y ? x : y; }); return true;
    case MINIMUM: broadcastLoop(a, b, o, L, [](I x, I y) { return x < y ? x : y; }); return true;
    case SQDIFF:
      broadcastLoop(a, b, o, L, [](I x, I y) { const U d = U(x) - U(y); return I(d * d); });
      return true;
    case FLOORDIV:
      // In int64 so INT32_MIN / -1 wraps like the stored 2^31 instead of trapping.
      broadcastLoop(a, b, o, L, [](I x, I y) {
        if (y == 0) return I(0);
        int64_t q = int64_t(x) / y;
        if (int64_t(x) % y != 0 && ((x < 0) != (y < 0))) --q;
        return I(U(q));
      });
      return true;
    case MOD:
      // Takes the divisor's sign, as in the float loop.
      broadcastLoop(a, b, o, L, [](I x, I y) {
        if (y == 0) return I(0);
        const int64_t r = int64_t(x) % y;
        return I((r != 0 && ((r < 0) != (y < 0))) ? r + y : r);
      });
      return true;
    case POW: {
      std::atomic<bool> inexact{false};
      broadcastLoop(a, b, o, L, [&inexact](I x, I y) { return intPow(x, y, inexact); });
      exact = !inexact.load();
      return true;
    }
    default: return false;
  }
}

// Writes `op` of two broadcast operands. Returns false when the result cannot
// match the cpu kernel (int32 pow beyond 2^53), for the caller to fall back.
Napi::Value BinaryFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int op = static_cast<int>(intArg(info, 0, "op"));
  Array a = arrayArg(info, 1, "a"), b = arrayArg(info, 2, "b"), o = arrayArg(info, 3, "out");
  Layout L{intsArg(info, 4, "shape"), intsArg(info, 5, "aStrides"), intsArg(info, 6, "bStrides"),
           1, 1};
  const size_t r = L.shape.size();
  require(env, r >= 1 && L.as.size() == r && L.bs.size() == r, "binary: bad layout");
  require(env, op >= 0 && op < NUM_BINARY, "binary: unknown op");
  require(env, a.kind == b.kind, "binary: operand dtypes differ");
  int64_t total = 1, lastA = 0, lastB = 0;
  for (size_t d = 0; d < r; ++d) {
    total *= L.shape[d];
    if (L.shape[d] > 0) {
      lastA += (L.shape[d] - 1) * L.as[d];
      lastB += (L.shape[d] - 1) * L.bs[d];
    }
  }
  require(env, o.length == total, "binary: output length does not match the shape");
  if (total == 0) return Napi::Boolean::New(env, true);
  require(env, lastA < a.length && lastB < b.length, "binary: strides exceed an input");
  L.inner = L.shape[r - 1];
  L.rows = total / L.inner;
  const bool cmp = op >= EQ && op <= GE;
  const bool logical = op == LAND || op == LOR;
  bool done = false, exact = true;
  if (logical) {
    require(env, a.kind == Kind::U8 && o.kind == Kind::U8, "binary: logical ops take bool");
    auto* x = a.as<uint8_t>();
    auto* y = b.as<uint8_t>();
    if (op == LAND) broadcastLoop(x, y, o.as<uint8_t>(), L, [](uint8_t p, uint8_t q) -> uint8_t { return p && q; });
    else broadcastLoop(x, y, o.as<uint8_t>(), L, [](uint8_t p, uint8_t q) -> uint8_t { return p || q; });
    done = true;
  } else if (cmp) {
    require(env, o.kind == Kind::U8, "binary: comparisons write bool");
    if (a.kind == Kind::F32) done = comparison(op, a.as<float>(), b.as<float>(), o.as<uint8_t>(), L);
    else if (a.kind == Kind::I32) done = comparison(op, a.as<int32_t>(), b.as<int32_t>(), o.as<uint8_t>(), L);
    else done = comparison(op, a.as<uint8_t>(), b.as<uint8_t>(), o.as<uint8_t>(), L);
  } else if (a.kind == Kind::F32 && o.kind == Kind::F32) {
    done = floatArith(op, a.as<float>(), b.as<float>(), o.as<float>(), L);
  } else if (a.kind == Kind::I32 && o.kind == Kind::I32) {
    done = intArith(op, a.as<int32_t>(), b.as<int32_t>(), o.as<int32_t>(), L, exact);
  }
  require(env, done, std::string("binary: ") + kBinaryOps[op] + " is not supported for these dtypes");
  return Napi::Boolean::New(env, exact);
}

// TF.js's softplus with the same thresholds as the cpu kernel.
inline float softplus(float x) {
  const float threshold = std::log(1.1920928955078125e-7f) + 2.0f;
  if (x < threshold) return std::exp(x);
  if (x > -threshold) return x;
  return std::log1p(std::exp(x));
}

RRM_SIMD void expSpan(const float* x, float* o, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] = vexp(x[i]);
}

RRM_SIMD void sigmoidSpan(const float* x, float* o, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] = 1.0f / (1.0f + vexp(-x[i]));
}

// Runs a span function over [0, n) in parallel chunks.
void spanLoop(const float* x, float* o, int64_t n, void (*span)(const float*, float*, int64_t)) {
  parallelFor(n, kGrain, [&](int64_t lo, int64_t hi) { span(x + lo, o + lo, hi - lo); });
}

template <typename F>
void unaryLoop(const float* x, float* o, int64_t n, F f) {
  parallelFor(n, kGrain, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) o[i] = f(x[i]);
  });
}

Napi::Value UnaryFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int op = static_cast<int>(intArg(info, 0, "op"));
  Array x = arrayArg(info, 1, "x"), o = arrayArg(info, 2, "out");
  const float p = static_cast<float>(numArg(info, 3, "p"));
  const float q = static_cast<float>(numArg(info, 4, "q"));
  require(env, op >= 0 && op < NUM_UNARY, "unary: unknown op");
  require(env, x.kind == Kind::F32 && o.kind == Kind::F32, "unary: float32 only");
  require(env, x.length == o.length, "unary: output length differs from input");
  const float* a = x.as<float>();
  float* out = o.as<float>();
  const int64_t n = x.length;
  switch (op) {
    case ABS: unaryLoop(a, out, n, [](float v) { return std::fabs(v); }); break;
    case NEG: unaryLoop(a, out, n, [](float v) { return -v; }); break;
    case EXP: spanLoop(a, out, n, expSpan); break;
    case LOG: unaryLoop(a, out, n, [](float v) { return std::log(v); }); break;
    case SQRT: unaryLoop(a, out, n, [](float v) { return std::sqrt(v); }); break;
    case RSQRT: unaryLoop(a, out, n, [](float v) { return 1.0f / std::sqrt(v); }); break;
    case SQUARE: unaryLoop(a, out, n, [](float v) { return v * v; }); break;
    case SIGMOID: spanLoop(a, out, n, sigmoidSpan); break;
    case TANH: unaryLoop(a, out, n, [](float v) { return std::tanh(v); }); break;
    case RELU: unaryLoop(a, out, n, [](float v) { return v < 0 ? 0.0f : v; }); break;
    case RELU6: unaryLoop(a, out, n, [](float v) { return v < 0 ? 0.0f : (v > 6 ? 6.0f : v); }); break;
    case ELU: unaryLoop(a, out, n, [](float v) { return v >= 0 ? v : std::expm1(v); }); break;
    case SOFTPLUS: unaryLoop(a, out, n, softplus); break;
    case LOG1P: unaryLoop(a, out, n, [](float v) { return std::log1p(v); }); break;
    case EXPM1: unaryLoop(a, out, n, [](float v) { return std::expm1(v); }); break;
    case SIN: unaryLoop(a, out, n, [](float v) { return std::sin(v); }); break;
    case COS: unaryLoop(a, out, n, [](float v) { return std::cos(v); }); break;
    case FLOOR: unaryLoop(a, out, n, [](float v) { return std::floor(v); }); break;
    case CEIL: unaryLoop(a, out, n, [](float v) { return std::ceil(v); }); break;
    // Half-way cases to even, as the cpu backend rounds.
    case ROUND: unaryLoop(a, out, n, [](float v) { return std::nearbyint(v); }); break;
    case SIGN: unaryLoop(a, out, n, [](float v) { return v != v ? v : v < 0 ? -1.0f : (v > 0 ? 1.0f : 0.0f); }); break;
    case RECIPROCAL: unaryLoop(a, out, n, [](float v) { return 1.0f / v; }); break;
    case STEP: unaryLoop(a, out, n, [p](float v) { return v != v ? NAN : (v > 0 ? 1.0f : p); }); break;
    case LEAKY: unaryLoop(a, out, n, [p](float v) { return v < 0 ? p * v : v; }); break;
    case CLIP: unaryLoop(a, out, n, [p, q](float v) { return v != v ? v : (v < p ? p : (v > q ? q : v)); }); break;
    case ERF: unaryLoop(a, out, n, [](float v) { return std::erf(v); }); break;
    case SELU:
      unaryLoop(a, out, n, [](float v) {
        const float scale = 1.0507009873554804934193349852946f;
        const float alpha = 1.6732632423543772848170429916717f;
        return v >= 0 ? scale * v : scale * alpha * std::expm1(v);
      });
      break;
    case ATAN: unaryLoop(a, out, n, [](float v) { return std::atan(v); }); break;
    default: break;
  }
  return env.Undefined();
}

template <typename From, typename To, typename F>
void castLoop(const Array& x, const Array& o, F f) {
  const From* a = x.as<From>();
  To* out = o.as<To>();
  parallelFor(x.length, kGrain, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) out[i] = f(a[i]);
  });
}

// Casts between float32, int32 and bool with the cpu backend's semantics:
// float -> int truncates toward zero (NaN -> 0), anything -> bool is `!= 0`.
Napi::Value CastFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Array x = arrayArg(info, 0, "x"), o = arrayArg(info, 1, "out");
  require(env, x.length == o.length, "cast: output length differs from input");
  if (x.kind == o.kind) {
    if (x.length > 0) std::memcpy(o.data, x.data, x.length * x.elemSize());
  } else if (x.kind == Kind::F32 && o.kind == Kind::I32) {
    castLoop<float, int32_t>(x, o, [](float v) {
      if (!(v == v) || v >= 2147483648.0f || v < -2147483648.0f) return int32_t(0);
      return static_cast<int32_t>(v);
    });
  } else if (x.kind == Kind::F32) {
    castLoop<float, uint8_t>(x, o, [](float v) -> uint8_t { return v != 0; });
  } else if (x.kind == Kind::I32 && o.kind == Kind::F32) {
    castLoop<int32_t, float>(x, o, [](int32_t v) { return static_cast<float>(v); });
  } else if (x.kind == Kind::I32) {
    castLoop<int32_t, uint8_t>(x, o, [](int32_t v) -> uint8_t { return v != 0; });
  } else if (o.kind == Kind::F32) {
    castLoop<uint8_t, float>(x, o, [](uint8_t v) { return static_cast<float>(v); });
  } else {
    castLoop<uint8_t, int32_t>(x, o, [](uint8_t v) { return static_cast<int32_t>(v); });
  }
  return env.Undefined();
}

template <typename T>
void selectLoop(const uint8_t* c, const T* a, const T* b, T* o, int64_t n, int64_t inner) {
  parallelFor(n, kGrain, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) o[i] = c[i / inner] ? a[i] : b[i];
  });
}

// out[i] = cond[i / inner] ? a[i] : b[i]; inner > 1 when the condition is a
// vector over the first dimension.
Napi::Value SelectFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Array c = arrayArg(info, 0, "condition"), a = arrayArg(info, 1, "a"), b = arrayArg(info, 2, "b"),
        o = arrayArg(info, 3, "out");
  const int64_t inner = intArg(info, 4, "inner");
  require(env, c.kind == Kind::U8, "select: condition must be bool");
  require(env, a.kind == b.kind && a.kind == o.kind, "select: dtypes differ");
  require(env, a.length == o.length && b.length == o.length && inner >= 1 &&
                   c.length * inner == o.length,
          "select: lengths do not match");
  if (o.kind == Kind::U8)
    selectLoop(c.as<uint8_t>(), a.as<uint8_t>(), b.as<uint8_t>(), o.as<uint8_t>(), o.length, inner);
  else
    selectLoop(c.as<uint8_t>(), a.as<uint32_t>(), b.as<uint32_t>(), o.as<uint32_t>(), o.length, inner);
  return env.Undefined();
}

// Sums equally shaped float32 arrays, accumulating in input order.
Napi::Value AddNFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  require(env, info[0].IsArray(), "addN: inputs must be an array");
  auto list = info[0].As<Napi::Array>();
  Array o = arrayArg(info, 1, "out");
  require(env, o.kind == Kind::F32, "addN: float32 only");
  std::vector<const float*> xs;
  for (uint32_t k = 0; k < list.Length(); ++k) {
    Array x = arrayArg(env, list.Get(k), "inputs[k]");
    require(env, x.kind == Kind::F32 && x.length == o.length, "addN: inputs differ");
    xs.push_back(x.as<float>());
  }
  require(env, !xs.empty(), "addN: no inputs");
  float* out = o.as<float>();
  parallelFor(o.length, kGrain, [&](int64_t lo, int64_t hi) {
    std::memcpy(out + lo, xs[0] + lo, (hi - lo) * sizeof(float));
    for (size_t k = 1; k < xs.size(); ++k) {
      const float* x = xs[k];
      for (int64_t i = lo; i < hi; ++i) out[i] += x[i];
    }
  });
  return env.Undefined();
}

Napi::Array names(Napi::Env env, const char* const* list, int n) {
  Napi::Array arr = Napi::Array::New(env, n);
  for (int k = 0; k < n; ++k) arr.Set(k, Napi::String::New(env, list[k]));
  return arr;
}

}  // namespace

void initElementwise(Napi::Env env, Napi::Object exports) {
  static_assert(sizeof(kBinaryOps) / sizeof(kBinaryOps[0]) == NUM_BINARY, "binary op names");
  static_assert(sizeof(kUnaryOps) / sizeof(kUnaryOps[0]) == NUM_UNARY, "unary op names");
  exports.Set("binaryOps", names(env, kBinaryOps, NUM_BINARY));
  exports.Set("unaryOps", names(env, kUnaryOps, NUM_UNARY));
  exports.Set("binary", Napi::Function::New(env, BinaryFn));
  exports.Set("unary", Napi::Function::New(env, UnaryFn));
  exports.Set("cast", Napi::Function::New(env, CastFn));
  exports.Set("select", Napi::Function::New(env, SelectFn));
  exports.Set("addN", Napi::Function::New(env, AddNFn));
}

}  // namespace rrm
