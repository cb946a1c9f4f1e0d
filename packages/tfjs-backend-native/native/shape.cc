// Data movement: strided copies (transpose, slice, concat, tile, pad, reverse,
// broadcast), gather and its gradient, unsorted segment sum, scatter.
#include <algorithm>
#include <cstring>

#include "common.h"

namespace rrm {
namespace {

constexpr int64_t kGrain = 1 << 15;

// dst[dstOffset + sum_d i_d * dstStrides[d]] = src[srcOffset + sum_d i_d * srcStrides[d]]
// for every index i of `shape`. Strides may be 0 (broadcast) or negative (reverse).
// Transposing copy of the last two dimensions: the source is contiguous along
// dimension r-2 and strided along r-1 (and the destination the other way
// round). Walking 32 x 32 tiles keeps both sides in cache; the plain row loop
// would touch a new cache line (and often a new page) for every element.
template <typename T>
void tiledCopy(const T* src, int64_t srcOff, const std::vector<int64_t>& ss, T* dst,
               int64_t dstOff, const std::vector<int64_t>& ds, const std::vector<int64_t>& shape) {
  constexpr int64_t kTile = 32;
  const int r = static_cast<int>(shape.size());
  const int64_t n0 = shape[r - 2], n1 = shape[r - 1];
  const int64_t s1 = ss[r - 1], d0 = ds[r - 2];
  int64_t outer = 1;
  for (int d = 0; d < r - 2; ++d) outer *= shape[d];
  const int64_t tiles0 = (n0 + kTile - 1) / kTile;
  parallelFor(outer * tiles0, 4, [&](int64_t lo, int64_t hi) {
    for (int64_t t = lo; t < hi; ++t) {
      int64_t rem = t / tiles0, s = srcOff, o = dstOff;
      for (int d = r - 3; d >= 0; --d) {
        const int64_t i = rem % shape[d];
        rem /= shape[d];
        s += i * ss[d];
        o += i * ds[d];
      }
      const int64_t i0 = (t % tiles0) * kTile, i1 = std::min(n0, i0 + kTile);
      for (int64_t j0 = 0; j0 < n1; j0 += kTile) {
        const int64_t j1 = std::min(n1, j0 + kTile);
        for (int64_t j = j0; j < j1; ++j) {
          const T* from = src + s + j * s1;
          T* to = dst + o + j;
          for (int64_t i = i0; i < i1; ++i) to[i * d0] = from[i];
        }
      }
    }
  });
}

template <typename T>
void stridedCopy(const T* src, int64_t srcOff, const std::vector<int64_t>& ss, T* dst,
                 int64_t dstOff, const std::vector<int64_t>& ds, const std::vector<int64_t>& shape) {
  const int r = static_cast<int>(shape.size());
  const int64_t inner = shape[r - 1], si = ss[r - 1], di = ds[r - 1];
  int64_t rows = 1;
  for (int d = 0; d < r - 1; ++d) rows *= shape[d];
  parallelFor(rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(inner, 1)),
              [&](int64_t lo, int64_t hi) {
                for (int64_t row = lo; row < hi; ++row) {
                  int64_t rem = row, s = srcOff, t = dstOff;
                  for (int d = r - 2; d >= 0; --d) {
                    const int64_t i = rem % shape[d];
                    rem /= shape[d];
                    s += i * ss[d];
                    t += i * ds[d];
                  }
                  const T* from = src + s;
                  T* to = dst + t;
                  if (si == 1 && di == 1) {
                    std::memcpy(to, from, inner * sizeof(T));
                  } else if (si == 0) {
                    for (int64_t j = 0; j < inner; ++j) to[j * di] = from[0];
                  } else {
                    for (int64_t j = 0; j < inner; ++j) to[j * di] = from[j * si];
                  }
                }
              });
}

// Lowest and highest element offsets the strided index set touches.
void extent(Napi::Env env, int64_t offset, const std::vector<int64_t>& strides,
            const std::vector<int64_t>& shape, int64_t length, const char* what) {
  int64_t lo = offset, hi = offset;
  for (size_t d = 0; d < shape.size(); ++d) {
    const int64_t span = (shape[d] - 1) * strides[d];
    (span < 0 ? lo : hi) += span;
  }
  require(env, lo >= 0 && hi < length, std::string("copy: ") + what + " index out of range");
}

Napi::Value CopyFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Array src = arrayArg(info, 0, "src");
  const int64_t srcOff = intArg(info, 1, "srcOffset");
  const std::vector<int64_t> ss = intsArg(info, 2, "srcStrides");
  Array dst = arrayArg(info, 3, "dst");
  const int64_t dstOff = intArg(info, 4, "dstOffset");
  const std::vector<int64_t> ds = intsArg(info, 5, "dstStrides");
  const std::vector<int64_t> shape = intsArg(info, 6, "shape");
  require(env, src.elemSize() == dst.elemSize(), "copy: element sizes differ");
  require(env, !shape.empty() && ss.size() == shape.size() && ds.size() == shape.size(),
          "copy: bad layout");
  for (int64_t n : shape) {
    require(env, n >= 0, "copy: negative dimension");
    if (n == 0) return env.Undefined();
  }
  extent(env, srcOff, ss, shape, src.length, "source");
  extent(env, dstOff, ds, shape, dst.length, "destination");
  const size_t r = shape.size();
  const bool transposing = r >= 2 && ss[r - 2] == 1 && ds[r - 1] == 1 && ss[r - 1] > 1 &&
                           ds[r - 2] > 1 && shape[r - 2] >= 8 && shape[r - 1] >= 8;
  if (src.elemSize() == 1) {
    auto run = transposing ? tiledCopy<uint8_t> : stridedCopy<uint8_t>;
    run(src.as<uint8_t>(), srcOff, ss, dst.as<uint8_t>(), dstOff, ds, shape);
  } else {
    auto run = transposing ? tiledCopy<uint32_t> : stridedCopy<uint32_t>;
    run(src.as<uint32_t>(), srcOff, ss, dst.as<uint32_t>(), dstOff, ds, shape);
  }
  return env.Undefined();
}

