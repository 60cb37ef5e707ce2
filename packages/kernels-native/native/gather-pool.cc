// Gather along one axis and max pooling's gradient, as plain loops on the wasm heap.
#include <cstring>

#include "common.h"
#include "kernels.h"

namespace rcnn {

/**
 * outer, n, inner, m, x, indices (int32), out offsets: x viewed as [outer, n, inner], out as
 * [outer, m, inner] with out[o, j] = x[o, indices[j]]. Throws on an index outside [0, n).
 */
void Gather(const Heap& heap, const std::vector<double>& p) {
  const size_t outer = static_cast<size_t>(p[0]), n = static_cast<size_t>(p[1]);
  const size_t inner = static_cast<size_t>(p[2]), m = static_cast<size_t>(p[3]);
  const float* x = heap.At(p[4], outer * n * inner);
  const int32_t* indices = reinterpret_cast<const int32_t*>(heap.At(p[5], m));
  float* out = heap.At(p[6], outer * m * inner);
  for (size_t j = 0; j < m; j++) {
    if (indices[j] < 0 || static_cast<size_t>(indices[j]) >= n) throw std::out_of_range("gather index out of range");
  }
  for (size_t o = 0; o < outer; o++) {
    const float* rows = x + o * n * inner;
    for (size_t j = 0; j < m; j++, out += inner) {
      const float* row = rows + static_cast<size_t>(indices[j]) * inner;
      if (inner == 1) *out = *row;
      else std::memcpy(out, row, inner * sizeof(float));
    }
  }
}

/**
 * batch, inH, inW, channels, outH, outW, strideH, strideW, padTop, padLeft, windowH, windowW,
 * x, dy, dx offsets (NHWC). Each output's gradient goes to the first maximum of its window in
 * row-major order (tfjs cpu and torch alike); padding never wins; float32 accumulation.
 */
void MaxPoolGrad(const Heap& heap, const std::vector<double>& p) {
  auto d = [&](size_t i) { return static_cast<long>(p[i]); };
  const long batch = d(0), inH = d(1), inW = d(2), channels = d(3), outH = d(4), outW = d(5);
  const long strideH = d(6), strideW = d(7), padTop = d(8), padLeft = d(9), windowH = d(10), windowW = d(11);
  const size_t inCount = static_cast<size_t>(batch * inH * inW * channels);
  const float* x = heap.At(p[12], inCount);
  const float* dy = heap.At(p[13], static_cast<size_t>(batch * outH * outW * channels));
  float* dx = heap.At(p[14], inCount);
  std::memset(dx, 0, inCount * sizeof(float));
  for (long b = 0; b < batch; b++) {
    for (long oy = 0; oy < outH; oy++) {
      const long y0 = oy * strideH - padTop;
      for (long ox = 0; ox < outW; ox++) {
        const long x0 = ox * strideW - padLeft;
        const float* dyPixel = dy + ((b * outH + oy) * outW + ox) * channels;
        for (long c = 0; c < channels; c++) {
          long best = -1;
          float bestValue = 0;
          for (long fy = 0; fy < windowH; fy++) {
            const long y = y0 + fy;
            if (y < 0 || y >= inH) continue;
            for (long fx = 0; fx < windowW; fx++) {
              const long xx = x0 + fx;
              if (xx < 0 || xx >= inW) continue;
              const long at = ((b * inH + y) * inW + xx) * channels + c;
              if (best < 0 || x[at] > bestValue) {
                bestValue = x[at];
                best = at;
              }
            }
          }
          if (best >= 0) dx[best] += dyPixel[c];
        }
      }
    }
  }
}

}  // namespace rcnn
