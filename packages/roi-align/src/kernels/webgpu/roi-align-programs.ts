import type { RoiPoolingMode } from '../../kernel-names';

/**
 * WGSL programs for tfjs-backend-webgpu's `runWebGPUProgram`. Sizes, scales and flags are
 * uniforms; only the number of levels and the pooling mode shape the source (one compile
 * each). The backend prepends the bindings, `uniforms.<input>Shape`, `getCoordsFromIndex`,
 * `get<Input>CoordsFromIndex` and `setOutputAtIndex`; `main(index)` is one thread per element.
 */

/** The fields of tfjs-backend-webgpu's `WebGPUProgram` these programs set. */
export interface WebgpuProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms?: string;
  size?: boolean;
  atomic?: boolean;
  getUserCode(): string;
}

const WORKGROUP = 64;

function flatProgram(outputShape: number[], threads: number) {
  return {
    outputShape,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.ceil(threads / WORKGROUP), 1, 1] as [number, number, number],
    workgroupSize: [WORKGROUP, 1, 1] as [number, number, number],
  };
}

/**
 * A feature level as a program sees it: its index among the pooler's levels, the input
 * holding its values (undefined: not bound) and a WGSL expression for its `[B, H, W, C]`.
 */
interface BoundLevel {
  index: number;
  name?: string;
  shape: string;
}

function allLevels(numLevels: number): BoundLevel[] {
  return Array.from({ length: numLevels }, (_, index) => ({
    index,
    name: `features${index}`,
    shape: `uniforms.features${index}Shape`,
  }));
}

function scaleUniforms(levels: BoundLevel[]): string {
  return levels.map(({ index }) => `spatialScale${index} : f32, `).join('');
}

/**
 * Per-level accessors (`readFeature`, `levelShape`, `levelScale`), the sampling-point helper
 * and `sampleAt`: torchvision's bilinear_interpolate for one channel.
 */
function samplingSnippet(levels: BoundLevel[], levelCount: number): string {
  const cases = (body: (level: BoundLevel) => string) =>
    levels.map((level) => `case ${level.index}: { ${body(level)} }`).join('\n      ');
  return `
    fn readFeature(level : i32, index : i32) -> f32 {
      switch level {
      ${cases(({ name }) => (name ? `return ${name}[index];` : 'return 0.0;'))}
        default: { return 0.0; }
      }
    }
    fn levelShape(level : i32) -> vec4<i32> {
      switch level {
      ${cases(({ shape }) => `return ${shape};`)}
        default: { return vec4<i32>(0); }
      }
    }
    fn levelScale(level : i32) -> f32 {
      switch level {
      ${cases(({ index }) => `return uniforms.spatialScale${index};`)}
        default: { return 0.0; }
      }
    }
    struct AxisSample { low : i32, high : i32, lowWeight : f32, highWeight : f32 };
    // One axis of a sampling point: neighbours and weights; both weights 0 off the map.
    fn axisSample(position : f32, size : i32) -> AxisSample {
      if (position < -1.0 || position > f32(size)) { return AxisSample(0, 0, 0.0, 0.0); }
      var v = max(position, 0.0);
      var low = i32(v);
      var high = low + 1;
      if (low >= size - 1) { low = size - 1; high = low; v = f32(low); }
      let frac = v - f32(low);
      return AxisSample(low, high, 1.0 - frac, frac);
    }
    struct Roi { level : i32, base : i32, shape : vec4<i32>, x1 : f32, y1 : f32,
                 binWidth : f32, binHeight : f32, gridWidth : i32, gridHeight : i32, valid : bool };
    // torchvision's box geometry: corners scaled (and shifted by -0.5 when aligned), at least
    // one cell in legacy mode, adaptive grid ceil(bin) when samplingRatio <= 0.
    fn roiGeometry(r : i32, outHeight : i32, outWidth : i32) -> Roi {
      var roi : Roi;
      roi.level = levels[r];
      let b = batchIndices[r];
      roi.valid = roi.level >= 0 && roi.level < ${levelCount};
      roi.shape = levelShape(roi.level);
      roi.valid = roi.valid && b >= 0 && b < roi.shape.x;
      roi.base = b * roi.shape.y * roi.shape.z * roi.shape.w;
      let scale = levelScale(roi.level);
      let offset = select(0.0, 0.5, uniforms.aligned != 0);
      roi.x1 = boxes[r * 4] * scale - offset;
      roi.y1 = boxes[r * 4 + 1] * scale - offset;
      var roiWidth = boxes[r * 4 + 2] * scale - offset - roi.x1;
      var roiHeight = boxes[r * 4 + 3] * scale - offset - roi.y1;
      if (uniforms.aligned == 0) { roiWidth = max(roiWidth, 1.0); roiHeight = max(roiHeight, 1.0); }
      roi.binWidth = roiWidth / f32(outWidth);
      roi.binHeight = roiHeight / f32(outHeight);
      roi.gridWidth = uniforms.samplingRatio;
      roi.gridHeight = uniforms.samplingRatio;
      if (uniforms.samplingRatio <= 0) {
        roi.gridWidth = i32(ceil(roi.binWidth));
        roi.gridHeight = i32(ceil(roi.binHeight));
      }
      return roi;
    }
    fn samplePosition(start : f32, bin : i32, binSize : f32, i : i32, grid : i32) -> f32 {
      return start + f32(bin) * binSize + (f32(i) + 0.5) * binSize / f32(grid);
    }
    fn sampleAt(roi : Roi, ay : AxisSample, ax : AxisSample, c : i32) -> f32 {
      let rowLow = roi.base + ay.low * roi.shape.z * roi.shape.w;
      let rowHigh = roi.base + ay.high * roi.shape.z * roi.shape.w;
      let w = roi.shape.w;
      return ay.lowWeight * ax.lowWeight * readFeature(roi.level, rowLow + ax.low * w + c)
           + ay.lowWeight * ax.highWeight * readFeature(roi.level, rowLow + ax.high * w + c)
           + ay.highWeight * ax.lowWeight * readFeature(roi.level, rowHigh + ax.low * w + c)
           + ay.highWeight * ax.highWeight * readFeature(roi.level, rowHigh + ax.high * w + c);
    }`;
}

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
