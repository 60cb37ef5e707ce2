// The kernel families the addon exports; each reads its parameters from a Float64Array
// (layouts documented beside each function and mirrored in src/native-addon.ts).
#pragma once

#include <string>
#include <vector>

#include "common.h"

namespace rcnn {

/** Geometry (17 numbers, see conv.cc), then x, filter, bias (-1: none), y offsets, activation, alpha. */
void Conv2dForward(const Heap& heap, const std::vector<double>& p);
/** Geometry, then dy, filter, dx offsets. */
void Conv2dBackwardData(const Heap& heap, const std::vector<double>& p);
/** Geometry, then x, dy, dfilter offsets. */
void Conv2dBackwardWeights(const Heap& heap, const std::vector<double>& p);
/** See matmul.cc. */
void MatMul(const Heap& heap, const std::vector<double>& p);

/** Dimensions of the shapes the elementwise kernels take (padded with leading 1s). */
constexpr size_t kRank = 6;
/** Broadcasting float32 binary op; see elementwise.cc. */
void Binary(const Heap& heap, const std::vector<double>& p);
/** Sum or mean over any axes; see elementwise.cc. */
void Reduce(const Heap& heap, const std::vector<double>& p);
/** Contiguous copy of a strided view (tile, slice, unpack, transpose); see elementwise.cc. */
void StridedCopy(const Heap& heap, const std::vector<double>& p);
/** Gather along one axis; see gather-pool.cc. */
void Gather(const Heap& heap, const std::vector<double>& p);
/** Max pooling's input gradient; see gather-pool.cc. */
void MaxPoolGrad(const Heap& heap, const std::vector<double>& p);

/** Remembers the oneDNN implementation the last primitive chose (e.g. "brg:avx512_core"). */
void RecordImplementation(const char* name);
const std::string& LastImplementation();

}  // namespace rcnn
