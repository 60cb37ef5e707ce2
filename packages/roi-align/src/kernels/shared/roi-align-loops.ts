import type { RoiAlignAttrs } from '../../kernel-names';
import { type AxisSamples, countSamples, createAxisSamples, fillAxisSamples } from './axis-samples';

/**
 * The RoIAlign forward and backward loops over plain typed arrays, shared by the cpu and
 * wasm kernels (both keep tensor data in memory JavaScript can read). NHWC makes the
 * channel loop the innermost, contiguous one. Geometry is computed in float32
 * (`Math.fround`) in torchvision's order of operations (torchvision/csrc/ops/cpu/
 * roi_align_kernel.cpp), so sampling points and their floor/clamp decisions match it bit
 * for bit; only the accumulation order of the channel sums differs.
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
  gridHeight: number;
  gridWidth: number;
  count: number;
}

/** Fills `samples` for box `r` on `level`; returns false when the box reads nothing (bad batch or level). */
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
  return level;
}

function newSamples(): BoxSamples {
  return { y: createAxisSamples(0), x: createAxisSamples(0), gridHeight: 0, gridWidth: 0, count: 1 };
}

/**
 * Forward RoIAlign: writes every element of `out` (`[R, outH, outW, C]`), zeros for boxes
 * whose batch index or level is out of range. `out` need not be zeroed (wasm heap memory).
 */
export function roiAlignForward(
  levels: readonly LevelData[],
  channels: number,
  box: BoxData,
  attrs: RoiAlignAttrs,
  out: Float32Array,
): void {
  const { outputHeight, outputWidth } = attrs;
  const numBoxes = box.levels.length;
  const samples = newSamples();
  const isMax = attrs.poolingMode === 'max';
  for (let r = 0; r < numBoxes; r++) {
    const level = prepareBox(r, box, levels, attrs, samples);
    const roiStart = r * outputHeight * outputWidth * channels;
    out.fill(0, roiStart, roiStart + outputHeight * outputWidth * channels);
    if (level === undefined) continue;
    const { data, width } = level;
    const base = box.batchIndices[r]! * level.height * width * channels;
    const rowStride = width * channels;
    const { y, x, gridHeight, gridWidth, count } = samples;
    for (let ph = 0; ph < outputHeight; ph++) {
      for (let pw = 0; pw < outputWidth; pw++) {
        const o = roiStart + (ph * outputWidth + pw) * channels;
        let first = true;
        for (let iy = 0; iy < gridHeight; iy++) {
          const ky = ph * gridHeight + iy;
          const hy = y.lowWeight[ky]!;
          const ly = y.highWeight[ky]!;
          const rowLow = base + y.low[ky]! * rowStride;
          const rowHigh = base + y.high[ky]! * rowStride;
          for (let ix = 0; ix < gridWidth; ix++) {
            const kx = pw * gridWidth + ix;
            const hx = x.lowWeight[kx]!;
            const lx = x.highWeight[kx]!;
            const w1 = Math.fround(hy * hx);
            const w2 = Math.fround(hy * lx);
            const w3 = Math.fround(ly * hx);
            const w4 = Math.fround(ly * lx);
            const p1 = rowLow + x.low[kx]! * channels;
            const p2 = rowLow + x.high[kx]! * channels;
            const p3 = rowHigh + x.low[kx]! * channels;
            const p4 = rowHigh + x.high[kx]! * channels;
            if (isMax) {
              // Out-of-map samples have all weights 0 and count as the value 0, as in mmcv's max mode.
              for (let c = 0; c < channels; c++) {
                const v = Math.fround(
                  w1 * data[p1 + c]! + w2 * data[p2 + c]! + w3 * data[p3 + c]! + w4 * data[p4 + c]!,
                );
                if (first || v > out[o + c]!) out[o + c] = v;
              }
              first = false;
            } else if (w1 !== 0 || w2 !== 0 || w3 !== 0 || w4 !== 0) {
              for (let c = 0; c < channels; c++) {
                out[o + c]! +=
                  w1 * data[p1 + c]! + w2 * data[p2 + c]! + w3 * data[p3 + c]! + w4 * data[p4 + c]!;
              }
            }
          }
        }
        if (!isMax && count !== 1) for (let c = 0; c < channels; c++) out[o + c]! /= count;
      }
    }
  }
}

