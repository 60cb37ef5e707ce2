import * as tf from '@tensorflow/tfjs-core';
import { gatherRows } from './gather-rows';
import type { RoiAlignAttrs } from './kernel-names';
import { checkBoxes, checkFeatures, type RoiAlignOptions, roiAlignAttrs } from './roi-align-options';

/** Elements of the gathered `[corners * samples, C]` block per chunk of boxes: bounds memory. */
const GATHER_BUDGET = 1 << 22;

/**
 * RoIAlign from composed, differentiable tfjs ops: the portable reference every kernel is
 * tested against, and the fallback on backends without a kernel. It follows the idea of
 * torchvision's python `_roi_align`: per-axis sampling points and bilinear weights as
 * tensors, one gather of the four neighbours of every point, a weighted sum, then the mean
 * (or max) over each bin's points. Geometry uses the same float32 operations in the same
 * order as torchvision's C++ kernel.
 *
 * Adaptive sampling (`samplingRatio <= 0`) reads the per-box grid sizes back synchronously
 * to size the sampling grid; the kernels and fixed ratios never read back.
 *
 * @param features `[B, H, W, C]` float32 NHWC. Not disposed.
 * @param boxes `[R, 4]` float32 xyxy in image pixels. Not disposed.
 * @param batchIndices `[R]` int32, the image of each box. Not disposed.
 * @returns `[R, outH, outW, C]` float32; caller owns. Matches torchvision.ops.roi_align.
 */
export function roiAlignReference(
  features: tf.Tensor4D,
  boxes: tf.Tensor2D,
  batchIndices: tf.Tensor1D,
  options: RoiAlignOptions,
): tf.Tensor4D {
  checkFeatures(features);
  checkBoxes(boxes, batchIndices);
  const attrs = roiAlignAttrs(options, [options.spatialScale ?? 1]);
  return tf.tidy(() => {
    const [, height, width, channels] = features.shape;
    const table = tf.reshape(features, [-1, channels]) as tf.Tensor2D;
    const numBoxes = boxes.shape[0];
    if (numBoxes === 0)
      return tf.reshape(tf.slice(table, [0, 0], [0, channels]), [
        0,
        attrs.outputHeight,
        attrs.outputWidth,
        channels,
      ]);
    const geometry = boxGeometry(boxes, attrs);
    const grids = attrs.samplingRatio > 0 ? undefined : gridSizes(geometry);
    const perBox = 4 * attrs.outputHeight * attrs.outputWidth * channels;
    const parts: tf.Tensor4D[] = [];
    for (let start = 0; start < numBoxes; ) {
      let grid = attrs.samplingRatio;
      let end = start;
      // Grow the chunk while the gather stays within budget (the grid is the chunk's largest).
      while (end < numBoxes) {
        const next = grids ? Math.max(grid, grids[end]!, 1) : grid;
        if (end > start && (end + 1 - start) * perBox * next * next > GATHER_BUDGET) break;
        grid = next;
        end++;
      }
      const chunk = (t: tf.Tensor) => tf.slice(t, [start], [end - start]);
      const part = {
        x1: chunk(geometry.x1),
        y1: chunk(geometry.y1),
        binWidth: chunk(geometry.binWidth),
        binHeight: chunk(geometry.binHeight),
        gridWidth: chunk(geometry.gridWidth),
        gridHeight: chunk(geometry.gridHeight),
      };
      const batch = chunk(batchIndices) as tf.Tensor1D;
      parts.push(poolChunk(table, [height, width], batch, part, Math.max(grid, 1), attrs));
      start = end;
    }
    return parts.length === 1 ? parts[0]! : tf.concat(parts, 0);
  });
}

interface Geometry {
  x1: tf.Tensor1D;
  y1: tf.Tensor1D;
  binWidth: tf.Tensor1D;
  binHeight: tf.Tensor1D;
  /** Sampling points per bin side, per box (float32 holding integers). */
  gridWidth: tf.Tensor1D;
  gridHeight: tf.Tensor1D;
}

