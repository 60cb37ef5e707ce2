import {
  backend_util,
  Conv2D,
  type Conv2DAttrs,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  FusedConv2D,
  type FusedConv2DAttrs,
  type KernelConfig,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { activationCode } from './activation-codes';
import type { NativeAddon } from './native-addon';
import { nativeKernel, type Planner, unsupportedInputs } from './native-kernel';
import { offsetOf } from './wasm-heap';

type ConvInfo = backend_util.Conv2DInfo;

/** The 17 geometry numbers native/conv.cc reads, from tfjs's own conv arithmetic. */
function geometry(info: ConvInfo): number[] {
  const { padInfo: pad } = info;
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    pad.top,
    pad.left,
    pad.bottom,
    pad.right,
  ];
}

function convInfo(
  xShape: number[],
  filterShape: number[],
  attrs: Pick<Conv2DAttrs, 'strides' | 'pad' | 'dimRoundingMode' | 'dataFormat'> & {
    dilations?: number | [number, number];
  },
): ConvInfo | string {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') return `dataFormat ${attrs.dataFormat}`;
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

function forwardPlanner(addon: NativeAddon, fused: boolean): Planner {
  return ({ inputs, attrs }, backend) => {
    const { x, filter, bias, preluActivationWeights } = inputs as Record<string, TensorInfo | undefined>;
    const convAttrs = attrs as unknown as FusedConv2DAttrs;
    const code = fused ? activationCode(convAttrs.activation) : 0;
    if (code === undefined) return `activation ${convAttrs.activation}`;
    if (preluActivationWeights !== undefined) return 'prelu weights';
    const bad = unsupportedInputs([x, filter, bias]);
    if (bad) return bad;
    const info = convInfo(x!.shape, filter!.shape, convAttrs);
    if (typeof info === 'string') return info;
    if (bias && util.sizeFromShape(bias.shape) !== info.outChannels) return `bias of shape [${bias.shape}]`;
    const inputsAt = [offsetOf(backend, x!), offsetOf(backend, filter!), bias ? offsetOf(backend, bias) : -1];
    const alpha = convAttrs.leakyreluAlpha ?? 0.2;
    return {
      shape: info.outShape,
      run: (heap, output) =>
        addon.conv2d(heap, Float64Array.from([...geometry(info), ...inputsAt, output, code, alpha])),
    };
  };
}

function backpropInputPlanner(addon: NativeAddon): Planner {
  return ({ inputs, attrs }, backend) => {
    const { dy, filter } = inputs as Record<string, TensorInfo>;
    const convAttrs = attrs as unknown as Conv2DBackpropInputAttrs;
    const bad = unsupportedInputs([dy, filter]);
    if (bad) return bad;
    const info = convInfo([...convAttrs.inputShape], filter!.shape, convAttrs);
    if (typeof info === 'string') return info;
    if (!util.arraysEqual(info.outShape, dy!.shape)) return `dy shape [${dy!.shape}] vs [${info.outShape}]`;
    const inputsAt = [offsetOf(backend, dy!), offsetOf(backend, filter!)];
    return {
      shape: info.inShape,
      run: (heap, output) =>
        addon.conv2dBackpropInput(heap, Float64Array.from([...geometry(info), ...inputsAt, output])),
    };
  };
}

function backpropFilterPlanner(addon: NativeAddon): Planner {
  return ({ inputs, attrs }, backend) => {
    const { x, dy } = inputs as Record<string, TensorInfo>;
    const convAttrs = attrs as unknown as Conv2DBackpropFilterAttrs;
    const bad = unsupportedInputs([x, dy]);
    if (bad) return bad;
    const info = convInfo(x!.shape, [...convAttrs.filterShape], convAttrs);
    if (typeof info === 'string') return info;
    if (!util.arraysEqual(info.outShape, dy!.shape)) return `dy shape [${dy!.shape}] vs [${info.outShape}]`;
    const inputsAt = [offsetOf(backend, x!), offsetOf(backend, dy!)];
    return {
      shape: [...convAttrs.filterShape],
      run: (heap, output) =>
        addon.conv2dBackpropFilter(heap, Float64Array.from([...geometry(info), ...inputsAt, output])),
    };
  };
}

/**
 * Conv2D, FusedConv2D, Conv2DBackpropInput and Conv2DBackpropFilter for the wasm backend on
 * oneDNN, NHWC in place on the heap. `originals` are tfjs-wasm's configs (by kernel name)
 * that unsupported calls fall back to: NCHW, non-float32, prelu, empty tensors.
 */
export function convKernelConfigs(
  addon: NativeAddon,
  originals: ReadonlyMap<string, KernelConfig>,
): KernelConfig[] {
  return [
    nativeKernel(Conv2D, forwardPlanner(addon, false), originals.get(Conv2D)),
    nativeKernel(FusedConv2D, forwardPlanner(addon, true), originals.get(FusedConv2D)),
    nativeKernel(Conv2DBackpropInput, backpropInputPlanner(addon), originals.get(Conv2DBackpropInput)),
    nativeKernel(Conv2DBackpropFilter, backpropFilterPlanner(addon), originals.get(Conv2DBackpropFilter)),
  ];
}