// out[b, o, i, k] = x[b, o, indices[b, i], k] for x viewed as
// [batch, outer, axisDim, inner] and indices as [batch, n]; batch is 1
// without batch dimensions.
Napi::Value GatherFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Array x = arrayArg(info, 0, "x"), idx = arrayArg(info, 1, "indices"), o = arrayArg(info, 2, "out");
  const int64_t batch = intArg(info, 3, "batch"), outer = intArg(info, 4, "outer"),
                axisDim = intArg(info, 5, "axisDim"), inner = intArg(info, 6, "inner");
  require(env, idx.kind == Kind::I32, "gather: indices must be int32");
  require(env, x.elemSize() == o.elemSize(), "gather: element sizes differ");
  const int64_t n = batch == 0 ? 0 : idx.length / batch;
  require(env, idx.length == batch * n && x.length == batch * outer * axisDim * inner &&
                   o.length == batch * outer * n * inner,
          "gather: lengths do not match");
  const int32_t* ids = idx.as<int32_t>();
  for (int64_t i = 0; i < idx.length; ++i) {
    if (ids[i] < 0 || ids[i] >= axisDim)
      fail(env, "GatherV2: the index value " + std::to_string(ids[i]) + " is not in [0, " +
                    std::to_string(axisDim - 1) + "]");
  }
  if (o.length == 0) return env.Undefined();
  const int64_t bytes = inner * x.elemSize(), rows = outer * n;
  const uint8_t* in = static_cast<const uint8_t*>(x.data);
  uint8_t* out = static_cast<uint8_t*>(o.data);
  parallelFor(batch * rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(inner, 1)),
              [&](int64_t lo, int64_t hi) {
                for (int64_t t = lo; t < hi; ++t) {
                  const int64_t b = t / rows, oi = t % rows / n, i = t % n;
                  const int64_t from = (b * outer + oi) * axisDim + ids[b * n + i];
                  std::memcpy(out + t * bytes, in + from * bytes, bytes);
                }
              });
  return env.Undefined();
}

// out[s, k] = sum over n with ids[n] == s of x[n, k]; ids outside [0, numSegments)
// are dropped. Columns are split between threads and each column is summed in
// row order, so the result is deterministic.
Napi::Value SegmentSumFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Array x = arrayArg(info, 0, "x"), ids = arrayArg(info, 1, "segmentIds"), o = arrayArg(info, 2, "out");
  const int64_t numSegments = intArg(info, 3, "numSegments");
  require(env, ids.kind == Kind::I32, "unsortedSegmentSum: segment ids must be int32");
  require(env, x.kind != Kind::U8 && o.kind == Kind::F32,
          "unsortedSegmentSum: float32 or int32 in, float32 out");
  const int64_t n = ids.length;
  require(env, numSegments >= 0 && o.length % std::max<int64_t>(numSegments, 1) == 0,
          "unsortedSegmentSum: bad output length");
  const int64_t inner = numSegments == 0 ? 0 : o.length / numSegments;
  require(env, x.length == n * inner, "unsortedSegmentSum: x length does not match ids");
  if (o.length == 0) return env.Undefined();
  const int32_t* seg = ids.as<int32_t>();
  float* out = o.as<float>();
  const int64_t grain = std::max<int64_t>(1, kGrain / std::max<int64_t>(n, 1));
  if (x.kind == Kind::F32) {
    const float* in = x.as<float>();
    std::memset(out, 0, o.length * sizeof(float));
    parallelFor(inner, grain, [&](int64_t lo, int64_t hi) {
      for (int64_t r = 0; r < n; ++r) {
        const int32_t s = seg[r];
        if (s < 0 || s >= numSegments) continue;
        float* dst = out + s * inner;
        const float* src = in + r * inner;
        for (int64_t k = lo; k < hi; ++k) dst[k] += src[k];
      }
    });
    return env.Undefined();
  }
  // int32 in, float32 out as the cpu kernel does it: each value rounded to
  // float32 (its mask * x products), summed in doubles (its Sum), rounded once.
  const int32_t* in = x.as<int32_t>();
  parallelFor(inner, grain, [&](int64_t lo, int64_t hi) {
    const int64_t w = hi - lo;
    std::vector<double> acc(numSegments * w, 0.0);
    for (int64_t r = 0; r < n; ++r) {
      const int32_t s = seg[r];
      if (s < 0 || s >= numSegments) continue;
      double* dst = acc.data() + s * w;
      const int32_t* src = in + r * inner + lo;
      for (int64_t k = 0; k < w; ++k) dst[k] += static_cast<float>(src[k]);
    }
    for (int64_t s = 0; s < numSegments; ++s) {
      for (int64_t k = 0; k < w; ++k) out[s * inner + lo + k] = static_cast<float>(acc[s * w + k]);
    }
  });
  return env.Undefined();
}

