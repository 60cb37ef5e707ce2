import { Conv2d, type ModuleDictEntry } from '@rcnn/core';
import type * as tf from '@tensorflow/tfjs-core';
import { seeded } from './seeded';

/** Options of {@link createConvStack}. */
export interface ConvStackOptions {
  readonly inChannels: number;
  readonly layers: readonly number[];
  /** torchvision name of conv i (e.g. `${i}.0`), and its older names. */
  readonly nameOf: (index: number) => string;
  readonly aliasesOf?: (index: number) => string[];
  readonly dilation?: number;
  readonly seed?: number;
}

/**
 * The 3x3 conv + ReLU stacks of the mask and keypoint heads (padding = dilation keeps the
 * size) as core `Conv2d`s under their torchvision names, initialised as torchvision does:
 * Kaiming normal (fan_out, ReLU gain), zero bias; conv i's weight seeded `seed + 2i`.
 */
export function createConvStack({
  inChannels,
  layers,
  nameOf,
  aliasesOf,
  dilation = 1,
  seed,
}: ConvStackOptions): ModuleDictEntry<Conv2d>[] {
  let channels = inChannels;
  return layers.map((outChannels, index) => {
    const conv = new Conv2d({
      inChannels: channels,
      outChannels,
      kernelSize: 3,
      padding: dilation,
      dilation,
      weightInit: seeded(
        { kind: 'normal', std: Math.sqrt(2 / (outChannels * 9)) },
        seed === undefined ? undefined : seed + 2 * index,
      ),
      biasInit: { kind: 'zeros' },
    });
    channels = outChannels;
    return [nameOf(index), conv, aliasesOf?.(index) ?? []];
  });
}

/** Runs every conv with ReLU. Call inside `tf.tidy`. */
export function applyConvStack(convs: readonly Conv2d[], x: tf.Tensor4D): tf.Tensor4D {
  return convs.reduce((hidden, conv) => conv.forward(hidden, 'relu'), x);
}
