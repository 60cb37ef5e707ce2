import * as tf from '@tensorflow/tfjs-core';
import type { CheckedWeights } from './checked-weights';
import type { ConvLayer } from './conv-layer';
import { loadFoldedConv, ResidualBlock } from './residual-block';
import { hasDownsample, type ResnetArchitecture } from './resnet-architecture';

/**
 * The ResNet trunk torchvision's `IntermediateLayerGetter` keeps (`body.*`): stem
 * (7x7/2 conv + folded norm + ReLU, 3x3/2 max pool) and `layer1..layerN`, norms folded.
 * Matches `torchvision/models/resnet.py::ResNet` up to the last returned layer.
 */
export class ResnetBody {
  constructor(
    readonly stem: ConvLayer,
    /** `layers[k - 1]` is torchvision's `layerK`. */
    readonly layers: readonly (readonly ResidualBlock[])[],
  ) {}

  /**
   * @param weights checked entries (names without prefix) for `architecture` up to `layerCount`
   * @param layerCount how many layers to build (the last returned layer; torchvision drops the rest)
   */
  static load(
    weights: CheckedWeights,
    architecture: ResnetArchitecture,
    layerCount: number,
    epsilon: number,
  ): ResnetBody {
    const stem = loadFoldedConv(weights, 'body.conv1', 'body.bn1', { stride: 2, padding: 3 }, epsilon);
    const layers: ResidualBlock[][] = [];
    try {
      for (const layer of architecture.layers.slice(0, layerCount)) {
        const blocks: ResidualBlock[] = [];
        layers.push(blocks);
        for (let b = 0; b < layer.blocks; b++) {
          blocks.push(
            ResidualBlock.load(weights, `body.layer${layer.index}.${b}`, architecture.block, {
              stride: b === 0 ? layer.stride : 1,
              groups: architecture.groups,
              downsample: hasDownsample(layer, b),
              epsilon,
            }),
          );
        }
      }
    } catch (error) {
      stem.dispose();
      for (const block of layers.flat()) block.dispose();
      throw error;
    }
    return new ResnetBody(stem, layers);
  }

  /** `[B, H, W, 3]` to C1 pooled: `[B, ceil(H/4), ceil(W/4), 64]` for even sizes; caller owns. */
  applyStem(images: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const x = this.stem.apply(images, 'relu');
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
        const next = block.apply(y);
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

  dispose(): void {
    this.stem.dispose();
    for (const block of this.layers.flat()) block.dispose();
  }
}
