import type * as tf from '@tensorflow/tfjs-core';
import { RcnnError } from '../errors/rcnn-error';
import {
  type ConvActivation,
  type ConvGeometry,
  filterGrouping,
  type PreparedFilter,
  prepareFilter,
  runConv2d,
} from './conv2d-op';
import { DerivedTensors } from './derived-tensors';
import { Module } from './module';
import type { Initializer, Parameter } from './parameter';

/** Options of {@link Conv2d} (torch `nn.Conv2d` arguments). */
export interface Conv2dOptions {
  readonly inChannels: number;
  readonly outChannels: number;
  /** Square kernel side. */
  readonly kernelSize: number;
  readonly stride?: number;
  /** Zero padding on every side (explicit, so stride 2 pads as torch, not as TF's 'same'). Default 0. */
  readonly padding?: number;
  readonly dilation?: number;
  readonly groups?: number;
  /** Whether it has a `bias` entry. Default true (torch); ResNet convs have none. */
  readonly bias?: boolean;
  /** Default torch's: uniform ±1/sqrt(fan_in) (kaiming_uniform with a = sqrt(5)). */
  readonly weightInit?: Initializer;
  /** Default torch's: uniform ±1/sqrt(fan_in). */
  readonly biasInit?: Initializer;
  /** Older local names of `weight` / `bias` accepted on load (e.g. a module renamed by torchvision). */
  readonly weightAliases?: readonly string[];
  readonly biasAliases?: readonly string[];
}

/**
 * torch `nn.Conv2d` in NHWC: `weight` `[O, I/groups, k, k]` held HWIO `[k, k, I/groups, O]`,
 * optional `bias` `[O]`. Grouped convs (tfjs has no `groups`) run as depthwise-plus-sum or per
 * group; their execution filter is derived once per weight value for inference.
 */
export class Conv2d extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | undefined;
  readonly geometry: ConvGeometry;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;
  readonly #prepared = new DerivedTensors<tf.Tensor4D[]>();

  constructor(options: Conv2dOptions) {
    super();
    const { inChannels, outChannels, kernelSize, groups = 1 } = options;
    const positive = [inChannels, outChannels, kernelSize, groups].every((n) => Number.isInteger(n) && n > 0);
    if (!positive || inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new RcnnError(
        'INVALID_ARGUMENT',
        `Conv2d: channels ${inChannels} -> ${outChannels}, kernel ${kernelSize}, groups ${groups} must be positive integers with channels divisible by groups`,
      );
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = kernelSize;
    this.geometry = {
      stride: options.stride ?? 1,
      padding: options.padding ?? 0,
      dilation: options.dilation ?? 1,
      groups,
    };
    const fanIn = (inChannels / groups) * kernelSize * kernelSize;
    const bound = 1 / Math.sqrt(fanIn);
    this.weight = this.addParameter({
      name: 'weight',
      torchShape: [outChannels, inChannels / groups, kernelSize, kernelSize],
      aliases: options.weightAliases ?? [],
      init: options.weightInit ?? { kind: 'uniform', bound },
    });
    this.bias =
      (options.bias ?? true)
        ? this.addParameter({
            name: 'bias',
            torchShape: [outChannels],
            aliases: options.biasAliases ?? [],
            init: options.biasInit ?? { kind: 'uniform', bound },
          })
        : undefined;
  }

  /**
   * @param x `[B, H, W, inChannels]` float32; not disposed
   * @returns `[B, H', W', outChannels]`; caller owns
   */
  forward(x: tf.Tensor4D, activation: ConvActivation = 'linear'): tf.Tensor4D {
    return this.convolve(
      x,
      this.weight.variable as tf.Tensor4D,
      this.bias?.variable as tf.Tensor1D,
      activation,
    );
  }

  /**
   * This conv's geometry with another filter and bias (a folded norm's): `filter` HWIO like `weight`.
   * @param cache derive the execution layout once per filter value (inference only)
   */
  convolve(
    x: tf.Tensor4D,
    filter: tf.Tensor4D,
    bias: tf.Tensor1D | undefined,
    activation: ConvActivation,
    cache = true,
  ): tf.Tensor4D {
    const { groups } = this.geometry;
    const prepared: PreparedFilter =
      groups === 1 || !cache
        ? prepareFilter(filter, groups)
        : {
            grouping: filterGrouping(filter.shape[3], groups),
            filters: this.#prepared.get([filter], () => prepareFilter(filter, groups).filters),
          };
    return runConv2d(x, prepared, bias, this.geometry, activation);
  }

  /** Multiply-adds x 2 of one application producing an `outHeight x outWidth` map per image. */
  flops(outHeight: number, outWidth: number): number {
    const perOutput = (this.inChannels / this.geometry.groups) * this.kernelSize * this.kernelSize;
    return 2 * outHeight * outWidth * this.outChannels * perOutput;
  }

  override dispose(): void {
    this.#prepared.dispose();
    super.dispose();
  }
}
