import { Conv2d, Module, ModuleList, RcnnError } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { upsampleNearest } from './upsample-nearest';

/** torchvision 0.13+ `Conv2dNormActivation` without norm or activation: one conv named `0`. */
class ConvBlock extends Module {
  constructor(readonly conv: Conv2d) {
    super();
    // torchvision < 0.13 saved the conv directly (`inner_blocks.0.weight`).
    this.addModule('0', conv, ['']);
  }
}

/** FPN conv init: kaiming_uniform_(a=1) (bound sqrt(3 / fan_in)), bias 0; or zeros (`zeroInit`). */
function fpnConv(inChannels: number, outChannels: number, kernelSize: number, zeroInit: boolean): Conv2d {
  const bound = Math.sqrt(3 / (inChannels * kernelSize * kernelSize));
  return new Conv2d({
    inChannels,
    outChannels,
    kernelSize,
    padding: (kernelSize - 1) / 2,
    weightInit: zeroInit ? { kind: 'zeros' } : { kind: 'uniform', bound },
    biasInit: { kind: 'zeros' },
  });
}

/**
 * torchvision's `ops/feature_pyramid_network.py::FeaturePyramidNetwork` with `norm_layer=None`:
 * 1x1 lateral convs (`inner_blocks.i.0`) to `outChannels`, a top-down path adding each coarser
 * merged map resized (nearest) to the lateral's size, 3x3 output convs (`layer_blocks.i.0`), and
 * optionally `LastLevelMaxPool` (max pool kernel 1, stride 2 of the coarsest output).
 */
export class FeaturePyramidNetwork extends Module {
  /** 1x1 convs, one per input level, finest first. */
  readonly innerBlocks: readonly Conv2d[];
  /** 3x3 convs, one per input level, finest first. */
  readonly layerBlocks: readonly Conv2d[];

  /**
   * @param inChannels channels of each input level, finest first
   * @param zeroInit zeros instead of torchvision's random init (weights about to be loaded)
   */
  constructor(
    inChannels: readonly number[],
    readonly outChannels: number,
    readonly extraBlocks: 'maxpool' | 'none',
    zeroInit = false,
  ) {
    super();
    if (inChannels.length === 0) throw new RcnnError('INVALID_ARGUMENT', 'FPN needs at least one level');
    this.innerBlocks = inChannels.map((channels) => fpnConv(channels, outChannels, 1, zeroInit));
    this.layerBlocks = inChannels.map(() => fpnConv(outChannels, outChannels, 3, zeroInit));
    this.addModule('inner_blocks', new ModuleList(this.innerBlocks.map((conv) => new ConvBlock(conv))));
    this.addModule('layer_blocks', new ModuleList(this.layerBlocks.map((conv) => new ConvBlock(conv))));
  }

  /** Output levels: one per input, plus one when extraBlocks is `'maxpool'`. */
  get outputCount(): number {
    return this.innerBlocks.length + (this.extraBlocks === 'maxpool' ? 1 : 0);
  }

  /**
   * @param features `[B, H_i, W_i, C_i]` per level, finest first (C2..C5); not disposed.
   * @returns `[B, H_i, W_i, outChannels]` per level finest first, then the pooled level
   *   `[B, ceil(H/2), ceil(W/2), outChannels]` of the coarsest; caller owns.
   */
  forward(features: readonly tf.Tensor4D[]): tf.Tensor4D[] {
    if (features.length !== this.innerBlocks.length) {
      throw new RcnnError(
        'INVALID_ARGUMENT',
        `FPN was built for ${this.innerBlocks.length} levels, got ${features.length} feature maps`,
      );
    }
    features.forEach((feature, i) => {
      const expected = this.innerBlocks[i]!.inChannels;
      if (feature.rank !== 4 || feature.shape[3] !== expected) {
        throw new RcnnError(
          'INVALID_SHAPE',
          `FPN level ${i} expects [B, H, W, ${expected}], got [${feature.shape.join(', ')}]`,
        );
      }
    });
    return tf.tidy(() => {
      const last = features.length - 1;
      let merged = this.innerBlocks[last]!.forward(features[last]!);
      const results: tf.Tensor4D[] = [this.layerBlocks[last]!.forward(merged)];
      for (let i = last - 1; i >= 0; i--) {
        const next = tf.tidy(() => {
          const lateral = this.innerBlocks[i]!.forward(features[i]!);
          const [, height, width] = lateral.shape;
          return tf.add(lateral, upsampleNearest(merged, [height, width])) as tf.Tensor4D;
        });
        merged.dispose();
        merged = next;
        results.unshift(this.layerBlocks[i]!.forward(merged));
      }
      if (this.extraBlocks === 'maxpool') results.push(tf.maxPool(results[results.length - 1]!, 1, 2, 0));
      return results;
    });
  }
}
