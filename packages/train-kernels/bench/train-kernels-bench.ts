/**
 * GFLOP/s of the wasm training kernels beside tfjs-wasm's own kernel for the same product where it
 * has one (BatchMatMul, Conv2DBackpropInput; for Conv2DBackpropFilter, which tfjs-wasm lacks, its
 * forward Conv2D of the same FLOPs). Shapes from a Mask R-CNN R50-FPN training step (box head
 * linear layers at 512 RoIs, ResNet-50-FPN convs for a 512 x 512 image).
 * Run: npx pnpm@9.15.9 --filter @rcnn/train-kernels bench   (BENCH_REPEATS=5 by default)
 */
import '@tensorflow/tfjs-backend-wasm';
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { registerTrainingKernels, unregisterTrainingKernels } from '../src/register-training-kernels';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);

/**
 * Median milliseconds of `f` after a warm-up run; a warm-up over 3 s is taken as the figure. wasm
 * kernels run synchronously, so this is kernel time (the result is not read back).
 */
function time(f: () => tf.Tensor, repeats = REPEATS): number {
  const warmStart = performance.now();
  f().dispose();
  const warmUp = performance.now() - warmStart;
  if (warmUp > 3000) return warmUp;
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    const result = f();
    times.push(performance.now() - start);
    result.dispose();
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

/** Times `theirs` with tfjs-wasm's kernels, then `f` with ours; GFLOP/s of each. */
function compare(flops: number, f: () => tf.Tensor, theirs: () => tf.Tensor = f) {
  unregisterTrainingKernels();
  const tfjs = time(theirs);
  registerTrainingKernels();
  const ours = time(f);
  const rate = (ms: number) => (flops / ms / 1e6).toFixed(1);
  return { tfjsMs: tfjs.toFixed(1), tfjsGflops: rate(tfjs), oursMs: ours.toFixed(1), oursGflops: rate(ours) };
}

const random = (shape: number[]) => tf.randomUniform(shape, -1, 1, 'float32', 1);

function linearLayers(rows: Record<string, unknown>[]) {
  for (const [m, k, n, what] of [
    [512, 12544, 1024, 'fc6'],
    [512, 1024, 1024, 'fc7'],
    [512, 1024, 364, 'box predictor'],
  ] as const) {
    // No transpose: tfjs-wasm's XNNPACK kernel either way (ours delegates), the reference speed.
    for (const [transposeA, transposeB] of [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ] as const) {
      const a = random(transposeA ? [k, m] : [m, k]);
      const b = random(transposeB ? [n, k] : [k, n]);
      const f = () => tf.matMul(a, b, transposeA, transposeB);
      const label = `${what} ${m}x${k}.${k}x${n} tA=${transposeA} tB=${transposeB}`;
      rows.push({ kernel: 'BatchMatMul', case: label, ...compare(2 * m * k * n, f) });
      tf.dispose([a, b]);
    }
  }
}

function convolutions(rows: Record<string, unknown>[]) {
  // [size, in, out, kernel, stride] at batch 1
  for (const [size, cin, cout, kernel, stride] of [
    [128, 64, 64, 3, 1],
    [128, 256, 64, 1, 1],
    [64, 128, 128, 3, 1],
    [128, 256, 512, 1, 2],
    [32, 256, 256, 3, 1],
    [16, 512, 512, 3, 1],
    [128, 256, 256, 3, 1],
    [256, 3, 64, 7, 2],
  ] as const) {
    const pad = kernel === 1 ? 'valid' : 'same';
    const x = random([1, size, size, cin]);
    const filter = random([kernel, kernel, cin, cout]);
    const out = Math.ceil(size / stride);
    const dy = random([1, out, out, cout]);
    const flops = 2 * out * out * kernel * kernel * cin * cout;
    const label = `${size}x${size}x${cin} -> ${cout}, ${kernel}x${kernel}/${stride}`;
    const attrs = { strides: stride, pad, dataFormat: 'NHWC' };
    const run = (name: string, inputs: tf.NamedTensorMap, extra: object) => () =>
      tf.engine().runKernel(name, inputs, { ...attrs, ...extra } as unknown as tf.NamedAttrMap) as tf.Tensor;
    if (cin > 3) {
      const backpropInput = run(tf.Conv2DBackpropInput, { dy, filter }, { inputShape: x.shape });
      rows.push({ kernel: 'Conv2DBackpropInput', case: label, ...compare(flops, backpropInput) });
    }
    const backpropFilter = run(tf.Conv2DBackpropFilter, { x, dy }, { filterShape: filter.shape });
    const forward = () => tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, stride, pad);
    rows.push({
      kernel: 'Conv2DBackpropFilter (tfjs: its forward Conv2D)',
      case: label,
      ...compare(flops, backpropFilter, forward),
    });
    tf.dispose([x, filter, dy]);
  }
}

/** The keypoint predictor's 2x half-pixel upsampling (28 -> 56, 17 keypoints) at 256 RoIs; 8 flops per dy value. */
function resizeBilinearGrad(rows: Record<string, unknown>[]) {
  const images = tf.zeros([256, 28, 28, 17]);
  const dy = random([256, 56, 56, 17]);
  const attrs = { alignCorners: false, halfPixelCenters: true, size: [56, 56] };
  // tfjs-wasm's own is timed for its speed only: it ignores halfPixelCenters (a wrong gradient).
  const grad = () => tf.engine().runKernel(tf.ResizeBilinearGrad, { images, dy }, attrs) as tf.Tensor;
  rows.push({ kernel: 'ResizeBilinearGrad', case: '256 x 28x28x17 -> 56x56', ...compare(8 * dy.size, grad) });
  tf.dispose([images, dy]);
}

async function main() {
  await tf.setBackend('wasm');
  await tf.ready();
  const rows: Record<string, unknown>[] = [];
  const only = process.env.BENCH_ONLY;
  if (!only || only === 'matmul') linearLayers(rows);
  if (!only || only === 'conv') convolutions(rows);
  if (!only || only === 'resize') resizeBilinearGrad(rows);
  // gather's gradient: 4096 rows of [256] into 2000 segments; GB/s of rows read and written.
  registerTrainingKernels();
  const values = random([4096, 256]);
  const ids = tf.randomUniform([4096], 0, 2000, 'int32', 2) as tf.Tensor1D;
  const ms = time(() => tf.unsortedSegmentSum(values, ids, 2000), 21);
  const bandwidth = ((4096 * 256 * 8) / ms / 1e6).toFixed(1);
  rows.push({
    kernel: 'UnsortedSegmentSum',
    case: '4096 rows of 256 into 2000',
    oursMs: ms.toFixed(2),
    oursGBps: bandwidth,
  });
  tf.dispose([values, ids]);
  console.log(
    `load average ${loadavg()
      .map((v) => v.toFixed(1))
      .join(' ')}, ${REPEATS} repeats, median`,
  );
  console.table(rows);
}

await main();
