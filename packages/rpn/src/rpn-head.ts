import {
  ensure,
  type FeatureMaps,
  RcnnError,
  type StateDict,
  sizeOfShape,
  torchToTfjsLayout,
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

interface ConvWeights {
  readonly filter: tf.Variable<tf.Rank.R4>; // HWIO
  readonly bias: tf.Variable<tf.Rank.R1>;
}

/**
 * The RPN head (torchvision `models/detection/rpn.py::RPNHead`): per level, shared 3x3 conv + ReLU
 * (`convDepth` times), then a 1x1 conv to `A` objectness logits and a 1x1 conv to `4A` box deltas
 * (channel `4a + k` is delta k of anchor a, torchvision's order). Weights are trainable
 * `tf.Variable`s in HWIO layout, so `tf.variableGrads` reaches them. Call `dispose()` when done.
 */
export class RpnHead {
  readonly inChannels: number;
  readonly numAnchors: number;
  readonly convDepth: number;
  readonly #convs: ConvWeights[];
  readonly #objectness: ConvWeights;
  readonly #boxDeltas: ConvWeights;

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
    const conv = (size: number, outChannels: number): ConvWeights => {
      const seedOfLayer = nextSeed === undefined ? undefined : nextSeed++;
      const filter = tf.randomNormal([size, size, inChannels, outChannels], 0, 0.01, 'float32', seedOfLayer);
      const bias = tf.zeros([outChannels]);
      const weights = { filter: tf.variable(filter as tf.Tensor4D), bias: tf.variable(bias as tf.Tensor1D) };
      filter.dispose(); // the variable holds its own reference
      bias.dispose();
      return weights;
    };
    this.#convs = Array.from({ length: convDepth }, () => conv(3, inChannels));
    this.#objectness = conv(1, numAnchors);
    this.#boxDeltas = conv(1, numAnchors * 4);
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
        let hidden = level.tensor;
        for (const conv of this.#convs) {
          hidden = tf.fused.conv2d({
            x: hidden,
            filter: conv.filter,
            strides: 1,
            pad: 'same',
            bias: conv.bias,
            activation: 'relu',
          });
        }
        const project = (weights: ConvWeights) =>
          tf.fused.conv2d({
            x: hidden,
            filter: weights.filter,
            strides: 1,
            pad: 'valid',
            bias: weights.bias,
          });
        return [project(this.#objectness), project(this.#boxDeltas)];
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
    const c = this.inChannels;
    const entries: [string, number[]][] = [];
    for (let i = 0; i < this.convDepth; i++) {
      entries.push([`${prefix}conv.${i}.0.weight`, [c, c, 3, 3]], [`${prefix}conv.${i}.0.bias`, [c]]);
    }
    const a = this.numAnchors;
    entries.push(
      [`${prefix}cls_logits.weight`, [a, c, 1, 1]],
      [`${prefix}cls_logits.bias`, [a]],
      [`${prefix}bbox_pred.weight`, [4 * a, c, 1, 1]],
      [`${prefix}bbox_pred.bias`, [4 * a]],
    );
    return entries;
  }

  /**
   * Loads torchvision weights: every key under `prefix` must be consumed and every parameter found.
   * Accepts both namings: `conv.0.0.*` (torchvision >= 0.14, `conv_depth`) and `conv.*` (older
   * checkpoints, depth 1 only). Conv weights are transposed OIHW -> HWIO here, once.
   * Keys outside `prefix` are ignored, so a whole detector's state_dict can be passed.
   * @throws RcnnError `MISSING_KEYS` (lists missing and unexpected keys), `INVALID_WEIGHTS` (shape/dtype)
   */
  loadStateDict(stateDict: StateDict, prefix = 'rpn.head.'): void {
    const legacy = (name: string) => name.replace(/^conv\.0\.0\./, 'conv.');
    const wanted = this.stateDictShapes('');
    const found = new Map<string, string>(); // new-style local name -> key in stateDict
    const unexpected: string[] = [];
    for (const key of stateDict.keys()) {
      if (!key.startsWith(prefix)) continue;
      const local = key.slice(prefix.length);
      const match = wanted.find(
        ([name]) => name === local || (this.convDepth === 1 && legacy(name) === local),
      );
      if (!match || found.has(match[0])) unexpected.push(key);
      else found.set(match[0], key);
    }
    const missing = wanted.filter(([name]) => !found.has(name)).map(([name]) => prefix + name);
    if (missing.length > 0 || unexpected.length > 0) {
      throw new RcnnError(
        'MISSING_KEYS',
        `RpnHead.loadStateDict(prefix '${prefix}'): missing [${missing.join(', ')}], unexpected [${unexpected.join(', ')}]`,
      );
    }
    const values = wanted.map(([name, shape]) => {
      const key = found.get(name)!;
      const entry = stateDict.get(key)!;
      if (
        entry.dtype !== 'float32' ||
        entry.shape.join() !== shape.join() ||
        entry.data.length !== sizeOfShape(shape)
      ) {
        throw new RcnnError(
          'INVALID_WEIGHTS',
          `${key}: expected float32 [${shape.join(', ')}], got ${entry.dtype} [${entry.shape.join(', ')}]`,
        );
      }
      return shape.length === 4
        ? torchToTfjsLayout(entry.data as Float32Array, shape)
        : (entry.data as Float32Array);
    });
    this.trainableVariables().forEach((variable, i) => {
      tf.tidy(() => variable.assign(tf.tensor(values[i]!, variable.shape, 'float32')));
    });
  }

  /** Trainable weights, HWIO filters and biases, in state_dict order (for optimizers / `tf.variableGrads`). */
  trainableVariables(): tf.Variable[] {
    return [...this.#convs, this.#objectness, this.#boxDeltas].flatMap((w) => [w.filter, w.bias]);
  }

  /** Releases the weights. */
  dispose(): void {
    for (const variable of this.trainableVariables()) variable.dispose();
  }
}
