import type { RoiAlignAttrs } from '../../kernel-names';
import { type AxisSamples, countSamples, createAxisSamples, fillAxisSamples } from './axis-samples';
import { type AccumulateRow, jsAccumulateRow, jsScatterRow, type ScatterRow } from './channel-loops';
import { createMergedAxis, type MergedAxis, mergeAxis } from './merged-axis';

/**
 * The RoIAlign forward and backward loops over plain typed arrays, shared by the cpu and
 * wasm kernels (both keep tensor data in memory JavaScript can read). NHWC makes the
 * channel loop the innermost, contiguous one. Geometry is computed in float32
 * (`Math.fround`) in torchvision's order of operations (torchvision/csrc/ops/cpu/
 * roi_align_kernel.cpp), so sampling points and their floor/clamp decisions match it bit
 * for bit; only the order in which channel sums are accumulated differs. Average pooling
 * merges each bin's points into distinct rows and columns first (see merged-axis.ts) and
 * hands the channel loops to `AccumulateRow` / `ScatterRow` (JavaScript, or wasm SIMD).
 */

/** One feature level as the loops see it: `data` is `[B, H, W, C]` float32 NHWC. */
export interface LevelData {
  readonly data: Float32Array;
  readonly batch: number;
  readonly height: number;
  readonly width: number;
}

/** Boxes, batch indices and level indices of one call. */
export interface BoxData {
  readonly boxes: Float32Array;
  readonly batchIndices: Int32Array;
  readonly levels: Int32Array;
}

/** Sampling tables of one box, reused across boxes (grown when a box needs more). */
interface BoxSamples {
  y: AxisSamples;
  x: AxisSamples;
  /** The same points merged per bin into distinct rows / columns (average pooling). */
  mergedY: MergedAxis;
  mergedX: MergedAxis;
  gridHeight: number;
  gridWidth: number;
  count: number;
}

function newSamples(): BoxSamples {
  return {
    y: createAxisSamples(0),
    x: createAxisSamples(0),
    mergedY: createMergedAxis(0, 0),
    mergedX: createMergedAxis(0, 0),
    gridHeight: 0,
    gridWidth: 0,
    count: 1,
  };
}

/** Fills `samples` for box `r`; returns its level, or undefined when the box reads nothing (bad batch or level). */
function prepareBox(
  r: number,
  box: BoxData,
  levels: readonly LevelData[],
  attrs: RoiAlignAttrs,
  samples: BoxSamples,
): LevelData | undefined {
  const levelIndex = box.levels[r]!;
  const level = levels[levelIndex];
  const batchIndex = box.batchIndices[r]!;
  if (level === undefined || batchIndex < 0 || batchIndex >= level.batch) return undefined;
  const scale = Math.fround(attrs.spatialScales[levelIndex]!);
  const offset = attrs.aligned ? 0.5 : 0;
  const corner = (i: number) => Math.fround(Math.fround(box.boxes[r * 4 + i]! * scale) - offset);
  const x1 = corner(0);
  const y1 = corner(1);
  let roiWidth = Math.fround(corner(2) - x1);
  let roiHeight = Math.fround(corner(3) - y1);
  if (!attrs.aligned) {
    // torchvision forces malformed boxes to at least 1x1 feature cells in legacy mode.
    roiWidth = Math.max(roiWidth, 1);
    roiHeight = Math.max(roiHeight, 1);
  }
  const binHeight = Math.fround(roiHeight / attrs.outputHeight);
  const binWidth = Math.fround(roiWidth / attrs.outputWidth);
  const gridHeight = attrs.samplingRatio > 0 ? attrs.samplingRatio : Math.ceil(binHeight);
  const gridWidth = attrs.samplingRatio > 0 ? attrs.samplingRatio : Math.ceil(binWidth);
  samples.gridHeight = Math.max(gridHeight, 0);
  samples.gridWidth = Math.max(gridWidth, 0);
  samples.count = countSamples(gridHeight, gridWidth);
  samples.y = fillAxisSamples(samples.y, y1, binHeight, samples.gridHeight, attrs.outputHeight, level.height);
  samples.x = fillAxisSamples(samples.x, x1, binWidth, samples.gridWidth, attrs.outputWidth, level.width);
  if (attrs.poolingMode === 'avg') {
    samples.mergedY = mergeAxis(samples.y, attrs.outputHeight, samples.gridHeight, samples.mergedY);
    samples.mergedX = mergeAxis(samples.x, attrs.outputWidth, samples.gridWidth, samples.mergedX);
  }
  return level;
}

