import { RcnnError } from '../errors/rcnn-error';
import { sizeOfShape } from './state-dict';

/**
 * Weight layouts between torch (as checkpoints store them) and the layouts tfjs kernels read
 * directly, converted once at load time (so no forward pass transposes a weight: on wasm a
 * matMul with transposeB ran ~8x slower) and back when saving. Plain loops; exact.
 *
 * - rank 2 (linear): torch `[out, in]` <-> tfjs `[in, out]`. A linear layer that reads NCHW
 *   features flattened by torch as (C, H, W) gets its rows reordered to (H, W, C) (`flattenedFrom`),
 *   so it computes the same function on NHWC-flattened features.
 * - rank 4 (conv and conv-transpose alike): torch `[A, B, kH, kW]` <-> tfjs `[kH, kW, B, A]`
 *   (conv OIHW -> HWIO; conv-transpose `[in, out, kH, kW]` -> `[kH, kW, out, in]`, the layout of
 *   tf.conv2dTranspose: both are the conv2d whose input gradient the transpose computes, so no flip).
 * - other ranks: unchanged (copied).
 */

/** `[channels, height, width]` of the NCHW features a linear layer reads flattened. */
export type FlattenedFrom = readonly [channels: number, height: number, width: number];

/** torch-layout data -> the tfjs layout (see the module comment). Returns a new array. */
export function torchToTfjsLayout(
  data: Float32Array,
  torchShape: readonly number[],
  flattenedFrom?: FlattenedFrom,
): Float32Array {
  const map = tfjsIndexOfTorchIndex(data.length, torchShape, flattenedFrom);
  const out = new Float32Array(data.length);
  if (!map) out.set(data);
  else for (let t = 0; t < map.length; t++) out[map[t]!] = data[t]!;
  return out;
}

/** tfjs-layout data -> torch layout (the inverse of {@link torchToTfjsLayout}). Returns a new array. */
export function tfjsToTorchLayout(
  data: Float32Array,
  torchShape: readonly number[],
  flattenedFrom?: FlattenedFrom,
): Float32Array {
  const map = tfjsIndexOfTorchIndex(data.length, torchShape, flattenedFrom);
  const out = new Float32Array(data.length);
  if (!map) out.set(data);
  else for (let t = 0; t < map.length; t++) out[t] = data[map[t]!]!;
  return out;
}

/** The tfjs flat index of every torch flat index, or undefined when the layouts agree (rank 0, 1, 3). */
function tfjsIndexOfTorchIndex(
  length: number,
  torchShape: readonly number[],
  flattenedFrom: FlattenedFrom | undefined,
): Int32Array | undefined {
  const count = sizeOfShape(torchShape);
  if (length !== count) {
    throw new RcnnError(
      'INVALID_SHAPE',
      `layout conversion: ${length} values for shape [${torchShape.join(', ')}]`,
    );
  }
  if (torchShape.length === 2) return linearMap(torchShape as [number, number], flattenedFrom);
  if (torchShape.length === 4) return convMap(torchShape as [number, number, number, number]);
  if (flattenedFrom)
    throw new RcnnError('INVALID_ARGUMENT', 'flattenedFrom applies to linear (rank-2) weights only');
  return undefined;
}

function linearMap([outFeatures, inFeatures]: [number, number], flattenedFrom?: FlattenedFrom): Int32Array {
  const map = new Int32Array(outFeatures * inFeatures);
  if (!flattenedFrom) {
    for (let o = 0; o < outFeatures; o++) {
      for (let i = 0; i < inFeatures; i++) map[o * inFeatures + i] = i * outFeatures + o;
    }
    return map;
  }
  const [channels, height, width] = flattenedFrom;
  const spatial = height * width;
  if (channels * spatial !== inFeatures) {
    throw new RcnnError(
      'INVALID_SHAPE',
      `flattenedFrom [${flattenedFrom.join(', ')}] has ${channels * spatial} values, the linear layer reads ${inFeatures}`,
    );
  }
  for (let o = 0; o < outFeatures; o++) {
    for (let c = 0; c < channels; c++) {
      for (let s = 0; s < spatial; s++)
        map[o * inFeatures + c * spatial + s] = (s * channels + c) * outFeatures + o;
    }
  }
  return map;
}

function convMap([a, b, height, width]: [number, number, number, number]): Int32Array {
  const map = new Int32Array(a * b * height * width);
  for (let ia = 0; ia < a; ia++) {
    for (let ib = 0; ib < b; ib++) {
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++)
          map[((ia * b + ib) * height + y) * width + x] = ((y * width + x) * b + ib) * a + ia;
      }
    }
  }
  return map;
}