/**
 * Backward RoIAlign for one level: adds every bin's gradient `dy [R, outH, outW, C]` to
 * the bilinear neighbours of its sampling points in `gradient` (`[B, H, W, C]`, zeroed by
 * the caller). `max` mode sends each channel's gradient to its first maximal sample only.
 */
export function roiAlignBackward(
  dy: Float32Array,
  levels: readonly LevelData[],
  levelIndex: number,
  channels: number,
  box: BoxData,
  attrs: RoiAlignAttrs,
  gradient: Float32Array,
): void {
  const { outputHeight, outputWidth } = attrs;
  const samples = newSamples();
  const isMax = attrs.poolingMode === 'max';
  const scaled = new Float32Array(channels);
  const best = new Float32Array(channels);
  const bestSample = new Int32Array(channels);
  for (let r = 0; r < box.levels.length; r++) {
    if (box.levels[r] !== levelIndex) continue;
    const level = prepareBox(r, box, levels, attrs, samples);
    if (level === undefined) continue;
    const base = box.batchIndices[r]! * level.height * level.width * channels;
    const rowStride = level.width * channels;
    const { y, x, gridHeight, gridWidth, count } = samples;
    const scatter = (ky: number, kx: number, c0: number, c1: number, values: Float32Array) => {
      const hy = y.lowWeight[ky]!;
      const ly = y.highWeight[ky]!;
      const hx = x.lowWeight[kx]!;
      const lx = x.highWeight[kx]!;
      if (hy === 0 && ly === 0) return;
      if (hx === 0 && lx === 0) return;
      const w1 = Math.fround(hy * hx);
      const w2 = Math.fround(hy * lx);
      const w3 = Math.fround(ly * hx);
      const w4 = Math.fround(ly * lx);
      const rowLow = base + y.low[ky]! * rowStride;
      const rowHigh = base + y.high[ky]! * rowStride;
      const p1 = rowLow + x.low[kx]! * channels;
      const p2 = rowLow + x.high[kx]! * channels;
      const p3 = rowHigh + x.low[kx]! * channels;
      const p4 = rowHigh + x.high[kx]! * channels;
      for (let c = c0; c < c1; c++) {
        const g = values[c]!;
        gradient[p1 + c]! += g * w1;
        gradient[p2 + c]! += g * w2;
        gradient[p3 + c]! += g * w3;
        gradient[p4 + c]! += g * w4;
      }
    };
    for (let ph = 0; ph < outputHeight; ph++) {
      for (let pw = 0; pw < outputWidth; pw++) {
        const o = ((r * outputHeight + ph) * outputWidth + pw) * channels;
        if (!isMax) {
          for (let c = 0; c < channels; c++) scaled[c] = dy[o + c]! / count;
          for (let iy = 0; iy < gridHeight; iy++) {
            for (let ix = 0; ix < gridWidth; ix++) {
              scatter(ph * gridHeight + iy, pw * gridWidth + ix, 0, channels, scaled);
            }
          }
          continue;
        }
        bestSample.fill(-1);
        for (let iy = 0; iy < gridHeight; iy++) {
          const ky = ph * gridHeight + iy;
          for (let ix = 0; ix < gridWidth; ix++) {
            const kx = pw * gridWidth + ix;
            sampleValues(level.data, base, rowStride, channels, y, x, ky, kx, scaled);
            for (let c = 0; c < channels; c++) {
              if (bestSample[c]! < 0 || scaled[c]! > best[c]!) {
                best[c] = scaled[c]!;
                bestSample[c] = iy * gridWidth + ix;
              }
            }
          }
        }
        for (let c = 0; c < channels; c++) {
          const sample = bestSample[c]!;
          if (sample < 0) continue;
          scaled[c] = dy[o + c]!;
          const ky = ph * gridHeight + Math.floor(sample / gridWidth);
          scatter(ky, pw * gridWidth + (sample % gridWidth), c, c + 1, scaled);
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