/**
 * Forward RoIAlign: writes every element of `out` (`[R, outH, outW, C]`), zeros for boxes
 * whose batch index or level is out of range. `out` need not be zeroed (wasm heap memory).
 * `accumulate` runs average pooling's channel loops (default: JavaScript over `out`).
 */
export function roiAlignForward(
  levels: readonly LevelData[],
  channels: number,
  box: BoxData,
  attrs: RoiAlignAttrs,
  out: Float32Array,
  accumulate: AccumulateRow = jsAccumulateRow(out, levels, channels),
): void {
  const { outputHeight, outputWidth } = attrs;
  const samples = newSamples();
  const scratch = new Float32Array(channels);
  const roiSize = outputHeight * outputWidth * channels;
  for (let r = 0; r < box.levels.length; r++) {
    const level = prepareBox(r, box, levels, attrs, samples);
    out.fill(0, r * roiSize, (r + 1) * roiSize);
    if (level === undefined) continue;
    const base = box.batchIndices[r]! * level.height * level.width * channels;
    const rowStride = level.width * channels;
    const { mergedY, mergedX, y, x, gridHeight, gridWidth, count } = samples;
    for (let ph = 0; ph < outputHeight; ph++) {
      for (let pw = 0; pw < outputWidth; pw++) {
        const o = r * roiSize + (ph * outputWidth + pw) * channels;
        if (attrs.poolingMode === 'avg') {
          // The mean's 1/count rides on the row weight (torchvision divides the sum instead).
          const rowEnd = ph * mergedY.stride + mergedY.count[ph]!;
          for (let j = ph * mergedY.stride; j < rowEnd; j++) {
            const rowBase = base + mergedY.index[j]! * rowStride;
            accumulate(box.levels[r]!, o, rowBase, mergedX, pw * mergedX.stride, mergedY.weight[j]! / count);
          }
          continue;
        }
        // Max: out-of-map points have all weights 0 and count as the value 0, as in mmcv's max mode.
        for (let iy = 0; iy < gridHeight; iy++) {
          for (let ix = 0; ix < gridWidth; ix++) {
            sampleValues(
              level.data,
              base,
              rowStride,
              channels,
              y,
              x,
              ph * gridHeight + iy,
              pw * gridWidth + ix,
              scratch,
            );
            const first = iy === 0 && ix === 0;
            for (let c = 0; c < channels; c++)
              if (first || scratch[c]! > out[o + c]!) out[o + c] = scratch[c]!;
          }
        }
      }
    }
  }
}

/**
 * Backward RoIAlign for one level: adds every bin's gradient `dy [R, outH, outW, C]` to the
 * bilinear neighbours of its sampling points in `gradient` (`[B, H, W, C]`, zeroed by the
 * caller). `max` mode sends each channel's gradient to its first maximal point only.
 * `scatter` runs average pooling's channel loops (default: JavaScript over `gradient`).
 */
