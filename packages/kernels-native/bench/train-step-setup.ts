/**
 * The training step the train-step bench and profile time: `rcnn train`'s default small Mask
 * R-CNN (half-width ResNet-18-FPN with GroupNorm, FPN 128, box head 512, mask head 128, anchors
 * 16..256, 1000 proposals, 128 RoIs per image, 7 classes) on a batch of 4 synthetic 256x300
 * images with 2-5 rectangles each (boxes, labels, masks), the same batch for a given seed.
 */
import { asBoxes, disposeGroundTruth, type GroundTruth, variableGradsAsync } from '@rcnn/core';
import { createDetector, type GeneralizedRcnn } from '@rcnn/models';
import * as tf from '@tensorflow/tfjs-core';

/** `--name value` from the command line, else `fallback`. */
export function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1]! : fallback;
}

export const IMAGE_HEIGHT = 256;
export const IMAGE_WIDTH = 300;
export const BATCH_SIZE = 4;

/** The detector `rcnn train` builds by default, with its fresh (torchvision init) weights. */
export function makeDetector(): GeneralizedRcnn {
  return createDetector('maskrcnn_resnet18_fpn', {
    numClasses: 7,
    normLayer: 'gn',
    backboneBaseChannels: 32,
    fpnOutChannels: 128,
    boxRepresentationSize: 512,
    maskHeadChannels: 128,
    rpnAnchorSizes: [16, 32, 64, 128, 256],
    rpnPreNmsTopNTrain: 1000,
    rpnPostNmsTopNTrain: 1000,
    boxBatchSizePerImage: 128,
    minSize: 256,
    maxSize: 480,
  }) as GeneralizedRcnn;
}

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Four images and their ground truth: noisy backgrounds with filled rectangles.
 * @returns caller owns (see {@link disposeBatch})
 */
export function syntheticBatch(seed: number): { images: tf.Tensor3D[]; targets: GroundTruth[] } {
  const next = random(seed * 7919 + 1);
  const images: tf.Tensor3D[] = [];
  const targets: GroundTruth[] = [];
  for (let i = 0; i < BATCH_SIZE; i++) {
    const pixels = new Float32Array(IMAGE_HEIGHT * IMAGE_WIDTH * 3);
    for (let p = 0; p < pixels.length; p++) pixels[p] = 0.3 * next();
    const count = 2 + Math.floor(next() * 4);
    const boxes: number[][] = [];
    const labels: number[] = [];
    const masks = new Float32Array(count * IMAGE_HEIGHT * IMAGE_WIDTH);
    for (let k = 0; k < count; k++) {
      const w = 24 + Math.floor(next() * 120);
      const h = 24 + Math.floor(next() * 120);
      const x0 = Math.floor(next() * (IMAGE_WIDTH - w));
      const y0 = Math.floor(next() * (IMAGE_HEIGHT - h));
      const color = [next(), next(), next()];
      for (let y = y0; y < y0 + h; y++) {
        for (let x = x0; x < x0 + w; x++) {
          for (let c = 0; c < 3; c++) pixels[(y * IMAGE_WIDTH + x) * 3 + c] = color[c]!;
          masks[(k * IMAGE_HEIGHT + y) * IMAGE_WIDTH + x] = 1;
        }
      }
      boxes.push([x0, y0, x0 + w, y0 + h]);
      labels.push(1 + Math.floor(next() * 6));
    }
    images.push(tf.tensor3d(pixels, [IMAGE_HEIGHT, IMAGE_WIDTH, 3]));
    targets.push({
      boxes: asBoxes(tf.tensor2d(boxes)),
      labels: tf.tensor1d(labels, 'int32'),
      masks: tf.tensor3d(masks, [count, IMAGE_HEIGHT, IMAGE_WIDTH]),
    });
  }
  return { images, targets };
}

/** Releases a {@link syntheticBatch}. */
export function disposeBatch(images: tf.Tensor3D[], targets: GroundTruth[]): void {
  tf.dispose(images);
  for (const target of targets) disposeGroundTruth(target);
}

/**
 * One training step as `@rcnn/train`'s loop takes it (loss, then the gradient of every variable,
 * each read back), without the optimizer update; everything it makes is disposed.
 * @returns the total loss
 */
export async function trainingStep(
  model: GeneralizedRcnn,
  variables: tf.Variable[],
  images: tf.Tensor3D[],
  targets: GroundTruth[],
): Promise<number> {
  const { value, grads } = await variableGradsAsync(async () => {
    const losses = await model.loss(images, targets);
    const total = tf.addN(Object.values(losses)) as tf.Scalar;
    tf.dispose(Object.values(losses));
    return total;
  }, variables);
  const loss = (await value.data())[0]!;
  for (const grad of grads) if (grad) await grad.data(); // every gradient computed and readable
  tf.dispose([value, ...grads.filter((g): g is tf.Tensor => g !== null)]);
  return loss;
}
