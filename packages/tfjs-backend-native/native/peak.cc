// The machine's fused multiply-add peak, measured rather than looked up: chains
// of independent FMAs on registers only (no memory traffic), on every pool
// thread at once. rrm-bench divides a step's FLOP/s by it, so the fraction it
// prints holds on whatever machine it runs.
#include <algorithm>
#include <chrono>
#include <cmath>

#include "common.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define RRM_X86 1
#endif

namespace rrm {
namespace {

// Independent accumulators per thread: more than FMA latency x FMA ports
// (4 x 2 on current x86 cores), so the loop is bound by throughput.
constexpr int kChains = 12;

struct Isa {
  const char* name;
  int lanes;
  // Runs `iters` FMAs on each of kChains registers of `lanes` floats; returns a
  // value derived from all of them so that none can be optimised away.
  float (*loop)(int64_t iters);
};

#ifdef RRM_X86
__attribute__((target("avx512f"))) float loopAvx512(int64_t iters) {
  __m512 acc[kChains];
  for (int j = 0; j < kChains; ++j) acc[j] = _mm512_set1_ps(1.0f + 0.01f * j);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-6f);
  for (int64_t i = 0; i < iters; ++i) {
    for (int j = 0; j < kChains; ++j) acc[j] = _mm512_fmadd_ps(acc[j], a, b);
  }
  __m512 s = acc[0];
  for (int j = 1; j < kChains; ++j) s = _mm512_add_ps(s, acc[j]);
  return _mm512_reduce_add_ps(s);
}

__attribute__((target("avx2,fma"))) float loopAvx2(int64_t iters) {
  __m256 acc[kChains];
  for (int j = 0; j < kChains; ++j) acc[j] = _mm256_set1_ps(1.0f + 0.01f * j);
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-6f);
  for (int64_t i = 0; i < iters; ++i) {
    for (int j = 0; j < kChains; ++j) acc[j] = _mm256_fmadd_ps(acc[j], a, b);
  }
  __m256 s = acc[0];
  for (int j = 1; j < kChains; ++j) s = _mm256_add_ps(s, acc[j]);
  float out[8];
  _mm256_storeu_ps(out, s);
  return out[0] + out[1] + out[2] + out[3] + out[4] + out[5] + out[6] + out[7];
}
#endif

// Elsewhere (arm64: std::fma is one instruction) one float per chain.
float loopScalar(int64_t iters) {
  float acc[kChains];
  for (int j = 0; j < kChains; ++j) acc[j] = 1.0f + 0.01f * j;
  for (int64_t i = 0; i < iters; ++i) {
    for (int j = 0; j < kChains; ++j) acc[j] = std::fma(acc[j], 0.999999f, 1e-6f);
  }
  float s = 0;
  for (int j = 0; j < kChains; ++j) s += acc[j];
  return s;
}

Isa widestIsa() {
#ifdef RRM_X86
  if (__builtin_cpu_supports("avx512f")) return {"avx512", 16, loopAvx512};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return {"avx2", 8, loopAvx2};
#endif
  return {"scalar", 1, loopScalar};
}

// Seconds for every pool thread to run `iters` iterations at once.
double timeAllThreads(const Isa& isa, int64_t iters, volatile float* sink) {
  const int n = threads();
  const auto t0 = std::chrono::steady_clock::now();
  parallelFor(n, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t k = lo; k < hi; ++k) sink[k] = isa.loop(iters);
  });
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// fmaPeak(seconds) -> { gflops, isa, threads }: the best of a few runs of about
// `seconds` / 4 each, so a moment of other load on the machine costs nothing.
Napi::Value FmaPeak(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const double seconds = numArg(info, 0, "seconds");
  require(env, seconds > 0 && seconds <= 60, "fmaPeak: seconds must be in (0, 60]");
  const Isa isa = widestIsa();
  const int n = threads();
  std::vector<float> sink(n);
  int64_t iters = 1 << 12;
  while (timeAllThreads(isa, iters, sink.data()) < seconds / 16) iters *= 2;
  double best = INFINITY;
  for (int r = 0; r < 4; ++r) best = std::min(best, timeAllThreads(isa, iters, sink.data()));
  const double flops = 2.0 * kChains * isa.lanes * static_cast<double>(iters) * n;
  Napi::Object out = Napi::Object::New(env);
  out.Set("gflops", flops / best / 1e9);
  out.Set("isa", isa.name);
  out.Set("threads", n);
  return out;
}

}  // namespace

void initPeak(Napi::Env env, Napi::Object exports) {
  exports.Set("fmaPeak", Napi::Function::New(env, FmaPeak));
  exports.Set("isa", widestIsa().name);
}

}  // namespace rrm
