// Shared plumbing for the kernel families: the oneDNN engine and stream, views of the
// wasm heap that JavaScript hands over (no copies), and the fused activations.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include <dnnl.hpp>

namespace rcnn {

/** The process-wide CPU engine and its in-order stream. */
dnnl::engine& CpuEngine();
dnnl::stream& CpuStream();

/**
 * The wasm heap as JavaScript passes it: a Uint8Array over the backend's whole memory.
 * Offsets are byte offsets of tensors in that memory (the backend's `memoryOffset`).
 */
class Heap {
 public:
  explicit Heap(const Napi::Value& value);
  /** float32 data of `count` elements at byte `offset`; throws if it is outside the heap. */
  float* At(double offset, size_t count) const;
  /** `count` bytes at byte `offset` (bool tensors); throws if it is outside the heap. */
  uint8_t* BytesAt(double offset, size_t count) const;

 private:
  uint8_t* base_;
  size_t size_;
};

/** The numbers of a Float64Array argument (geometry, offsets, flags). */
std::vector<double> Numbers(const Napi::Value& value, size_t expected);

/**
 * Post-ops for a fused activation, codes as in src/activation-codes.ts:
 * 0 linear, 1 relu, 2 relu6, 3 leakyrelu (alpha), 4 sigmoid, 5 elu.
 */
dnnl::primitive_attr ActivationAttr(int code, float alpha);

/** Copies `from` into user memory `to` when their layouts differ, else returns `from`. */
dnnl::memory ReorderedTo(const dnnl::memory& from, const dnnl::memory::desc& wanted);

/** Throws a JS Error, carrying oneDNN's status, from a dnnl::error. */
[[noreturn]] void Rethrow(const Napi::Env& env, const dnnl::error& error);

}  // namespace rcnn
