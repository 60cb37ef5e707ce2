import type { RoiPoolingMode } from '../../kernel-names';
import {
  allLevels,
  type BoundLevel,
  flatProgram,
  samplingSnippet,
  scaleUniforms,
  type WebgpuProgram,
} from './wgsl-common';

export type { WebgpuProgram };

/**
 * WGSL programs for tfjs-backend-webgpu's `runWebGPUProgram`. Sizes, scales and flags are
 * uniforms; only the number of levels and the pooling mode shape the source (one compile
 * each). The backend prepends the bindings, `uniforms.<input>Shape`, `getCoordsFromIndex`,
 * `get<Input>CoordsFromIndex` and `setOutputAtIndex`; `main(index)` is one thread per element.
 */

/**
 * Forward RoIAlign: one thread per output element `(r, ph, pw, c)` loops over its bin's
 * sampling points. Inputs `[boxes, batchIndices, levels, features0..]`; uniforms
 * `spatialScale<k>` (f32), `samplingRatio`, `aligned` (i32).
 */
export function roiAlignProgram(
  outputShape: number[],
  numLevels: number,
  poolingMode: RoiPoolingMode,
): WebgpuProgram {
  const levels = allLevels(numLevels);
  const isMax = poolingMode === 'max';
  return {
    ...flatProgram(
      outputShape,
      outputShape.reduce((a, b) => a * b, 1),
    ),
    variableNames: ['boxes', 'batchIndices', 'levels', ...levels.map(({ name }) => name!)],
    shaderKey: `rcnnRoiAlign_${numLevels}_${poolingMode}`,
    size: true,
    uniforms: `${scaleUniforms(levels)}samplingRatio : i32, aligned : i32,`,
    getUserCode: () => `
    ${samplingSnippet(levels, numLevels)}
    fn main(index : i32) {
      if (index >= uniforms.size) { return; }
      let coords = getCoordsFromIndex(index);
      let roi = roiGeometry(coords[0], uniforms.outShape[1], uniforms.outShape[2]);
      if (!roi.valid) { setOutputAtIndex(index, 0.0); return; }
      var total = 0.0;
      var best = 0.0;
      var first = true;
      for (var iy = 0; iy < roi.gridHeight; iy = iy + 1) {
        let ay = axisSample(samplePosition(roi.y1, coords[1], roi.binHeight, iy, roi.gridHeight), roi.shape.y);
        for (var ix = 0; ix < roi.gridWidth; ix = ix + 1) {
          let ax = axisSample(samplePosition(roi.x1, coords[2], roi.binWidth, ix, roi.gridWidth), roi.shape.z);
          let value = sampleAt(roi, ay, ax, coords[3]);
          total = total + value;
          if (first || value > best) { best = value; }
          first = false;
        }
      }
      ${
        isMax
          ? 'setOutputAtIndex(index, best);'
          : 'setOutputAtIndex(index, total / f32(max(roi.gridHeight * roi.gridWidth, 1)));'
      }
    }`,
  };
}

/**
 * Backward RoIAlign for one level: one thread per `dy` element scatters its share onto the
 * bilinear neighbours with a float atomic add (compare-exchange loop on the bits; WGSL has
 * no float atomics). `max` mode scatters to the first maximal sample only. The output must
 * be zeroed first ({@link zeroProgram}). Inputs `[dy, boxes, batchIndices, levels]`, plus
 * `features` (the level's map) in `max` mode to find the argmax: WebGPU's automatic layout
 * drops bindings the shader never reads, so an unread input would break the bind group.
 * Uniforms as the forward program plus
 * `dySize` (i32), with only this level's `spatialScale<level>`.
 */