function boxGeometry(boxes: tf.Tensor2D, attrs: RoiAlignAttrs): Geometry {
  const offset = attrs.aligned ? 0.5 : 0;
  const [bx1, by1, bx2, by2] = tf.unstack(boxes, 1) as tf.Tensor1D[];
  const corner = (v: tf.Tensor1D) => tf.sub(tf.mul(v, attrs.spatialScales[0]!), offset) as tf.Tensor1D;
  const x1 = corner(bx1!);
  const y1 = corner(by1!);
  let roiWidth: tf.Tensor1D = tf.sub(corner(bx2!), x1);
  let roiHeight: tf.Tensor1D = tf.sub(corner(by2!), y1);
  if (!attrs.aligned) {
    roiWidth = tf.maximum(roiWidth, 1);
    roiHeight = tf.maximum(roiHeight, 1);
  }
  const binWidth = tf.div(roiWidth, attrs.outputWidth) as tf.Tensor1D;
  const binHeight = tf.div(roiHeight, attrs.outputHeight) as tf.Tensor1D;
  const fixed = (like: tf.Tensor1D) => tf.fill(like.shape, attrs.samplingRatio) as tf.Tensor1D;
  const gridWidth = attrs.samplingRatio > 0 ? fixed(binWidth) : (tf.ceil(binWidth) as tf.Tensor1D);
  const gridHeight = attrs.samplingRatio > 0 ? fixed(binHeight) : (tf.ceil(binHeight) as tf.Tensor1D);
  return { x1, y1, binWidth, binHeight, gridWidth, gridHeight };
}

/** Largest grid side per box (adaptive sampling): a synchronous read of R numbers. */
function gridSizes(geometry: Geometry): Int32Array {
  return tf.tidy(() => Int32Array.from(tf.maximum(geometry.gridWidth, geometry.gridHeight).dataSync()));
}

/**
 * Sampling points along one axis: `[n, bins, grid]` neighbour indices and weights. A point
 * beyond the box's own grid (adaptive sampling) or off the map (`< -1` or `> size`) gets
 * weight 0; `inGrid` (`[n, 1, gridMax]`) is false past the box's own grid.
 */
function axisSamples(
  start: tf.Tensor1D,
  bin: tf.Tensor1D,
  grid: tf.Tensor1D,
  bins: number,
  gridMax: number,
  size: number,
) {
  const column = (t: tf.Tensor1D) => tf.reshape(t, [-1, 1, 1]);
  const p = tf.reshape(tf.range(0, bins, 1, 'float32'), [1, bins, 1]);
  const i = tf.reshape(tf.range(0, gridMax, 1, 'float32'), [1, 1, gridMax]);
  const binStart = tf.add(column(start), tf.mul(p, column(bin)));
  // A box with no samples (grid 0) divides by 1 instead: its points are masked anyway.
  const safeGrid = tf.maximum(column(grid), 1);
  const position = tf.add(binStart, tf.div(tf.mul(tf.add(i, 0.5), column(bin)), safeGrid));
  const inGrid = tf.less(i, column(grid));
  const onMap = tf.logicalAnd(tf.greaterEqual(position, -1), tf.lessEqual(position, size));
  const clamped = tf.maximum(position, 0);
  const floor = tf.floor(clamped);
  const atEdge = tf.greaterEqual(floor, size - 1);
  const low = tf.where(atEdge, tf.fill(floor.shape, size - 1), floor);
  const high = tf.where(atEdge, low, tf.add(low, 1));
  const frac = tf.sub(tf.where(atEdge, low, clamped), low);
  const keep = tf.cast(tf.logicalAnd(inGrid, onMap), 'float32');
  const index = (t: tf.Tensor) => tf.cast(tf.clipByValue(t, 0, size - 1), 'int32');
  return {
    low: index(low),
    high: index(high),
    lowWeight: tf.mul(tf.sub(1, frac), keep),
    highWeight: tf.mul(frac, keep),
    inGrid,
  };
}

