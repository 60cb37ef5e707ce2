import { ConvNorm, Module, ModuleList } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { ResidualBlock, type ResnetLayers } from './residual-block';
import { hasDownsample, type ResnetArchitecture } from './resnet-architecture';

/**
 * The ResNet trunk torchvision's `IntermediateLayerGetter` keeps (`body.*`): stem (`conv1` 7x7/2,
 * `bn1`, ReLU, 3x3/2 max pool) and `layer1..layerN` of residual blocks.
 * Matches `torchvision/models/resnet.py::ResNet` up to the last returned layer.
 */
export class ResnetBody extends Module {
  readonly stem: ConvNorm;
  /** `layers[k - 1]` is torchvision's `layerK`. */
  readonly layers: readonly (readonly ResidualBlock[])[];

  /**
   * @param layerCount how many layers to build (the last returned layer; torchvision drops the rest)
   * @param layers builds each norm (FrozenBatchNorm2d, BatchNorm2d, GroupNorm) and conv
   */
  constructor(architecture: ResnetArchitecture, layerCount: number, layers: ResnetLayers) {
    super();
    const conv1 = this.addModule(
      'conv1',
      layers.conv(3, architecture.stemChannels, 7, { stride: 2, padding: 3 }),
    );
    this.stem = new ConvNorm(conv1, this.addModule('bn1', layers.norm(architecture.stemChannels)));
    this.layers = architecture.layers.slice(0, layerCount).map((layer) => {
      const blocks = Array.from(
        { length: layer.blocks },
        (_, b) =>
          new ResidualBlock(
            {
              kind: architecture.block,
              inChannels: b === 0 ? layer.inChannels : layer.outChannels,
              width: layer.width,
              outChannels: layer.outChannels,
              stride: b === 0 ? layer.stride : 1,
              groups: architecture.groups,
              downsample: hasDownsample(layer, b),
            },
            layers,
          ),
      );
      this.addModule(`layer${layer.index}`, new ModuleList(blocks));
      return blocks;
    });
  }

  /** `[B, H, W, 3]` to C1 pooled: `[B, ceil(H/4), ceil(W/4), stemChannels]` for even sizes; caller owns. */
  applyStem(images: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const x = this.stem.forward(images, 'relu');
      // torch MaxPool2d(3, 2, padding=1) pads with -inf; tfjs max pooling skips padded cells the
      // same way (and after ReLU every window holds a real value >= 0, so even zeros would agree).
      return tf.maxPool(x, 3, 2, 1);
    });
  }

  /** Runs `layerK` (K = 1..layers.length). @param x not disposed. @returns caller owns. */
  applyLayer(index: number, x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let y = x;
      for (const block of this.layers[index - 1]!) {
        const next = block.forward(y);
        if (y !== x) y.dispose(); // free activations block by block, not at the end of the tidy
        y = next;
      }
      return y;
    });
  }

  /**
   * @param images `[B, H, W, 3]` float32; not disposed.
   * @param returnedLayers ascending layer indices (1..layers.length) whose outputs to return
   * @returns C(K+1) for each returned K, finest first; caller owns.
   */
  forward(images: tf.Tensor4D, returnedLayers: readonly number[]): tf.Tensor4D[] {
    return tf.tidy(() => {
      const outputs: tf.Tensor4D[] = [];
      let x = this.applyStem(images);
      for (let k = 1; k <= this.layers.length; k++) {
        const next = this.applyLayer(k, x);
        if (!outputs.includes(x)) x.dispose();
        x = next;
        if (returnedLayers.includes(k)) outputs.push(x);
      }
      return outputs;
    });
  }

  override dispose(): void {
    this.stem.dispose();
    super.dispose();
  }
}
