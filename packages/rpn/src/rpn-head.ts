import {
  Conv2d,
  ensure,
  type FeatureMaps,
  type LoadStateDictOptions,
  type LoadStateDictReport,
  loadModuleStateDict,
  ModuleDict,
  type ModuleWeightSlot,
  moduleWeightSlot,
  type StateDict,
} from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';

/** Options of {@link RpnHead}. */
export interface RpnHeadOptions {
  /** Channels of every feature level (256 for FPN). */
  readonly inChannels?: number;
  /** Anchors per location `A` (3 for one size x three ratios). */
  readonly numAnchors?: number;
  /** Shared 3x3 conv + ReLU layers (torchvision `conv_depth`, default 1). */
  readonly convDepth?: number;
  /** Seed of the initial weights (normal, std 0.01, zero bias, as torchvision); replace with {@link RpnHead.loadStateDict}. */
  readonly seed?: number;
}

/** Per-level head outputs, NHWC: `objectness[l]` `[B, H, W, A]` logits, `boxDeltas[l]` `[B, H, W, 4A]`. */
export interface RpnHeadLevelOutputs {
  readonly objectness: tf.Tensor4D[];
  readonly boxDeltas: tf.Tensor4D[];
}

/**
 * The RPN head (torchvision `models/detection/rpn.py::RPNHead`): per level, shared 3x3 conv + ReLU
 * (`convDepth` times), then a 1x1 conv to `A` objectness logits and a 1x1 conv to `4A` box deltas
 * (channel `4a + k` is delta k of anchor a, torchvision's order). The layers are `@rcnn/core` nn
 * modules ({@link RpnHead.layers}) under torchvision's names, trainable `tf.Variable`s in HWIO
 * layout, so `tf.variableGrads` reaches them. Call `dispose()` when done.
 */
export class RpnHead {
  readonly inChannels: number;
  readonly numAnchors: number;
  readonly convDepth: number;
  /**
   * The head's layers under torchvision >= 0.14 names (`conv.{i}.0`, `cls_logits`, `bbox_pred`);
   * with one conv layer, the older `conv.*` is accepted on load too.
   */
  readonly layers: ModuleDict;
  readonly #convs: Conv2d[];
  readonly #objectness: Conv2d;
  readonly #boxDeltas: Conv2d;

  constructor({ inChannels = 256, numAnchors = 3, convDepth = 1, seed }: RpnHeadOptions = {}) {
    for (const [name, value] of Object.entries({ inChannels, numAnchors, convDepth })) {
      ensure(
        Number.isInteger(value) && value > 0,
        'INVALID_ARGUMENT',
        () => `RpnHead ${name} must be a positive integer, got ${value}`,
      );
    }
    this.inChannels = inChannels;
    this.numAnchors = numAnchors;
    this.convDepth = convDepth;
    let nextSeed = seed;
    // torchvision: normal(std 0.01) weights, zero biases; one seed per layer, in order.
    const conv = (kernelSize: number, outChannels: number) =>
      new Conv2d({
        inChannels,
        outChannels,
        kernelSize,
        padding: (kernelSize - 1) / 2,
        weightInit:
          nextSeed === undefined
            ? { kind: 'normal', std: 0.01 }
            : { kind: 'normal', std: 0.01, seed: nextSeed++ },
        biasInit: { kind: 'zeros' },
      });
    this.#convs = Array.from({ length: convDepth }, () => conv(3, inChannels));
    this.#objectness = conv(1, numAnchors);
    this.#boxDeltas = conv(1, numAnchors * 4);
    this.layers = new ModuleDict([
      ...this.#convs.map((layer, i) => [`conv.${i}.0`, layer, convDepth === 1 ? ['conv'] : []] as const),
      ['cls_logits', this.#objectness],
      ['bbox_pred', this.#boxDeltas],
    ]);
  }

  /**
   * Runs the head on every level (synchronous; differentiable).
   * @param features levels `[B, H_l, W_l, inChannels]` float32 NHWC; not disposed
   * @returns per-level outputs in level order; caller owns.
   */
  forward(features: FeatureMaps): RpnHeadLevelOutputs {
    ensure(features.length > 0, 'INVALID_ARGUMENT', () => 'RpnHead.forward needs at least one feature level');
    for (const level of features) {
      ensure(
        level.tensor.rank === 4 && level.tensor.shape[3] === this.inChannels,
        'INVALID_SHAPE',
        () =>
          `RpnHead expects [B, H, W, ${this.inChannels}] features; level ${level.name} is [${level.tensor.shape.join(', ')}]`,
      );
    }
    const objectness: tf.Tensor4D[] = [];
    const boxDeltas: tf.Tensor4D[] = [];
    for (const level of features) {
      const [scores, deltas] = tf.tidy(() => {
        const hidden = this.#convs.reduce((x, conv) => conv.forward(x, 'relu'), level.tensor);
        return [this.#objectness.forward(hidden), this.#boxDeltas.forward(hidden)];
      });
      objectness.push(scores);
      boxDeltas.push(deltas);
    }
    return { objectness, boxDeltas };
  }

  /**
   * The state_dict entries this head reads, in torchvision >= 0.14 naming (`conv.{i}.0.*`), with torch shapes.
   * Feed to core's `deterministicStateDict` for test weights.
   */
  stateDictShapes(prefix = 'rpn.head.'): [name: string, torchShape: number[]][] {
    return this.layers.stateDictShapes(prefix);
  }

  /**
   * Loads torchvision weights. Accepts both namings: `conv.0.0.*` (torchvision >= 0.14,
   * `conv_depth`) and `conv.*` (older checkpoints, depth 1 only). Conv weights are transposed
   * OIHW -> HWIO once. Keys outside `prefix` are ignored, so a whole detector's state_dict can be
   * passed. Nothing is assigned unless the load succeeds.
   * @throws RcnnError `INVALID_WEIGHTS` (shape/dtype); `MISSING_KEYS` (lists missing and
   *   unexpected keys) unless `strict` is false
   */
  loadStateDict(
    stateDict: StateDict,
    prefix = 'rpn.head.',
    options: LoadStateDictOptions = {},
  ): LoadStateDictReport {
    return loadModuleStateDict(this.layers, stateDict, prefix, options, {
      owner: 'RpnHead',
      misShaped: (bad) =>
        `${bad.key}: expected float32 [${bad.expected.join(', ')}], got ${bad.dtype} [${bad.shape.join(', ')}]`,
    });
  }

  /** Trainable weights, HWIO filters and biases, in state_dict order (for optimizers / `tf.variableGrads`). */
  trainableVariables(): tf.Variable[] {
    return this.layers.trainableVariables().map(([, variable]) => variable);
  }

  /** The head's weights as a detector's state_dict sees them (`@rcnn/models`' weight slot), under `prefix`. */
  weightSlots(prefix = 'rpn.head.'): ModuleWeightSlot[] {
    return [moduleWeightSlot(this.layers, prefix)];
  }

  /** Releases the weights. */
  dispose(): void {
    this.layers.dispose();
  }
}