export function roiAlignBackward(
  dy: Float32Array,
  levels: readonly LevelData[],
  levelIndex: number,
  channels: number,
  box: BoxData,
  attrs: RoiAlignAttrs,
  gradient: Float32Array,
  scatter: ScatterRow = jsScatterRow(gradient, dy, channels),
): void {
  const { outputHeight, outputWidth } = attrs;
  const samples = newSamples();
  const values = new Float32Array(channels);
  const best = new Float32Array(channels);
  const bestSample = new Int32Array(channels);
  for (let r = 0; r < box.levels.length; r++) {
    if (box.levels[r] !== levelIndex) continue;
    const level = prepareBox(r, box, levels, attrs, samples);
    if (level === undefined) continue;
    const base = box.batchIndices[r]! * level.height * level.width * channels;
    const rowStride = level.width * channels;
    const { mergedY, mergedX, y, x, gridHeight, gridWidth, count } = samples;
    for (let ph = 0; ph < outputHeight; ph++) {
      for (let pw = 0; pw < outputWidth; pw++) {
        const o = ((r * outputHeight + ph) * outputWidth + pw) * channels;
        if (attrs.poolingMode === 'avg') {
          const rowEnd = ph * mergedY.stride + mergedY.count[ph]!;
          for (let j = ph * mergedY.stride; j < rowEnd; j++) {
            const rowBase = base + mergedY.index[j]! * rowStride;
            scatter(o, rowBase, mergedX, pw * mergedX.stride, mergedY.weight[j]! / count);
          }
          continue;
        }
        bestSample.fill(-1);
        for (let iy = 0; iy < gridHeight; iy++) {
          for (let ix = 0; ix < gridWidth; ix++) {
            sampleValues(
              level.data,
              base,
              rowStride,
              channels,
              y,
              x,
              ph * gridHeight + iy,
              pw * gridWidth + ix,
              values,
            );
            for (let c = 0; c < channels; c++) {
              if (bestSample[c]! < 0 || values[c]! > best[c]!) {
                best[c] = values[c]!;
                bestSample[c] = iy * gridWidth + ix;
              }
            }
          }
        }
        for (let c = 0; c < channels; c++) {
          const sample = bestSample[c]!;
          if (sample < 0) continue;
          const ky = ph * gridHeight + Math.floor(sample / gridWidth);
          const kx = pw * gridWidth + (sample % gridWidth);
          const g = dy[o + c]!;
          for (const [row, wy] of [
            [y.low[ky]!, y.lowWeight[ky]!],
            [y.high[ky]!, y.highWeight[ky]!],
          ]) {
            for (const [col, wx] of [
              [x.low[kx]!, x.lowWeight[kx]!],
              [x.high[kx]!, x.highWeight[kx]!],
            ]) {
              gradient[base + row! * rowStride + col! * channels + c]! += g * Math.fround(wy! * wx!);
            }
          }
        }
      }
    }
  }
}

/** Bilinear values of one sampling point for every channel, into `values` (0 when off the map). */
function sampleValues(
  data: Float32Array,
  base: number,
  rowStride: number,
  channels: number,
  y: AxisSamples,
  x: AxisSamples,
  ky: number,
  kx: number,
  values: Float32Array,
): void {
  const hy = y.lowWeight[ky]!;
  const ly = y.highWeight[ky]!;
  const hx = x.lowWeight[kx]!;
  const lx = x.highWeight[kx]!;
  const w1 = Math.fround(hy * hx);
  const w2 = Math.fround(hy * lx);
  const w3 = Math.fround(ly * hx);
  const w4 = Math.fround(ly * lx);
  const p1 = base + y.low[ky]! * rowStride + x.low[kx]! * channels;
  const p2 = base + y.low[ky]! * rowStride + x.high[kx]! * channels;
  const p3 = base + y.high[ky]! * rowStride + x.low[kx]! * channels;
  const p4 = base + y.high[ky]! * rowStride + x.high[kx]! * channels;
  for (let c = 0; c < channels; c++) {
    values[c] = w1 * data[p1 + c]! + w2 * data[p2 + c]! + w3 * data[p3 + c]! + w4 * data[p4 + c]!;
  }
}
