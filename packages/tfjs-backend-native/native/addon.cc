// Entry point of the rrm native addon: argument helpers and module registration.
#include "blas.h"
#include "common.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#ifdef RRM_ACCELERATE
#define RRM_BLAS "Accelerate"
#else
#define RRM_BLAS "CBLAS"
#endif

namespace rrm {

[[noreturn]] void fail(const Napi::Env& env, const std::string& message) {
  throw Napi::Error::New(env, message);
}

void require(const Napi::Env& env, bool ok, const std::string& message) {
  if (!ok) fail(env, message);
}

Array arrayArg(const Napi::Env& env, const Napi::Value& v, const char* name) {
  if (!v.IsTypedArray()) fail(env, std::string("argument '") + name + "' must be a typed array");
  auto ta = v.As<Napi::TypedArray>();
  Kind kind;
  switch (ta.TypedArrayType()) {
    case napi_float32_array:
      kind = Kind::F32;
      break;
    case napi_int32_array:
      kind = Kind::I32;
      break;
    case napi_uint8_array:
      kind = Kind::U8;
      break;
    default:
      fail(env, std::string("argument '") + name +
                    "' must be a Float32Array, Int32Array or Uint8Array");
  }
  uint8_t* base = static_cast<uint8_t*>(ta.ArrayBuffer().Data());
  return Array{base == nullptr ? nullptr : base + ta.ByteOffset(),
               static_cast<int64_t>(ta.ElementLength()), kind};
}

Array arrayArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  return arrayArg(info.Env(), info[i], name);
}

std::vector<int64_t> intsArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  std::vector<int64_t> out;
  Napi::Value v = info[i];
  if (v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_int32_array) {
    auto ta = v.As<Napi::Int32Array>();
    out.assign(ta.Data(), ta.Data() + ta.ElementLength());
    return out;
  }
  if (!v.IsArray()) fail(info.Env(), std::string("argument '") + name + "' must be an int array");
  auto arr = v.As<Napi::Array>();
  out.reserve(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); ++k) {
    Napi::Value e = arr.Get(k);
    if (!e.IsNumber()) fail(info.Env(), std::string("argument '") + name + "' must hold numbers");
    out.push_back(e.As<Napi::Number>().Int64Value());
  }
  return out;
}

int64_t intArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsNumber()) fail(info.Env(), std::string("argument '") + name + "' must be a number");
  return info[i].As<Napi::Number>().Int64Value();
}

double numArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsNumber()) fail(info.Env(), std::string("argument '") + name + "' must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

namespace {

Napi::Value GetThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), threads());
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  setThreads(static_cast<int>(intArg(info, 0, "threads")));
  return info.Env().Undefined();
}

}  // namespace

// Every kernel output is a fresh typed array, typically hundreds of KB. With
// glibc's defaults such blocks are mmap'ed and unmapped again on free, so each
// output pays page faults and kernel zeroing (measured: ~1 ms for 330 KB on a
// busy 2-core machine, 50x the arithmetic). Keeping blocks up to 32 MB in the
// heap (32 MB is glibc's ceiling for this setting; larger values are
// rejected) and not trimming it lets freed outputs be reused in place.
void keepFreedMemory() {
#if defined(__GLIBC__)
  static bool done = false;
  if (done) return;
  done = true;
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  keepFreedMemory();
  exports.Set("blas", Napi::String::New(env, RRM_BLAS));
#ifndef RRM_ACCELERATE
  exports.Set("blasCore",
              Napi::String::New(env, openblas_get_corename != nullptr ? openblas_get_corename() : ""));
#else
  exports.Set("blasCore", Napi::String::New(env, ""));
#endif
  exports.Set("blasAvx512Kernels", Napi::Boolean::New(env, blasHasAvx512Kernels()));
  exports.Set("gemmKernels", Napi::String::New(env, gemmKernels()));
  exports.Set("getThreads", Napi::Function::New(env, GetThreads));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  initAttention(env, exports);
  initBlock(env, exports);
  initElementwise(env, exports);
  initFused(env, exports);
  initMatmul(env, exports);
  initPeak(env, exports);
  initReduce(env, exports);
  initShape(env, exports);
  return exports;
}

}  // namespace rrm

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return rrm::Init(env, exports); }

NODE_API_MODULE(rrm_native, InitAddon)
