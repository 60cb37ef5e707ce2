import type { NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import {
  ROI_ALIGN_FIRST_LEVEL_INPUT,
  type RoiAlignAttrs,
  type RoiAlignGradAttrs,
  type RoiAlignGradInputs,
} from '../../kernel-names';
import type { BoxData, LevelData } from './roi-align-loops';

/** Reads a tensor's data as a typed array, the way one backend stores it. */
export type ReadTensor = (info: TensorInfo) => Float32Array | Int32Array | Uint8Array;

export function readFloat32(read: ReadTensor, info: TensorInfo): Float32Array {
  const data = read(info);
  if (!(data instanceof Float32Array)) throw new Error(`expected float32 data, got ${info.dtype}`);
  return data;
}

export function readInt32(read: ReadTensor, info: TensorInfo): Int32Array {
  const data = read(info);
  if (!(data instanceof Int32Array)) throw new Error(`expected int32 data, got ${info.dtype}`);
  return data;
}

function levelData(read: ReadTensor, info: TensorInfo): LevelData {
  const [batch, height, width] = info.shape as [number, number, number, number];
  return { data: readFloat32(read, info), batch, height, width };
}

function boxData(read: ReadTensor, boxes: TensorInfo, batchIndices: TensorInfo, levels: TensorInfo): BoxData {
  return {
    boxes: readFloat32(read, boxes),
    batchIndices: readInt32(read, batchIndices),
    levels: readInt32(read, levels),
  };
}

/** The RoiAlign kernel's array inputs as typed arrays. */
export function readRoiAlignInputs(inputs: NamedTensorInfoMap, read: ReadTensor) {
  const list = inputs as unknown as TensorInfo[];
  const [boxes, batchIndices, levelIndices] = list as [TensorInfo, TensorInfo, TensorInfo];
  const levels = list.slice(ROI_ALIGN_FIRST_LEVEL_INPUT).map((info) => levelData(read, info));
  const channels = list[ROI_ALIGN_FIRST_LEVEL_INPUT]!.shape[3]!;
  return { levels, channels, box: boxData(read, boxes, batchIndices, levelIndices) };
}

/** The RoiAlignGrad kernel's inputs as typed arrays; `levels[attrs.level]` holds the one level given. */
export function readRoiAlignGradInputs(
  inputs: NamedTensorInfoMap,
  attrs: RoiAlignGradAttrs,
  read: ReadTensor,
) {
  const named = inputs as RoiAlignGradInputs;
  const levels: LevelData[] = [];
  levels[attrs.level] = levelData(read, named.features);
  return {
    levels,
    channels: named.features.shape[3]!,
    box: boxData(read, named.boxes, named.batchIndices, named.levels),
    dy: readFloat32(read, named.dy),
  };
}

/** Output shape of RoiAlign/RoiPool: `[R, outH, outW, C]`. */
export function pooledShape(
  numBoxes: number,
  attrs: Pick<RoiAlignAttrs, 'outputHeight' | 'outputWidth'>,
  channels: number,
) {
  return [numBoxes, attrs.outputHeight, attrs.outputWidth, channels];
}
