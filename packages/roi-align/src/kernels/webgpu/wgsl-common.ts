/**
 * Shared pieces of the RoIAlign WGSL programs: the program shape tfjs-backend-webgpu runs,
 * the per-level accessors and torchvision's sampling geometry in WGSL.
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

export function flatProgram(outputShape: number[], threads: number) {
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
export interface BoundLevel {
  index: number;
  name?: string;
  shape: string;
}

export function allLevels(numLevels: number): BoundLevel[] {
  return Array.from({ length: numLevels }, (_, index) => ({
    index,
    name: `features${index}`,
    shape: `uniforms.features${index}Shape`,
  }));
}

export function scaleUniforms(levels: BoundLevel[]): string {
  return levels.map(({ index }) => `spatialScale${index} : f32, `).join('');
}

/**
 * Per-level accessors (`readFeature`, `levelShape`, `levelScale`), the sampling-point helper
 * and `sampleAt`: torchvision's bilinear_interpolate for one channel.
 */
export function samplingSnippet(levels: BoundLevel[], levelCount: number): string {
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
