import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { createDetector } from '@rcnn/models';
import { useBackend } from '@rcnn/test-utils';
import { registerTrainingKernels } from '@rcnn/train-kernels';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TrainingSample } from '../data/training-sample';
import { Sgd } from '../optim/sgd';
import { SeededRng } from '../random/seeded-rng';
import type { TrainableDetector } from '../trainable-detector';
import { train } from './train';

/** Bytes of the wasm backend's heap (it only grows; `HEAPU8` is replaced when it does). */
function wasmHeapBytes(): number {
  return (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.byteLength;
}

/** A 32x32 image with one square (label 1) or two (labels 1 and 2), seeded noise around them. */
function tinySample(index: number): TrainingSample {
  const size = 32;
  const rng = SeededRng.derive(7, index);
  const boxes = index === 0 ? [4, 6, 20, 24] : [2, 2, 14, 16, 16, 12, 30, 30];
  const labels = index === 0 ? [1] : [1, 2];
  const n = labels.length;
  const pixels = new Uint8Array(size * size * 3);
  const masks = new Uint8Array(n * size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let value = 100 + rng.int(40);
      for (let k = 0; k < n; k++) {
        const [x1, y1, x2, y2] = boxes.slice(4 * k, 4 * k + 4) as [number, number, number, number];
        if (x >= x1 && x < x2 && y >= y1 && y < y2) {
          value = labels[k] === 1 ? 230 : 20;
          masks[k * size * size + y * size + x] = 1;
        }
      }
      pixels.fill(value, (y * size + x) * 3, (y * size + x) * 3 + 3);
    }
  }
  return {
    imageId: index + 1,
    width: size,
    height: size,
    pixels,
    boxes: Float32Array.from(boxes),
    labels: Int32Array.from(labels),
    masks,
  };
}

beforeAll(async () => {
  registerTrainingKernels({ backends: ['wasm'] });
  await useBackend('wasm');
});

// The loop test's 1000 steps use a toy model; this runs the real Mask R-CNN (backbone with
// BatchNorm buffers updated each step, RPN and RoI sampling, mask targets, gradient clipping and
// SGD with momentum and weight decay) through train(), at the smallest widths and sizes.
// Measured: ~9 s of CPU for the 100 steps (one core); the timeout is for machines under load.
describe('train: 100 steps of a tiny Mask R-CNN on wasm', () => {
  it('keeps tensor count, tensor bytes and the wasm heap flat from step 10 to step 100', async () => {
    const before = tf.memory().numTensors;
    const model = createDetector('maskrcnn_resnet18_fpn', {
      numClasses: 3,
      normLayer: 'bn',
      backboneBaseChannels: 8,
      fpnOutChannels: 16,
      boxRepresentationSize: 16,
      maskHeadChannels: 8,
      rpnAnchorSizes: [8, 16, 32, 64, 128],
      minSize: 32,
      maxSize: 32,
      rpnPreNmsTopNTrain: 50,
      rpnPostNmsTopNTrain: 20,
      rpnBatchSizePerImage: 32,
      boxBatchSizePerImage: 16,
    });
    const samples = [tinySample(0), tinySample(1)];
    const optimizer = new Sgd({ momentum: 0.9, weightDecay: 1e-4 });
    const memory: { numTensors: number; numBytes: number; heap: number }[] = [];
    const withModel = tf.memory().numTensors;
    try {
      const result = await train({
        model: model as unknown as TrainableDetector,
        // Both pictures each step: BatchNorm in training needs 2+ values per channel, and layer4 is 1x1.
        data: { batch: async () => [samples[0]!, samples[1]!] },
        optimizer,
        schedule: { lr: 0.01, warmupIters: 5, warmupFactor: 0.1 },
        iterations: 100,
        clipGradNorm: 10,
        onProgress: (record) => {
          memory.push({ ...tf.memory(), heap: wasmHeapBytes() });
          // What the progress line and log.csv report: the live tensors after the step.
          expect(record.memory?.tensors).toBe(tf.memory().numTensors);
          expect(record.memory?.rssMegabytes).toBeGreaterThan(0);
        },
      });
      expect(result.stopped).toBe('completed');
      // After step 1 the optimizer holds one momentum buffer per trainable variable; nothing else stays.
      expect(memory[0]!.numTensors - withModel).toBe(model.trainableVariables().size);
      expect(memory[99]!.numTensors).toBe(memory[9]!.numTensors);
      expect(memory[99]!.numBytes).toBe(memory[9]!.numBytes);
      expect(memory[99]!.heap - memory[9]!.heap).toBeLessThanOrEqual(0);
    } finally {
      model.dispose();
      optimizer.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  }, 300_000);
});
