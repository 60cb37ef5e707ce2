import {
  backend_util,
  GatherV2,
  type GatherV2Attrs,
  type KernelConfig,
  MaxPoolGrad,
  type MaxPoolGradAttrs,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import type { NativeAddon } from './native-addon';
import { nativeKernel, type Planner } from './native-kernel';
import { offsetOf } from './wasm-heap';

function gatherPlanner(addon: NativeAddon): Planner {
  return ({ inputs, attrs }, backend) => {
    const { x, indices } = inputs as Record<string, TensorInfo>;
    const { axis: given, batchDims } = attrs as unknown as GatherV2Attrs;
    if (batchDims !== 0) return `batchDims ${batchDims}`;
    if (x!.dtype !== 'float32' && x!.dtype !== 'int32') return `dtype ${x!.dtype}`;
    if (indices!.dtype !== 'int32') return `indices dtype ${indices!.dtype}`;
    if (util.sizeFromShape(x!.shape) === 0) return 'an empty input';
    const axis = util.parseAxisParam(given, x!.shape)[0]!;
    const outer = util.sizeFromShape(x!.shape.slice(0, axis));
    const inner = util.sizeFromShape(x!.shape.slice(axis + 1));
    const m = util.sizeFromShape(indices!.shape);
    const shape = [...x!.shape.slice(0, axis), ...indices!.shape, ...x!.shape.slice(axis + 1)];
    const at = [offsetOf(backend, x!), offsetOf(backend, indices!)];
    const sizes = [outer, x!.shape[axis]!, inner, m];
    return {
      shape,
      dtype: x!.dtype,
      run: (heap, output) => addon.gather(heap, Float64Array.from([...sizes, ...at, output])),
    };
  };
}

function maxPoolGradPlanner(addon: NativeAddon): Planner {
  return ({ inputs, attrs }, backend) => {
    const { dy, input } = inputs as Record<string, TensorInfo>;
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
    if (input!.dtype !== 'float32' || dy!.dtype !== 'float32') return 'dtype';
    if (input!.shape.length !== 4) return `rank ${input!.shape.length}`;
    const info = backend_util.computePool2DInfo(
      input!.shape as [number, number, number, number],
      filterSize,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    const geometry = [
      info.batchSize,
      info.inHeight,
      info.inWidth,
      info.inChannels,
      info.outHeight,
      info.outWidth,
      info.strideHeight,
      info.strideWidth,
      info.padInfo.top,
      info.padInfo.left,
      info.effectiveFilterHeight,
      info.effectiveFilterWidth,
    ];
    const at = [offsetOf(backend, input!), offsetOf(backend, dy!)];
    return {
      shape: [...input!.shape],
      run: (heap, output) => addon.maxPoolGrad(heap, Float64Array.from([...geometry, ...at, output])),
    };
  };
}

/** Kernel names {@link gatherPoolKernelConfigs} serves. */
export const GATHER_POOL_KERNEL_NAMES = [GatherV2, MaxPoolGrad];

/**
 * GatherV2 (float32/int32 values, int32 indices, no batch dims; an index out of range falls
 * back) and MaxPoolGrad (NHWC float32; each output's gradient to the first maximum of its
 * window, as tfjs cpu, torch and @rcnn/train-kernels' wasm kernel) for the wasm backend.
 */
export function gatherPoolKernelConfigs(
  addon: NativeAddon,
  originals: ReadonlyMap<string, KernelConfig>,
): KernelConfig[] {
  return [
    nativeKernel(GatherV2, gatherPlanner(addon), originals.get(GatherV2)),
    nativeKernel(MaxPoolGrad, maxPoolGradPlanner(addon), originals.get(MaxPoolGrad)),
  ];
}
