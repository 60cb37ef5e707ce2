// Conv2D family on oneDNN: forward (bias and activation fused), backward data (the gradient
// of the input, also what conv2dTranspose runs) and backward weights. Tensors stay where
// the wasm backend keeps them: NHWC activations, HWIO filters; only the weights are
// reordered into oneDNN's blocked layout when the chosen implementation asks for it.
#include "common.h"
#include "kernels.h"

#include <algorithm>

namespace rcnn {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
constexpr auto f32 = memory::data_type::f32;
constexpr size_t kGeometry = 17;

/** n, ih, iw, ic, oh, ow, oc, kh, kw, sh, sw, dh, dw, padTop, padLeft, padBottom, padRight. */
struct ConvGeometry {
  memory::dims src, weights, dst, strides, dilates, padLeft, padRight;
  size_t srcCount, weightsCount, dstCount;

  explicit ConvGeometry(const std::vector<double>& p) {
    auto d = [&](size_t i) { return static_cast<memory::dim>(p[i]); };
    src = {d(0), d(3), d(1), d(2)};
    weights = {d(6), d(3), d(7), d(8)};
    dst = {d(0), d(6), d(4), d(5)};
    strides = {d(9), d(10)};
    dilates = {d(11) - 1, d(12) - 1};
    padLeft = {d(13), d(14)};
    padRight = {d(15), d(16)};
    srcCount = static_cast<size_t>(d(0) * d(1) * d(2) * d(3));
    weightsCount = static_cast<size_t>(d(6) * d(3) * d(7) * d(8));
    dstCount = static_cast<size_t>(d(0) * d(4) * d(5) * d(6));
  }
  memory::desc SrcDesc() const { return {src, f32, tag::nhwc}; }
  memory::desc DstDesc() const { return {dst, f32, tag::nhwc}; }
  memory::desc WeightsDesc(tag format) const { return {weights, f32, format}; }

  /** The forward descriptor the backward passes take as their hint. */
  dnnl::convolution_forward::primitive_desc ForwardHint() const {
    dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_training,
                                         dnnl::algorithm::convolution_direct, SrcDesc(),
                                         WeightsDesc(tag::any), DstDesc(), strides, dilates, padLeft,
                                         padRight);
    return {desc, CpuEngine()};
  }
};

memory UserMemory(const memory::desc& desc, float* data) { return memory(desc, CpuEngine(), data); }

}  // namespace

void Conv2dForward(const Heap& heap, const std::vector<double>& p) {
  ConvGeometry g(p);
  bool hasBias = p[kGeometry + 2] >= 0;
  auto attr = ActivationAttr(static_cast<int>(p[kGeometry + 4]), static_cast<float>(p[kGeometry + 5]));
  memory::desc biasDesc({g.dst[1]}, f32, tag::a);
  auto kind = dnnl::prop_kind::forward_inference;
  auto algorithm = dnnl::algorithm::convolution_direct;
  auto desc = hasBias ? dnnl::convolution_forward::desc(kind, algorithm, g.SrcDesc(), g.WeightsDesc(tag::any),
                                                        biasDesc, g.DstDesc(), g.strides, g.dilates,
                                                        g.padLeft, g.padRight)
                      : dnnl::convolution_forward::desc(kind, algorithm, g.SrcDesc(), g.WeightsDesc(tag::any),
                                                        g.DstDesc(), g.strides, g.dilates, g.padLeft,
                                                        g.padRight);
  dnnl::convolution_forward::primitive_desc pd(desc, attr, CpuEngine());
  RecordImplementation(pd.impl_info_str());
  auto src = UserMemory(g.SrcDesc(), heap.At(p[kGeometry], g.srcCount));
  auto weights = UserMemory(g.WeightsDesc(tag::hwio), heap.At(p[kGeometry + 1], g.weightsCount));
  auto dst = UserMemory(g.DstDesc(), heap.At(p[kGeometry + 3], g.dstCount));
  std::unordered_map<int, memory> args = {
      {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, ReorderedTo(weights, pd.weights_desc())}, {DNNL_ARG_DST, dst}};
  if (hasBias) args[DNNL_ARG_BIAS] = UserMemory(biasDesc, heap.At(p[kGeometry + 2], g.dst[1]));
  dnnl::convolution_forward(pd).execute(CpuStream(), args);
  CpuStream().wait();
}

