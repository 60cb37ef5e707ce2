/**
 * Training by hand: a small Mask R-CNN (ResNet-18-FPN, GroupNorm) learns the two objects of one
 * picture with nothing but the library's parts: `GeneralizedRcnn.loss` (torchvision's losses in
 * one forward pass), core's `variableGradsAsync` (gradients of that asynchronous loss) and plain
 * SGD written in tfjs ops. `@rcnn/train` wraps this step in a full loop (datasets, augmentation,
 * schedules, checkpoints, Node); the step alone also runs in a browser, on wasm or webgpu.
 *
 * Run: `cd apps/examples && npx vite-node src/training-step-by-hand.ts`
 */
// tfjs's gradients, in a form plain Node loads (under a bundler:
// '@tensorflow/tfjs-core/dist/register_all_gradients' does the same).
import '@rcnn/train-kernels/register-gradients';
import { asBoxes, type GroundTruth, variableGradsAsync } from '@rcnn/core';
import { maskRcnnResnetFpn } from '@rcnn/models';
import { registerTrainingKernels } from '@rcnn/train-kernels';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { demoImage, runsAsProgram } from './demo-image';

/** The demo picture's two objects, `[x1, y1, x2, y2]` in its pixels (60 x 80), and their classes. */
export const OBJECTS: { box: [number, number, number, number]; label: number }[] = [
  { box: [6, 8, 40, 50], label: 1 },
  { box: [44, 12, 76, 40], label: 2 },
];

/** An ellipse inscribed in each box, `[N, H, W]` 0/1. Caller owns. */
function ellipseMasks(height: number, width: number): tf.Tensor3D {
  const values = new Float32Array(OBJECTS.length * height * width);
  OBJECTS.forEach(({ box: [x1, y1, x2, y2] }, n) => {
    const [cx, cy, rx, ry] = [(x1 + x2) / 2, (y1 + y2) / 2, (x2 - x1) / 2, (y2 - y1) / 2];
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (((x + 0.5 - cx) / rx) ** 2 + ((y + 0.5 - cy) / ry) ** 2 <= 1)
          values[(n * height + y) * width + x] = 1;
      }
    }
  });
  return tf.tensor3d(values, [OBJECTS.length, height, width]);
}

/** Runs `steps` SGD steps and returns the total loss before each. */
export async function trainingStepByHand(steps = 10, learningRate = 0.02): Promise<number[]> {
  const model = maskRcnnResnetFpn({
    depth: 18,
    numClasses: 3,
    normLayer: 'gn', // GroupNorm trains on batches of one picture
    backboneBaseChannels: 32, // a half-width ResNet-18 (GroupNorm's 32 groups need 32 channels)
    fpnOutChannels: 64,
    boxRepresentationSize: 128,
    maskHeadChannels: 64,
    minSize: 64,
    maxSize: 96,
    rpnBatchSizePerImage: 64,
    boxBatchSizePerImage: 32,
  });
  model.resetParameters(1); // torchvision's initialisation, seeded
  const image = demoImage();
  const target: GroundTruth = {
    boxes: asBoxes(
      tf.tensor2d(
        OBJECTS.flatMap((o) => o.box),
        [OBJECTS.length, 4],
      ),
    ),
    labels: tf.tensor1d(
      OBJECTS.map((o) => o.label),
      'int32',
    ),
    masks: ellipseMasks(image.shape[0], image.shape[1]),
  };
  const variables = [...model.trainableVariables().values()];
  const totals: number[] = [];
  try {
    for (let step = 0; step < steps; step++) {
      const { value, grads } = await variableGradsAsync(async () => {
        const losses = await model.loss([image], [target]); // rpn/objectness, mask/bce, ...
        const total = tf.addN(Object.values(losses)) as tf.Scalar;
        tf.dispose(Object.values(losses));
        return total;
      }, variables);
      totals.push((await value.data())[0]!);
      tf.tidy(() => {
        variables.forEach((variable, i) => {
          const grad = grads[i];
          if (grad) variable.assign(tf.sub(variable, tf.mul(grad, learningRate)));
        });
      });
      tf.dispose([value, ...grads.filter((grad) => grad !== null)]);
    }
    return totals;
  } finally {
    tf.dispose([image, target.boxes, target.labels, target.masks!]);
    model.dispose();
  }
}

if (runsAsProgram()) {
  registerTrainingKernels(); // the gradient kernels tfjs-wasm lacks or gets wrong
  await tf.setBackend('wasm');
  const totals = await trainingStepByHand();
  for (const [step, total] of totals.entries()) console.log(`step ${step}: loss ${total.toFixed(4)}`);
}