export function roiAlignGradProgram(
  gradientShape: number[],
  dySize: number,
  level: number,
  poolingMode: RoiPoolingMode,
): WebgpuProgram {
  // Boxes of other levels are skipped; the output has this level's shape.
  const isMax = poolingMode === 'max';
  const bound: BoundLevel[] = [
    { index: level, name: isMax ? 'features' : undefined, shape: 'uniforms.outShape' },
  ];
  return {
    ...flatProgram(gradientShape, dySize),
    variableNames: ['dy', 'boxes', 'batchIndices', 'levels', ...(isMax ? ['features'] : [])],
    shaderKey: `rcnnRoiAlignGrad_${level}_${poolingMode}`,
    atomic: true,
    uniforms: `${scaleUniforms(bound)}samplingRatio : i32, aligned : i32, dySize : i32,`,
    getUserCode: () => `
    ${samplingSnippet(bound, level + 1)}
    fn addGradient(flatIndex : i32, value : f32) {
      var expected = atomicLoad(&result[flatIndex]);
      loop {
        let swapped = atomicCompareExchangeWeak(&result[flatIndex], expected, bitcast<i32>(bitcast<f32>(expected) + value));
        if (swapped.exchanged) { break; }
        expected = swapped.old_value;
      }
    }
    fn scatter(roi : Roi, ay : AxisSample, ax : AxisSample, c : i32, g : f32) {
      if (g == 0.0) { return; }
      let rowLow = roi.base + ay.low * roi.shape.z * roi.shape.w;
      let rowHigh = roi.base + ay.high * roi.shape.z * roi.shape.w;
      let w = roi.shape.w;
      addGradient(rowLow + ax.low * w + c, g * ay.lowWeight * ax.lowWeight);
      addGradient(rowLow + ax.high * w + c, g * ay.lowWeight * ax.highWeight);
      addGradient(rowHigh + ax.low * w + c, g * ay.highWeight * ax.lowWeight);
      addGradient(rowHigh + ax.high * w + c, g * ay.highWeight * ax.highWeight);
    }
    fn main(index : i32) {
      if (index >= uniforms.dySize) { return; }
      let coords = getDyCoordsFromIndex(index);
      if (levels[coords[0]] != ${level}) { return; }
      let roi = roiGeometry(coords[0], uniforms.dyShape[1], uniforms.dyShape[2]);
      if (!roi.valid) { return; }
      let g = dy[index];
      ${isMax ? maxScatterBody : avgScatterBody}
    }`,
  };
}

const avgScatterBody = `
      let share = g / f32(max(roi.gridHeight * roi.gridWidth, 1));
      for (var iy = 0; iy < roi.gridHeight; iy = iy + 1) {
        let ay = axisSample(samplePosition(roi.y1, coords[1], roi.binHeight, iy, roi.gridHeight), roi.shape.y);
        for (var ix = 0; ix < roi.gridWidth; ix = ix + 1) {
          let ax = axisSample(samplePosition(roi.x1, coords[2], roi.binWidth, ix, roi.gridWidth), roi.shape.z);
          scatter(roi, ay, ax, coords[3], share);
        }
      }`;

const maxScatterBody = `
      var best = 0.0;
      var bestY = -1;
      var bestX = -1;
      for (var iy = 0; iy < roi.gridHeight; iy = iy + 1) {
        let ay = axisSample(samplePosition(roi.y1, coords[1], roi.binHeight, iy, roi.gridHeight), roi.shape.y);
        for (var ix = 0; ix < roi.gridWidth; ix = ix + 1) {
          let ax = axisSample(samplePosition(roi.x1, coords[2], roi.binWidth, ix, roi.gridWidth), roi.shape.z);
          let value = sampleAt(roi, ay, ax, coords[3]);
          if (bestY < 0 || value > best) { best = value; bestY = iy; bestX = ix; }
        }
      }
      if (bestY >= 0) {
        let ay = axisSample(samplePosition(roi.y1, coords[1], roi.binHeight, bestY, roi.gridHeight), roi.shape.y);
        let ax = axisSample(samplePosition(roi.x1, coords[2], roi.binWidth, bestX, roi.gridWidth), roi.shape.z);
        scatter(roi, ay, ax, coords[3], g);
      }`;

/** Writes zeros to every element of its output (the gradient buffer before the atomic scatter). */
export function zeroProgram(outputShape: number[]): WebgpuProgram {
  return {
    ...flatProgram(
      outputShape,
      outputShape.reduce((a, b) => a * b, 1),
    ),
    variableNames: [],
    shaderKey: 'rcnnZero',
    size: true,
    getUserCode: () => `
    fn main(index : i32) {
      if (index < uniforms.size) { setOutputAtIndex(index, 0.0); }
    }`,
  };
}
