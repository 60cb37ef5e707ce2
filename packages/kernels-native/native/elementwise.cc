// Memory-bound kernels that tfjs-wasm runs through per-element index arithmetic: broadcasting
// binary ops, reductions over any axes, and strided copies (tile, slice, unpack, transpose).
// Plain loops, no oneDNN. Shapes arrive padded to kRank dimensions (leading 1s) with adjacent
// dimensions already merged by the JavaScript side where the layout allows, so the innermost
// loop is as long as it can be. Element values are 4 bytes (float32, or int32 for copies).
#include <cmath>
#include <cstring>
#include <algorithm>

#include "common.h"
#include "kernels.h"

namespace rcnn {
namespace {

using Index = std::ptrdiff_t;

/** shape[kRank] at p[at..at+kRank). */
void ReadDims(const std::vector<double>& p, size_t at, Index* out) {
  for (size_t i = 0; i < kRank; i++) out[i] = static_cast<Index>(p[at + i]);
}

Index Count(const Index* shape) {
  Index count = 1;
  for (size_t i = 0; i < kRank; i++) count *= shape[i];
  return count;
}

/** Largest element (plus one) reachable from offset 0 with these strides. */
Index Extent(const Index* shape, const Index* strides) {
  Index last = 0;
  for (size_t i = 0; i < kRank; i++) {
    if (shape[i] == 0) return 0;
    last += (shape[i] - 1) * strides[i];
  }
  return last + 1;
}

template <typename Out, typename Op>
void BinaryLoop(const Index* shape, const Index* as, const Index* bs, const float* a, const float* b,
                Out* out, Op op) {
  const Index n5 = shape[5], a5 = as[5], b5 = bs[5];
  for (Index i0 = 0; i0 < shape[0]; i0++)
    for (Index i1 = 0; i1 < shape[1]; i1++)
      for (Index i2 = 0; i2 < shape[2]; i2++)
        for (Index i3 = 0; i3 < shape[3]; i3++)
          for (Index i4 = 0; i4 < shape[4]; i4++) {
            const float* ar = a + i0 * as[0] + i1 * as[1] + i2 * as[2] + i3 * as[3] + i4 * as[4];
            const float* br = b + i0 * bs[0] + i1 * bs[1] + i2 * bs[2] + i3 * bs[3] + i4 * bs[4];
            if (a5 == 1 && b5 == 1) {
              for (Index i = 0; i < n5; i++) out[i] = op(ar[i], br[i]);
            } else if (a5 == 1 && b5 == 0) {
              const float bv = *br;
              for (Index i = 0; i < n5; i++) out[i] = op(ar[i], bv);
            } else if (a5 == 0 && b5 == 1) {
              const float av = *ar;
              for (Index i = 0; i < n5; i++) out[i] = op(av, br[i]);
            } else {
              for (Index i = 0; i < n5; i++) out[i] = op(ar[i * a5], br[i * b5]);
            }
            out += n5;
          }
}

}  // namespace

/**
 * op, outShape[6], aStrides[6], bStrides[6], a, b, out offsets. Ops 0-6 write float32; 7-12
 * (comparisons) write bool bytes (0/1), as tfjs-wasm stores bool tensors.
 */
void Binary(const Heap& heap, const std::vector<double>& p) {
  Index shape[kRank], as[kRank], bs[kRank];
  ReadDims(p, 1, shape);
  ReadDims(p, 1 + kRank, as);
  ReadDims(p, 1 + 2 * kRank, bs);
  const size_t at = 1 + 3 * kRank;
  const float* a = heap.At(p[at], static_cast<size_t>(Extent(shape, as)));
  const float* b = heap.At(p[at + 1], static_cast<size_t>(Extent(shape, bs)));
  const int code = static_cast<int>(p[0]);
  if (code >= 7) {
    uint8_t* flags = heap.BytesAt(p[at + 2], static_cast<size_t>(Count(shape)));
    switch (code) {
      case 7: BinaryLoop(shape, as, bs, a, b, flags, [](float x, float y) -> uint8_t { return x == y; }); break;
      case 8: BinaryLoop(shape, as, bs, a, b, flags, [](float x, float y) -> uint8_t { return x != y; }); break;
      case 9: BinaryLoop(shape, as, bs, a, b, flags, [](float x, float y) -> uint8_t { return x > y; }); break;
      case 10: BinaryLoop(shape, as, bs, a, b, flags, [](float x, float y) -> uint8_t { return x >= y; }); break;
      case 11: BinaryLoop(shape, as, bs, a, b, flags, [](float x, float y) -> uint8_t { return x < y; }); break;
      case 12: BinaryLoop(shape, as, bs, a, b, flags, [](float x, float y) -> uint8_t { return x <= y; }); break;
      default: throw std::invalid_argument("unknown comparison");
    }
    return;
  }
  float* out = heap.At(p[at + 2], static_cast<size_t>(Count(shape)));
  switch (code) {
    case 0: BinaryLoop(shape, as, bs, a, b, out, [](float x, float y) { return x + y; }); break;
    case 1: BinaryLoop(shape, as, bs, a, b, out, [](float x, float y) { return x - y; }); break;
    case 2: BinaryLoop(shape, as, bs, a, b, out, [](float x, float y) { return x * y; }); break;
    case 3: BinaryLoop(shape, as, bs, a, b, out, [](float x, float y) { return x / y; }); break;
    case 4:
      BinaryLoop(shape, as, bs, a, b, out, [](float x, float y) { return std::isnan(x) || std::isnan(y) ? NAN : std::max(x, y); });
      break;
    case 5:
      BinaryLoop(shape, as, bs, a, b, out, [](float x, float y) { return std::isnan(x) || std::isnan(y) ? NAN : std::min(x, y); });
      break;
    case 6:
      BinaryLoop(shape, as, bs, a, b, out, [](float x, float y) { return (x - y) * (x - y); });
      break;
    default: throw std::invalid_argument("unknown binary op");
  }
}

/**
 * op (0 sum, 1 mean), shape[6], reduced[6] (1: summed away), x, out offsets. Accumulates in
 * double in the input's memory order; the output holds the kept dimensions in order.
 */
void Reduce(const Heap& heap, const std::vector<double>& p) {
  Index shape[kRank], reduced[kRank], outStrides[kRank];
  ReadDims(p, 1, shape);
  ReadDims(p, 1 + kRank, reduced);
  Index outCount = 1, inner = 1;
  for (size_t i = kRank; i-- > 0;) {
    outStrides[i] = reduced[i] ? 0 : inner;
    if (!reduced[i]) inner *= shape[i];
  }
  outCount = inner;
  const Index total = Count(shape);
  const float* x = heap.At(p[1 + 2 * kRank], static_cast<size_t>(total));
  float* out = heap.At(p[2 + 2 * kRank], static_cast<size_t>(outCount));
  std::vector<double> sums(static_cast<size_t>(outCount), 0.0);
  double* s = sums.data();
  const Index n5 = shape[5], o5 = outStrides[5];
  for (Index i0 = 0; i0 < shape[0]; i0++)
    for (Index i1 = 0; i1 < shape[1]; i1++)
      for (Index i2 = 0; i2 < shape[2]; i2++)
        for (Index i3 = 0; i3 < shape[3]; i3++)
          for (Index i4 = 0; i4 < shape[4]; i4++) {
            double* row = s + i0 * outStrides[0] + i1 * outStrides[1] + i2 * outStrides[2] +
                          i3 * outStrides[3] + i4 * outStrides[4];
            if (o5 == 0) {
              double acc = 0;
              for (Index i = 0; i < n5; i++) acc += x[i];
              *row += acc;
            } else {
              for (Index i = 0; i < n5; i++) row[i] += x[i];
            }
            x += n5;
          }
  const bool mean = p[0] == 1;
  const double size = outCount == 0 ? 1.0 : static_cast<double>(total) / static_cast<double>(outCount);
  for (Index i = 0; i < outCount; i++) out[i] = static_cast<float>(mean ? s[i] / size : s[i]);
}

/** shape[6], srcStrides[6] (elements), src, out byte offsets: out = contiguous gather of src. */
void StridedCopy(const Heap& heap, const std::vector<double>& p) {
  Index shape[kRank], ss[kRank];
  ReadDims(p, 0, shape);
  ReadDims(p, kRank, ss);
  const float* src = heap.At(p[2 * kRank], static_cast<size_t>(Extent(shape, ss)));
  float* out = heap.At(p[2 * kRank + 1], static_cast<size_t>(Count(shape)));
  const Index n5 = shape[5], s5 = ss[5];
  for (Index i0 = 0; i0 < shape[0]; i0++)
    for (Index i1 = 0; i1 < shape[1]; i1++)
      for (Index i2 = 0; i2 < shape[2]; i2++)
        for (Index i3 = 0; i3 < shape[3]; i3++)
          for (Index i4 = 0; i4 < shape[4]; i4++) {
            const float* row = src + i0 * ss[0] + i1 * ss[1] + i2 * ss[2] + i3 * ss[3] + i4 * ss[4];
            if (s5 == 1) {
              std::memcpy(out, row, static_cast<size_t>(n5) * sizeof(float));
            } else {
              for (Index i = 0; i < n5; i++) out[i] = row[i * s5];
            }
            out += n5;
          }
}

}  // namespace rcnn
