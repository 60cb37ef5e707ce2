// N-API entry points: each kernel takes (heap: Uint8Array, params: Float64Array) and writes
// its output in place in the heap. Errors (unsupported geometry, oneDNN failures) become JS
// errors, so the JavaScript side can fall back to the wasm kernel.
#include <omp.h>

#include <functional>
#include <string>

#include "common.h"
#include "kernels.h"

namespace rcnn {
namespace {

std::string lastImplementation;

using KernelBody = void (*)(const Heap&, const std::vector<double>&);

template <KernelBody Body, size_t Count>
Napi::Value Run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2) throw Napi::TypeError::New(env, "expected (heap, params)");
  try {
    Body(Heap(info[0]), Numbers(info[1], Count));
  } catch (const dnnl::error& error) {
    Rethrow(env, error);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& error) {
    throw Napi::Error::New(env, error.what());
  }
  return env.Undefined();
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  int threads = info[0].As<Napi::Number>().Int32Value();
  if (threads < 1) throw Napi::RangeError::New(info.Env(), "threads must be >= 1");
  omp_set_num_threads(threads);
  return Napi::Number::New(info.Env(), omp_get_max_threads());
}

Napi::Value GetThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), omp_get_max_threads());
}

Napi::Value Version(const Napi::CallbackInfo& info) {
  const dnnl_version_t* v = dnnl_version();
  return Napi::String::New(info.Env(), std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
                                           std::to_string(v->patch));
}

Napi::Value Implementation(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), lastImplementation);
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2d", Napi::Function::New(env, Run<Conv2dForward, 23>));
  exports.Set("conv2dBackpropInput", Napi::Function::New(env, Run<Conv2dBackwardData, 20>));
  exports.Set("conv2dBackpropFilter", Napi::Function::New(env, Run<Conv2dBackwardWeights, 20>));
  exports.Set("matMul", Napi::Function::New(env, Run<MatMul, 13>));
  exports.Set("binary", Napi::Function::New(env, Run<Binary, 4 + 3 * kRank>));
  exports.Set("reduce", Napi::Function::New(env, Run<Reduce, 3 + 2 * kRank>));
  exports.Set("stridedCopy", Napi::Function::New(env, Run<StridedCopy, 2 + 2 * kRank>));
  exports.Set("gather", Napi::Function::New(env, Run<Gather, 7>));
  exports.Set("maxPoolGrad", Napi::Function::New(env, Run<MaxPoolGrad, 15>));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("threads", Napi::Function::New(env, GetThreads));
  exports.Set("version", Napi::Function::New(env, Version));
  exports.Set("lastImplementation", Napi::Function::New(env, Implementation));
  return exports;
}

void RecordImplementation(const char* name) { lastImplementation = name; }
const std::string& LastImplementation() { return lastImplementation; }

}  // namespace rcnn

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return rcnn::Init(env, exports); }

NODE_API_MODULE(rcnn_kernels_native, InitAddon)
