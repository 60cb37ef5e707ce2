#include "common.h"

#include <string>

namespace rcnn {

dnnl::engine& CpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& CpuStream() {
  static dnnl::stream stream(CpuEngine());
  return stream;
}

Heap::Heap(const Napi::Value& value) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw Napi::TypeError::New(value.Env(), "heap must be a Uint8Array over the wasm memory");
  }
  auto view = value.As<Napi::Uint8Array>();
  base_ = view.Data();
  size_ = view.ByteLength();
}

float* Heap::At(double offset, size_t count) const {
  if (offset < 0 || offset != static_cast<double>(static_cast<size_t>(offset))) {
    throw std::out_of_range("tensor offset is not a byte offset in the heap");
  }
  size_t start = static_cast<size_t>(offset);
  if (start % alignof(float) != 0 || start > size_ || count > (size_ - start) / sizeof(float)) {
    throw std::out_of_range("tensor lies outside the wasm heap");
  }
  return reinterpret_cast<float*>(base_ + start);
}

uint8_t* Heap::BytesAt(double offset, size_t count) const {
  if (offset < 0 || offset != static_cast<double>(static_cast<size_t>(offset))) {
    throw std::out_of_range("tensor offset is not a byte offset in the heap");
  }
  size_t start = static_cast<size_t>(offset);
  if (start > size_ || count > size_ - start) throw std::out_of_range("tensor lies outside the wasm heap");
  return base_ + start;
}

std::vector<double> Numbers(const Napi::Value& value, size_t expected) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    throw Napi::TypeError::New(value.Env(), "parameters must be a Float64Array");
  }
  auto array = value.As<Napi::Float64Array>();
  if (array.ElementLength() != expected) {
    throw Napi::TypeError::New(value.Env(), "expected " + std::to_string(expected) + " parameters");
  }
  return std::vector<double>(array.Data(), array.Data() + expected);
}

dnnl::primitive_attr ActivationAttr(int code, float alpha) {
  dnnl::primitive_attr attr;
  if (code == 0) return attr;
  dnnl::post_ops ops;
  switch (code) {
    case 1: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f); break;
    case 2: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_clip, 0.f, 6.f); break;
    case 3: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, alpha, 0.f); break;
    case 4: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_logistic, 0.f, 0.f); break;
    case 5: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_elu, 1.f, 0.f); break;
    default: throw std::invalid_argument("unknown activation code");
  }
  attr.set_post_ops(ops);
  return attr;
}

dnnl::memory ReorderedTo(const dnnl::memory& from, const dnnl::memory::desc& wanted) {
  if (from.get_desc() == wanted) return from;
  dnnl::memory to(wanted, CpuEngine());
  dnnl::reorder(from, to).execute(CpuStream(), const_cast<dnnl::memory&>(from), to);
  return to;
}

void Rethrow(const Napi::Env& env, const dnnl::error& error) {
  throw Napi::Error::New(env, std::string("oneDNN: ") + error.what() + " (status " +
                                  std::to_string(static_cast<int>(error.status)) + ")");
}

}  // namespace rcnn
