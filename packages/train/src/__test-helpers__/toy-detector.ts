import { asBoxes, type GroundTruth, type StateDict, tfjsToTorchLayout, torchToTfjsLayout } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import type { TrainableDetector } from '../trainable-detector';

const TORCH_SHAPES: Record<string, number[]> = {
  'backbone.conv.weight': [4, 3, 3, 3],
  'backbone.conv.bias': [4],
  'roi_heads.box_predictor.cls_score.weight': [3, 4],
  'roi_heads.box_predictor.cls_score.bias': [3],
  'roi_heads.box_predictor.bbox_pred.weight': [4, 4],
  'roi_heads.box_predictor.bbox_pred.bias': [4],
};

/**
 * A tiny detector-shaped model for loop tests: conv + ReLU, global mean pool, a class and a box
 * linear layer; classification (softmax cross-entropy on each image's first label) and box L1
 * (on its first box, relative to the image size) losses. Synchronous inside, so `tf.variableGrads` works.
 */
export class ToyDetector implements TrainableDetector {
  private readonly variables = new Map<string, tf.Variable>();
  /** A non-trainable buffer, saved and loaded like torchvision's running statistics. */
  private readonly buffer = new Float32Array([0.5, -0.25, 1, 2]);

  constructor(seed = 1) {
    let state = seed;
    const next = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648 - 0.5;
    };
    for (const [name, shape] of Object.entries(TORCH_SHAPES)) {
      const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => next());
      const tfjs = torchToTfjsLayout(data, shape);
      const tfjsShape =
        shape.length === 4
          ? [shape[2], shape[3], shape[1], shape[0]]
          : shape.length === 2
            ? [shape[1], shape[0]]
            : shape;
      this.variables.set(name, tf.variable(tf.tensor(tfjs, tfjsShape), true));
    }
  }

  lossSync(images: readonly tf.Tensor3D[], targets: readonly GroundTruth[]): Record<string, tf.Scalar> {
    const v = (name: string) => this.variables.get(name) as tf.Variable;
    return tf.tidy(() => {
      const ce: tf.Scalar[] = [];
      const l1: tf.Scalar[] = [];
      images.forEach((image, i) => {
        const [h, w] = image.shape;
        const x = image.dtype === 'int32' ? tf.div(tf.cast(image, 'float32'), 255) : image;
        const small = tf.expandDims(tf.image.resizeBilinear(x as tf.Tensor3D, [8, 8]), 0) as tf.Tensor4D;
        const conv = tf.relu(
          tf.add(
            tf.conv2d(small, v('backbone.conv.weight') as tf.Tensor4D, 1, 'same'),
            v('backbone.conv.bias'),
          ),
        );
        const feature = tf.mean(conv, [1, 2]) as tf.Tensor2D;
        const logits = tf.add(
          tf.matMul(feature, v('roi_heads.box_predictor.cls_score.weight') as tf.Tensor2D),
          v('roi_heads.box_predictor.cls_score.bias'),
        );
        const boxes = tf.add(
          tf.matMul(feature, v('roi_heads.box_predictor.bbox_pred.weight') as tf.Tensor2D),
          v('roi_heads.box_predictor.bbox_pred.bias'),
        );
        const label =
          targets[i].labels.shape[0] > 0 ? tf.slice(targets[i].labels, 0, 1) : tf.zeros([1], 'int32');
        ce.push(
          tf.neg(
            tf.sum(tf.mul(tf.cast(tf.oneHot(tf.cast(label, 'int32'), 3), 'float32'), tf.logSoftmax(logits))),
          ) as tf.Scalar,
        );
        if (targets[i].boxes.shape[0] > 0) {
          const box = tf.div(tf.slice(targets[i].boxes, [0, 0], [1, 4]), tf.tensor1d([w, h, w, h]));
          l1.push(tf.mean(tf.abs(tf.sub(boxes, box))) as tf.Scalar);
        }
      });
      return {
        'roiHeads/classification': tf.div(tf.addN(ce), ce.length) as tf.Scalar,
        'roiHeads/boxRegression': (l1.length > 0
          ? tf.div(tf.addN(l1), l1.length)
          : tf.scalar(0)) as tf.Scalar,
      };
    });
  }

  /** The `minSize` of every loss call, in order. */
  readonly minSizes: (number | undefined)[] = [];

  async loss(
    images: readonly tf.Tensor3D[],
    targets: readonly GroundTruth[],
    options?: { minSize?: number },
  ): Promise<Record<string, tf.Scalar>> {
    this.minSizes.push(options?.minSize);
    return this.lossSync(images, targets);
  }

  trainableVariables(): ReadonlyMap<string, tf.Variable> {
    return this.variables;
  }

  async saveStateDict(): Promise<StateDict> {
    const out: StateDict = new Map();
    for (const [name, variable] of this.variables) {
      const shape = TORCH_SHAPES[name];
      out.set(name, {
        dtype: 'float32',
        shape,
        data: tfjsToTorchLayout((await variable.data()) as Float32Array, shape),
      });
    }
    out.set('backbone.bn.running_mean', { dtype: 'float32', shape: [4], data: this.buffer.slice() });
    return out;
  }

  loadStateDict(stateDict: StateDict): void {
    for (const [name, variable] of this.variables) {
      const entry = stateDict.get(name);
      if (!entry) throw new Error(`missing ${name}`);
      const value = tf.tensor(
        torchToTfjsLayout(entry.data as Float32Array, TORCH_SHAPES[name]),
        variable.shape,
      );
      variable.assign(value);
      value.dispose();
    }
    const buffer = stateDict.get('backbone.bn.running_mean');
    if (buffer) this.buffer.set(buffer.data as Float32Array);
  }

  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
  }
}

/** A ground truth from plain arrays (test convenience); caller owns. */
export function groundTruth(boxes: number[][], labels: number[]): GroundTruth {
  return {
    boxes: asBoxes(tf.tensor2d(boxes.flat(), [boxes.length, 4])),
    labels: tf.tensor1d(labels, 'int32'),
  };
}