template <typename T>
std::string listOf(const T* v, size_t n) {
  std::string s = "[";
  for (size_t k = 0; k < n; ++k) s += (k ? ", " : "") + std::to_string(v[k]);
  return s + "]";
}

// out = 0, then out[row(i)] += updates[i] for every index tuple i in order, a
// row being a slice of the trailing dimensions. Each thread owns a range of
// output elements and scans every update, so duplicates sum in update order
// whatever the thread count. T is uint32_t for int32: wrapping like the cpu
// kernel's Int32Array stores.
template <typename T>
void scatterAdd(const T* updates, T* out, const std::vector<int64_t>& rows, int64_t slice,
                int64_t total) {
  parallelFor(total, kGrain, [&](int64_t lo, int64_t hi) {
    std::fill(out + lo, out + hi, T(0));
    for (size_t i = 0; i < rows.size(); ++i) {
      const int64_t start = rows[i] * slice;
      const int64_t a = std::max(lo, start), b = std::min(hi, start + slice);
      const T* src = updates + static_cast<int64_t>(i) * slice - start;
      for (int64_t k = a; k < b; ++k) out[k] += src[k];
    }
  });
}

Napi::Value ScatterNdFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Array idx = arrayArg(info, 0, "indices"), upd = arrayArg(info, 1, "updates"),
        o = arrayArg(info, 2, "out");
  const std::vector<int64_t> shape = intsArg(info, 3, "shape");
  const int64_t sliceRank = intArg(info, 4, "sliceRank");
  require(env, idx.kind == Kind::I32, "scatterNd: indices must be int32");
  require(env, upd.kind != Kind::U8 && o.kind == upd.kind,
          "scatterNd: float32 or int32 updates, and an output of their dtype");
  require(env, sliceRank >= 0 && sliceRank <= static_cast<int64_t>(shape.size()),
          "scatterNd: index tuples longer than the shape");
  int64_t numRows = 1, slice = 1;
  std::vector<int64_t> strides(sliceRank);
  for (int64_t d = sliceRank - 1; d >= 0; --d) {
    strides[d] = numRows;
    numRows *= shape[d];
  }
  for (size_t d = sliceRank; d < shape.size(); ++d) slice *= shape[d];
  const int64_t n = sliceRank == 0 ? 0 : idx.length / sliceRank;
  require(env, o.length == numRows * slice && idx.length == n * sliceRank &&
                   upd.length == n * slice,
          "scatterNd: lengths do not match");
  // The cpu kernel returns an empty output without reading the indices.
  if (o.length == 0) return env.Undefined();
  // Like the cpu kernel, only the flattened row must be in range.
  const int32_t* ids = idx.as<int32_t>();
  std::vector<int64_t> rows(n);
  for (int64_t i = 0; i < n; ++i) {
    const int32_t* tuple = ids + i * sliceRank;
    int64_t row = 0;
    for (int64_t j = 0; j < sliceRank; ++j) row += tuple[j] * strides[j];
    if (row < 0 || row >= numRows)
      fail(env, "ScatterNd: the index " + listOf(tuple, sliceRank) +
                    " does not index into shape " + listOf(shape.data(), shape.size()));
    rows[i] = row;
  }
  if (o.kind == Kind::F32) scatterAdd(upd.as<float>(), o.as<float>(), rows, slice, o.length);
  else scatterAdd(upd.as<uint32_t>(), o.as<uint32_t>(), rows, slice, o.length);
  return env.Undefined();
}

}  // namespace

void initShape(Napi::Env env, Napi::Object exports) {
  exports.Set("copy", Napi::Function::New(env, CopyFn));
  exports.Set("gather", Napi::Function::New(env, GatherFn));
  exports.Set("segmentSum", Napi::Function::New(env, SegmentSumFn));
  exports.Set("scatterNd", Napi::Function::New(env, ScatterNdFn));
}

}  // namespace rrm