void Conv2dBackwardData(const Heap& heap, const std::vector<double>& p) {
  ConvGeometry g(p);
  auto hint = g.ForwardHint();
  dnnl::convolution_backward_data::desc desc(dnnl::algorithm::convolution_direct, g.SrcDesc(),
                                             g.WeightsDesc(tag::any), g.DstDesc(), g.strides, g.dilates,
                                             g.padLeft, g.padRight);
  dnnl::convolution_backward_data::primitive_desc pd(desc, CpuEngine(), hint);
  RecordImplementation(pd.impl_info_str());
  auto diffDst = UserMemory(g.DstDesc(), heap.At(p[kGeometry], g.dstCount));
  auto weights = UserMemory(g.WeightsDesc(tag::hwio), heap.At(p[kGeometry + 1], g.weightsCount));
  auto diffSrc = UserMemory(g.SrcDesc(), heap.At(p[kGeometry + 2], g.srcCount));
  dnnl::convolution_backward_data(pd).execute(CpuStream(),
                                              {{DNNL_ARG_DIFF_DST, diffDst},
                                               {DNNL_ARG_WEIGHTS, ReorderedTo(weights, pd.weights_desc())},
                                               {DNNL_ARG_DIFF_SRC, diffSrc}});
  CpuStream().wait();
}

namespace {

/** Backward weights on pointers already resolved (the source may be a subsampled copy). */
void BackwardWeights(const ConvGeometry& g, float* srcData, float* diffDstData, float* userData) {
  auto hint = g.ForwardHint();
  dnnl::convolution_backward_weights::desc desc(dnnl::algorithm::convolution_direct, g.SrcDesc(),
                                                g.WeightsDesc(tag::any), g.DstDesc(), g.strides, g.dilates,
                                                g.padLeft, g.padRight);
  dnnl::convolution_backward_weights::primitive_desc pd(desc, CpuEngine(), hint);
  RecordImplementation(pd.impl_info_str());
  auto src = UserMemory(g.SrcDesc(), srcData);
  auto diffDst = UserMemory(g.DstDesc(), diffDstData);
  auto user = UserMemory(g.WeightsDesc(tag::hwio), userData);
  bool direct = pd.diff_weights_desc() == user.get_desc();
  memory diffWeights = direct ? user : memory(pd.diff_weights_desc(), CpuEngine());
  dnnl::convolution_backward_weights(pd).execute(
      CpuStream(), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, diffDst}, {DNNL_ARG_DIFF_WEIGHTS, diffWeights}});
  if (!direct) dnnl::reorder(diffWeights, user).execute(CpuStream(), diffWeights, user);
  CpuStream().wait();
}

}  // namespace

void Conv2dBackwardWeights(const Heap& heap, const std::vector<double>& p) {
  ConvGeometry g(p);
  float* src = heap.At(p[kGeometry], g.srcCount);
  float* diffDst = heap.At(p[kGeometry + 1], g.dstCount);
  float* user = heap.At(p[kGeometry + 2], g.weightsCount);
  bool strided1x1 = p[7] == 1 && p[8] == 1 && (p[9] > 1 || p[10] > 1) &&
                    p[13] == 0 && p[14] == 0 && p[15] == 0 && p[16] == 0;
  if (!strided1x1) return BackwardWeights(g, src, diffDst, user);
  // A strided 1x1 convolution only reads every stride-th pixel: its weight gradient is the
  // stride-1 one over those pixels. Copying them out sidesteps oneDNN 2.6's strided 1x1
  // backward-weights kernel, which corrupts the heap with 2 threads when in_channels < 16 and
  // the output is small (e.g. 8 -> 16 channels, 16x16 -> 8x8, batch 1: free(): invalid size).
  const size_t n = static_cast<size_t>(p[0]), ih = static_cast<size_t>(p[1]), iw = static_cast<size_t>(p[2]);
  const size_t ic = static_cast<size_t>(p[3]), oh = static_cast<size_t>(p[4]), ow = static_cast<size_t>(p[5]);
  const size_t sh = static_cast<size_t>(p[9]), sw = static_cast<size_t>(p[10]);
  std::vector<float> picked(n * oh * ow * ic);
  for (size_t b = 0; b < n; b++) {
    for (size_t y = 0; y < oh; y++) {
      for (size_t x = 0; x < ow; x++) {
        const float* from = src + ((b * ih + y * sh) * iw + x * sw) * ic;
        std::copy(from, from + ic, picked.data() + ((b * oh + y) * ow + x) * ic);
      }
    }
  }
  std::vector<double> unitStride(p);
  unitStride[1] = p[4];
  unitStride[2] = p[5];
  unitStride[9] = unitStride[10] = 1;
  BackwardWeights(ConvGeometry(unitStride), picked.data(), diffDst, user);
}

}  // namespace rcnn
