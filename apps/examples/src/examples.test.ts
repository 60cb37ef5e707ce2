import { describeEachBackend } from '@rcnn/test-utils';
import { registerTrainingKernels, unregisterTrainingKernels } from '@rcnn/train-kernels';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { EXTERNAL_PROPOSALS, fastRcnnExternalProposals } from './fast-rcnn-external-proposals';
import { fasterRcnnByHand } from './faster-rcnn-by-hand';
import { maskRcnnWithKeypointHead } from './mask-rcnn-with-keypoint-head';
import { trainingStepByHand } from './training-step-by-hand';

const WIDTH = 80;
const HEIGHT = 60;

function expectInImage(box: readonly number[]): void {
  const [x1, y1, x2, y2] = box as [number, number, number, number];
  expect(x1 >= 0 && y1 >= 0 && x2 <= WIDTH + 1e-3 && y2 <= HEIGHT + 1e-3 && x2 > x1 && y2 > y1).toBe(true);
}

/** Runs an example and checks it released every tensor it made. */
async function withoutLeaks<T>(run: () => Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await run();
  expect(tf.memory().numTensors, 'tensors left behind').toBe(before);
  return result;
}

// wasm is the Node backend the examples use; tfjs-backend-cpu runs their keypoint head ~20x slower.
describeEachBackend('examples', () => {
  it('faster-rcnn-by-hand: a detector composed from the packages detects in original pixels', async () => {
    const instances = await withoutLeaks(fasterRcnnByHand);
    expect(instances).toHaveLength(5);
    for (const [i, { box, score, label }] of instances.entries()) {
      expectInImage(box);
      expect(label >= 1 && label <= 3).toBe(true);
      expect(score).toBeGreaterThan(0.05);
      if (i > 0) expect(score).toBeLessThanOrEqual(instances[i - 1]!.score);
    }
  });

  it('mask-rcnn-with-keypoint-head: the keypoint branch replaces the mask branch', async () => {
    const { instances, report } = await withoutLeaks(maskRcnnWithKeypointHead);
    expect(report.missing).toHaveLength(10);
    expect(report.missing.every((name) => name.startsWith('roi_heads.keypoint_'))).toBe(true);
    expect(report.unexpected).toHaveLength(12);
    expect(report.unexpected.every((name) => name.startsWith('roi_heads.mask_'))).toBe(true);
    expect(instances.length).toBeGreaterThan(0);
    for (const { box, keypoints, mask } of instances) {
      expectInImage(box);
      expect(mask).toBeUndefined();
      expect(keypoints).toHaveLength(17);
      // heatmaps_to_keypoints places keypoints inside their box
      for (const [x, y] of keypoints!)
        expect(x >= box[0] - 1 && x <= box[2] + 1 && y >= box[1] - 1 && y <= box[3] + 1).toBe(true);
    }
  });

  it('fast-rcnn-external-proposals: given boxes replace the RPN', async () => {
    const { instances, unexpected } = await withoutLeaks(() => fastRcnnExternalProposals());
    expect(unexpected.every((name) => name.startsWith('rpn.head.'))).toBe(true);
    expect(unexpected).toHaveLength(6);
    expect(instances.length).toBeGreaterThan(0);
    expect(instances.length).toBeLessThanOrEqual(5);
    for (const { box } of instances) expectInImage(box);
    // One proposal per image region: a different set gives different detections.
    const other = await fastRcnnExternalProposals(EXTERNAL_PROPOSALS.slice(0, 1));
    expect(other.instances.map((d) => d.box)).not.toEqual(instances.map((d) => d.box));
  });

  it('training-step-by-hand: ten SGD steps on loss() and variableGradsAsync more than halve the loss', async () => {
    registerTrainingKernels();
    try {
      const totals = await withoutLeaks(() => trainingStepByHand(10));
      expect(totals).toHaveLength(10);
      expect(totals.every(Number.isFinite)).toBe(true);
      // Measured 6.33 -> 2.36 (seeded initialisation, one picture, lr 0.02).
      expect(totals[9]!).toBeLessThan(totals[0]! / 2);
    } finally {
      unregisterTrainingKernels();
    }
  });
}, ['wasm']);
