// Shared helpers for the rrm native kernels: typed-array access and a tiny
// deterministic parallel-for.
#pragma once
#include <napi.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

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

// Splits [0, n) into at most threads() contiguous chunks, run concurrently when
// n >= grain. Each index is handled by exactly one call, so kernels that write
// each output element from a fixed serial computation stay bit-for-bit
// deterministic whatever the thread count.
void parallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);
int threads();
void setThreads(int n);

void initElementwise(Napi::Env env, Napi::Object exports);
void initMatmul(Napi::Env env, Napi::Object exports);
void initReduce(Napi::Env env, Napi::Object exports);
void initShape(Napi::Env env, Napi::Object exports);

}  // namespace rrm
