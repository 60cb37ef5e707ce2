// Batched matrix multiply on oneDNN, with tfjs's transposes expressed as strides (no copies),
// batch broadcasting (one side's batch may be 1), and an optional bias row plus activation.
#include "common.h"
#include "kernels.h"

namespace rcnn {

/** batchA, batchB, M, K, N, transposeA, transposeB, a, b, bias (-1: none), out, activation, alpha. */
void MatMul(const Heap& heap, const std::vector<double>& p) {
  using dnnl::memory;
  auto d = [&](size_t i) { return static_cast<memory::dim>(p[i]); };
  memory::dim batchA = d(0), batchB = d(1), m = d(2), k = d(3), n = d(4);
  memory::dim batch = batchA > batchB ? batchA : batchB;
  bool transposeA = p[5] != 0, transposeB = p[6] != 0, hasBias = p[9] >= 0;
  constexpr auto f32 = memory::data_type::f32;
  memory::desc aDesc({batchA, m, k}, f32,
                     transposeA ? memory::dims{m * k, 1, m} : memory::dims{m * k, k, 1});
  memory::desc bDesc({batchB, k, n}, f32,
                     transposeB ? memory::dims{k * n, 1, k} : memory::dims{k * n, n, 1});
  memory::desc outDesc({batch, m, n}, f32, memory::dims{m * n, n, 1});
  memory::desc biasDesc({1, 1, n}, f32, memory::dims{n, n, 1});
  auto attr = ActivationAttr(static_cast<int>(p[11]), static_cast<float>(p[12]));
  auto desc = hasBias ? dnnl::matmul::desc(aDesc, bDesc, biasDesc, outDesc)
                      : dnnl::matmul::desc(aDesc, bDesc, outDesc);
  dnnl::matmul::primitive_desc pd(desc, attr, CpuEngine());
  RecordImplementation(pd.impl_info_str());
  auto wrap = [&](const memory::desc& desc, double offset, memory::dim count) {
    return memory(desc, CpuEngine(), heap.At(offset, static_cast<size_t>(count)));
  };
  std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, wrap(aDesc, p[7], batchA * m * k)},
                                          {DNNL_ARG_WEIGHTS, wrap(bDesc, p[8], batchB * k * n)},
                                          {DNNL_ARG_DST, wrap(outDesc, p[10], batch * m * n)}};
  if (hasBias) args[DNNL_ARG_BIAS] = wrap(biasDesc, p[9], n);
  dnnl::matmul(pd).execute(CpuStream(), args);
  CpuStream().wait();
}

}  // namespace rcnn
