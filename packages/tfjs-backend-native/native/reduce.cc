// Reductions over the middle axis of an [outer, R, inner] view, and softmax.
#include <algorithm>
#include <cmath>
#include <limits>

#include "common.h"

namespace rrm {

// One row of softmax (or log-softmax); the exponentials vectorise, the sum
// stays a serial double accumulation.
RRM_SIMD void softmaxRow(const float* xr, float* yr, int64_t cols, bool logOut) {
  float m = xr[0];
  for (int64_t j = 1; j < cols; ++j) m = (xr[j] > m || xr[j] != xr[j]) ? xr[j] : m;
  for (int64_t j = 0; j < cols; ++j) yr[j] = vexp(xr[j] - m);
  double sum = 0;
  for (int64_t j = 0; j < cols; ++j) sum += yr[j];
  if (logOut) {
    const float lse = static_cast<float>(std::log(sum));
    for (int64_t j = 0; j < cols; ++j) yr[j] = xr[j] - m - lse;
  } else {
    const float inv = static_cast<float>(1.0 / sum);
    for (int64_t j = 0; j < cols; ++j) yr[j] *= inv;
  }
}

namespace {

const char* const kReduceOps[] = {"sum", "mean", "max", "min", "prod",
                                  "argMax", "argMin", "any", "all"};
enum Reduce { SUM, MEAN, MAX, MIN, PROD, ARGMAX, ARGMIN, ANY, ALL, NUM_REDUCE };

// Each output element is folded serially over r = 0..R-1 by one thread, so
// the result does not depend on how the work is split.
template <typename T, typename O, typename Op>
void reduceLoop(const T* x, O* out, int64_t outer, int64_t R, int64_t inner, Op op) {
  using Acc = decltype(op.init());
  if (inner == 1) {
    parallelFor(outer, std::max<int64_t>(1, (1 << 14) / std::max<int64_t>(R, 1)),
                [&](int64_t lo, int64_t hi) {
                  for (int64_t i = lo; i < hi; ++i) {
                    const T* row = x + i * R;
                    Acc acc = op.init();
                    for (int64_t r = 0; r < R; ++r) acc = op.step(acc, row[r], r);
                    out[i] = op.finish(acc, R);
                  }
                });
    return;
  }
  constexpr int64_t kCols = 512;
  const int64_t chunks = (inner + kCols - 1) / kCols;
  parallelFor(outer * chunks, std::max<int64_t>(1, (1 << 14) / std::max<int64_t>(R * kCols, 1)),
              [&](int64_t lo, int64_t hi) {
                std::vector<Acc> acc(kCols);
                for (int64_t t = lo; t < hi; ++t) {
                  const int64_t i = t / chunks, j0 = (t % chunks) * kCols;
                  const int64_t cols = std::min(kCols, inner - j0);
                  std::fill(acc.begin(), acc.begin() + cols, op.init());
                  for (int64_t r = 0; r < R; ++r) {
                    const T* row = x + (i * R + r) * inner + j0;
                    for (int64_t j = 0; j < cols; ++j) acc[j] = op.step(acc[j], row[j], r);
                  }
                  O* dst = out + i * inner + j0;
                  for (int64_t j = 0; j < cols; ++j) dst[j] = op.finish(acc[j], R);
                }
              });
}

template <typename T, typename A>
struct SumOp {
  bool mean;
  A init() const { return 0; }
  A step(A acc, T v, int64_t) const { return acc + v; }
  T finish(A acc, int64_t R) const { return static_cast<T>(mean ? acc / R : acc); }
};
template <typename T>
struct ProdOp {
  double init() const { return 1; }
  double step(double acc, T v, int64_t) const { return acc * v; }
  T finish(double acc, int64_t) const { return static_cast<T>(acc); }
};
// NaN-propagating like the cpu backend's max/min.
template <typename T, bool Max>
struct ExtremeOp {
  T init() const { return Max ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max(); }
  T step(T acc, T v, int64_t r) const {
    if (r == 0 || v != v) return v;
    return (Max ? v > acc : v < acc) ? v : acc;
  }
  T finish(T acc, int64_t) const { return acc; }
};
// The first index holding the extreme value.
template <typename T, bool Max>
struct ArgOp {
  struct Best {
    T value;
    int32_t index;
  };
  Best init() const { return Best{T(0), 0}; }
  Best step(Best acc, T v, int64_t r) const {
    if (r == 0 || (Max ? v > acc.value : v < acc.value)) return Best{v, static_cast<int32_t>(r)};
    return acc;
  }
  int32_t finish(Best acc, int64_t) const { return acc.index; }
};
template <bool Any>
struct BoolOp {
  bool init() const { return !Any; }
  bool step(bool acc, uint8_t v, int64_t) const { return Any ? (acc || v) : (acc && v); }
  uint8_t finish(bool acc, int64_t) const { return acc; }
};

template <typename T, typename A>
bool numeric(int op, const Array& x, const Array& o, int64_t outer, int64_t R, int64_t inner) {
  const T* in = x.as<T>();
  const bool argOp = op == ARGMAX || op == ARGMIN;
  if (argOp ? o.kind != Kind::I32 : o.kind != x.kind) return false;
  switch (op) {
    case SUM: reduceLoop(in, o.as<T>(), outer, R, inner, SumOp<T, A>{false}); return true;
    case MEAN: reduceLoop(in, o.as<T>(), outer, R, inner, SumOp<T, A>{true}); return true;
    case PROD: reduceLoop(in, o.as<T>(), outer, R, inner, ProdOp<T>{}); return true;
    case MAX: reduceLoop(in, o.as<T>(), outer, R, inner, ExtremeOp<T, true>{}); return true;
    case MIN: reduceLoop(in, o.as<T>(), outer, R, inner, ExtremeOp<T, false>{}); return true;
    case ARGMAX: reduceLoop(in, o.as<int32_t>(), outer, R, inner, ArgOp<T, true>{}); return true;
    case ARGMIN: reduceLoop(in, o.as<int32_t>(), outer, R, inner, ArgOp<T, false>{}); return true;
    default: return false;
  }
}

Napi::Value ReduceFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int op = static_cast<int>(intArg(info, 0, "op"));
  Array x = arrayArg(info, 1, "x"), o = arrayArg(info, 2, "out");
  const int64_t outer = intArg(info, 3, "outer"), R = intArg(info, 4, "R"),
                inner = intArg(info, 5, "inner");
  require(env, op >= 0 && op < NUM_REDUCE, "reduce: unknown op");
  require(env, outer >= 0 && R >= 0 && inner >= 0 && x.length == outer * R * inner &&
                   o.length == outer * inner,
          "reduce: lengths do not match [outer, R, inner]");
  require(env, R > 0 || op == SUM || op == PROD || op == ANY || op == ALL,
          std::string("reduce: ") + kReduceOps[op] + " over an empty axis");
  if (o.length == 0) return env.Undefined();
  bool done = false;
  if (x.kind == Kind::F32 && op != ANY && op != ALL) {
    done = numeric<float, double>(op, x, o, outer, R, inner);
  } else if (x.kind == Kind::I32 && op != ANY && op != ALL && op != MEAN) {
    done = numeric<int32_t, int64_t>(op, x, o, outer, R, inner);
  } else if (x.kind == Kind::U8 && o.kind == Kind::U8 && (op == ANY || op == ALL)) {
    if (op == ANY) reduceLoop(x.as<uint8_t>(), o.as<uint8_t>(), outer, R, inner, BoolOp<true>{});
    else reduceLoop(x.as<uint8_t>(), o.as<uint8_t>(), outer, R, inner, BoolOp<false>{});
    done = true;
  }
  require(env, done, std::string("reduce: ") + kReduceOps[op] + " is not supported for these dtypes");
  return env.Undefined();
}

// Row-wise softmax (or log-softmax) of a [rows, cols] float32 array.
Napi::Value SoftmaxFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Array x = arrayArg(info, 0, "x"), o = arrayArg(info, 1, "out");
  const int64_t rows = intArg(info, 2, "rows"), cols = intArg(info, 3, "cols");
  const bool logOut = info[4].ToBoolean();
  require(env, x.kind == Kind::F32 && o.kind == Kind::F32, "softmax: float32 only");
  require(env, rows >= 0 && cols >= 0 && x.length == rows * cols && o.length == x.length,
          "softmax: lengths do not match [rows, cols]");
  if (x.length == 0) return env.Undefined();
  const float* in = x.as<float>();
  float* out = o.as<float>();
  parallelFor(rows, std::max<int64_t>(1, (1 << 13) / cols), [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) softmaxRow(in + i * cols, out + i * cols, cols, logOut);
  });
  return env.Undefined();
}

}  // namespace

void initReduce(Napi::Env env, Napi::Object exports) {
  static_assert(sizeof(kReduceOps) / sizeof(kReduceOps[0]) == NUM_REDUCE, "reduce op names");
  Napi::Array names = Napi::Array::New(env, NUM_REDUCE);
  for (int k = 0; k < NUM_REDUCE; ++k) names.Set(k, Napi::String::New(env, kReduceOps[k]));
  exports.Set("reduceOps", names);
  exports.Set("reduce", Napi::Function::New(env, ReduceFn));
  exports.Set("softmax", Napi::Function::New(env, SoftmaxFn));
}

}  // namespace rrm
