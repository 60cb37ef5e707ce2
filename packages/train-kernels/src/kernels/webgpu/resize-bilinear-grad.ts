import * as tf from '@tensorflow/tfjs-core';
import { resizeBilinearGradArgs } from '../resize-bilinear-grad-args';

type Uniform = { type: 'float32' | 'int32'; data: number[] };

/** The fields of tfjs-backend-webgpu's `WebGPUProgram` this program sets. */
interface WebgpuProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms: string;
  size: boolean;
  getUserCode(): string;
}

/** The part of tfjs-backend-webgpu's `WebGPUBackend` used here, typed structurally (no runtime import). */
interface WebgpuBackend extends tf.KernelBackend {
  runWebGPUProgram(
    program: WebgpuProgram,
    inputs: tf.TensorInfo[],
    outputDtype: tf.DataType,
    uniforms: Uniform[],
  ): tf.TensorInfo;
}

const WORKGROUP = 64;

/**
 * One thread per `dx` element `(b, r, c, d)`: it sums `dy` over the output rows and columns whose
 * bilinear taps include `r` and `c`, weighted as the forward op weighted them (the taps are the
 * cpu and wasm kernels' `axisTaps`, in f32). The weights are separable, so each output row is
 * weighed once and its columns only where that weight is non-zero. Gathering instead of
 * scattering needs no atomics; the search window comes from the inverse scale (a few rows either
 * side, all of them when the scale is 0).
 */
const USER_CODE = `
  fn tapWeight(o : i32, pixel : i32, inSize : i32, scale : f32) -> f32 {
    var position = f32(o) * scale;
    if (uniforms.halfPixel != 0) { position = max(0.0, (f32(o) + 0.5) * scale - 0.5); }
    let low = min(i32(floor(position)), inSize - 1);
    let high = min(low + 1, inSize - 1);
    let frac = position - f32(low);
    var weight = 0.0;
    if (low == pixel) { weight = weight + 1.0 - frac; }
    if (high == pixel) { weight = weight + frac; }
    return weight;
  }

  fn tapWindow(pixel : i32, inverseScale : f32, outSize : i32) -> vec2<i32> {
    let first = max(0, i32(floor((f32(pixel) - 1.0) * inverseScale)) - 2);
    let last = min(outSize - 1, i32(ceil((f32(pixel) + 1.5) * inverseScale)) + 2);
    return vec2<i32>(first, last);
  }

  fn main(index : i32) {
    if (index >= uniforms.size) { return; }
    let coords = getCoordsFromIndex(index);
    let rows = tapWindow(coords[1], uniforms.inverseHeightScale, uniforms.dyShape[1]);
    let cols = tapWindow(coords[2], uniforms.inverseWidthScale, uniforms.dyShape[2]);
    var total = 0.0;
    for (var o = rows.x; o <= rows.y; o = o + 1) {
      let rowWeight = tapWeight(o, coords[1], uniforms.outShape[1], uniforms.heightScale);
      if (rowWeight == 0.0) { continue; }
      var rowTotal = 0.0;
      for (var p = cols.x; p <= cols.y; p = p + 1) {
        let colWeight = tapWeight(p, coords[2], uniforms.outShape[2], uniforms.widthScale);
        if (colWeight != 0.0) { rowTotal = rowTotal + colWeight * getDy(coords[0], o, p, coords[3]); }
      }
      total = total + rowWeight * rowTotal;
    }
    setOutputAtIndex(index, total);
  }`;

function program(inShape: number[]): WebgpuProgram {
  const size = tf.util.sizeFromShape(inShape);
  return {
    variableNames: ['dy'],
    outputShape: inShape,
    shaderKey: 'rcnnResizeBilinearGrad',
    dispatchLayout: { x: inShape.map((_, i) => i) },
    dispatch: [Math.ceil(size / WORKGROUP), 1, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    uniforms:
      'heightScale : f32, widthScale : f32, inverseHeightScale : f32, inverseWidthScale : f32, halfPixel : i32,',
    size: true,
    getUserCode: () => USER_CODE,
  };
}

/** The forward op's source step along one axis and its inverse (the output size where it is 0). */
function axisScale(inSize: number, outSize: number, alignCorners: boolean): [number, number] {
  const corners = alignCorners && outSize > 1;
  const scale = (corners ? inSize - 1 : inSize) / (corners ? outSize - 1 : outSize);
  return [scale, scale > 0 ? 1 / scale : outSize];
}

/**
 * `ResizeBilinearGrad` on webgpu, replacing tfjs-backend-webgpu 4.22's, which ignores
 * `halfPixelCenters` (the gradient of the legacy mapping, half a pixel off for torch's
 * `align_corners=False`, e.g. keypoint R-CNN's upsampling). Every mode, as the cpu and wasm kernels.
 * Inputs: `images` `[batch, inHeight, inWidth, depth]` (shape only), `dy` float32
 * `[batch, outHeight, outWidth, depth]`; output float32 of `images`' shape.
 */
export const resizeBilinearGradWebgpu: tf.KernelConfig = {
  kernelName: tf.ResizeBilinearGrad,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { images, dy, mode } = resizeBilinearGradArgs(inputs, attrs);
    const [, inHeight, inWidth] = images.shape as [number, number, number, number];
    const [, outHeight, outWidth] = dy.shape as [number, number, number, number];
    const [heightScale, inverseHeightScale] = axisScale(inHeight, outHeight, mode.alignCorners);
    const [widthScale, inverseWidthScale] = axisScale(inWidth, outWidth, mode.alignCorners);
    const uniforms: Uniform[] = [
      { type: 'float32', data: [heightScale] },
      { type: 'float32', data: [widthScale] },
      { type: 'float32', data: [inverseHeightScale] },
      { type: 'float32', data: [inverseWidthScale] },
      { type: 'int32', data: [mode.halfPixelCenters && !mode.alignCorners ? 1 : 0] },
    ];
    return (backend as WebgpuBackend).runWebGPUProgram(
      program(images.shape.slice()),
      [dy],
      'float32',
      uniforms,
    );
  },
};