function poolChunk(
  table: tf.Tensor2D,
  [height, width]: [number, number],
  batchIndices: tf.Tensor1D,
  g: { [K in keyof Geometry]: tf.Tensor },
  grid: number,
  attrs: RoiAlignAttrs,
): tf.Tensor4D {
  const { outputHeight: outH, outputWidth: outW } = attrs;
  const n = batchIndices.shape[0];
  const channels = table.shape[1];
  const ys = axisSamples(
    g.y1 as tf.Tensor1D,
    g.binHeight as tf.Tensor1D,
    g.gridHeight as tf.Tensor1D,
    outH,
    grid,
    height,
  );
  const xs = axisSamples(
    g.x1 as tf.Tensor1D,
    g.binWidth as tf.Tensor1D,
    g.gridWidth as tf.Tensor1D,
    outW,
    grid,
    width,
  );
  // Broadcast rows [n, outH, grid, 1, 1] against columns [n, 1, 1, outW, grid].
  const rows = (t: tf.Tensor) => tf.reshape(t, [n, outH, grid, 1, 1]);
  const cols = (t: tf.Tensor) => tf.reshape(t, [n, 1, 1, outW, grid]);
  const batchSize = table.shape[0] / (height * width);
  // Like the kernels, a box whose batch index is out of range pools zeros.
  const validBatch = tf.logicalAnd(tf.greaterEqual(batchIndices, 0), tf.less(batchIndices, batchSize));
  // Integer scalars: a JS number would make tfjs upcast the indices to float32.
  const int = (v: number) => tf.scalar(v, 'int32');
  const base = tf.reshape(tf.mul(tf.clipByValue(batchIndices, 0, batchSize - 1), int(height * width)), [
    n,
    1,
    1,
    1,
    1,
  ]);
  let sum: tf.Tensor | undefined;
  for (const [y, wy] of [
    [ys.low, ys.lowWeight],
    [ys.high, ys.highWeight],
  ] as const) {
    for (const [x, wx] of [
      [xs.low, xs.lowWeight],
      [xs.high, xs.highWeight],
    ] as const) {
      const flat = tf.add(tf.add(base, tf.mul(rows(y), int(width))), cols(x));
      const gathered = gatherRows(table, tf.reshape(flat, [-1]) as tf.Tensor1D);
      const weight = tf.reshape(tf.mul(rows(wy), cols(wx)), [-1, 1]);
      const term = tf.mul(gathered, weight);
      sum = sum ? tf.add(sum, term) : term;
    }
  }
  const values = tf.reshape(sum!, [n, outH, grid, outW, grid, channels]);
  const hasSamples = tf.logicalAnd(tf.greater(g.gridHeight, 0), tf.greater(g.gridWidth, 0));
  const keep = tf.reshape(tf.logicalAnd(hasSamples, validBatch), [n, 1, 1, 1]);
  const count = tf.reshape(tf.maximum(tf.mul(g.gridHeight, g.gridWidth), 1), [n, 1, 1, 1]);
  if (attrs.poolingMode === 'avg') {
    const mean = tf.div(tf.sum(values, [2, 4]), count);
    return tf.where(tf.reshape(validBatch, [n, 1, 1, 1]), mean, tf.zerosLike(mean)) as tf.Tensor4D;
  }
  // Points past a box's own grid get -inf added (a broadcasting add: tfjs has no rank-6 tile gradient).
  const penalty = (inGrid: tf.Tensor, shape: number[]) =>
    tf.reshape(
      tf.where(inGrid, tf.zeros(inGrid.shape), tf.fill(inGrid.shape, Number.NEGATIVE_INFINITY)),
      shape,
    );
  const masked = tf.add(
    tf.add(values, penalty(ys.inGrid, [n, 1, grid, 1, 1, 1])),
    penalty(xs.inGrid, [n, 1, 1, 1, grid, 1]),
  );
  const maxed = tf.max(masked, [2, 4]);
  return tf.where(keep, maxed, tf.zerosLike(maxed)) as tf.Tensor4D;
}
