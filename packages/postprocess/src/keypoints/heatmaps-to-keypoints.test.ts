import { asBoxes, RcnnError, readSafetensors } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks, maxAbsDiff, readFixtureBytes } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { heatmapsToKeypoints } from './heatmaps-to-keypoints';

// tools/reference/gen_postprocess.py (fixtures in src/__fixtures__): torchvision heatmaps_to_keypoints
// on Gaussian bumps plus noise, for boxes that upsample, downsample, are under one pixel, flat, or 56x56.
const fixture = readSafetensors(
  readFixtureBytes(new URL('..', import.meta.url).href, 'keypoints.safetensors'),
);
const entry = (name: string) => fixture.tensors.get(name)!;
const heatmapsNchw = () =>
  tf.tensor4d(entry('heatmaps_nchw').data as Float32Array, entry('heatmaps_nchw').shape as never);
const rois = () => asBoxes(tf.tensor2d(entry('rois').data as Float32Array, entry('rois').shape as never));

describeEachBackend('heatmapsToKeypoints', () => {
  it('matches torchvision heatmaps_to_keypoints (NCHW input)', async () => {
    const heatmaps = heatmapsNchw();
    const boxes = rois();
    const { keypoints, scores } = await heatmapsToKeypoints(heatmaps, boxes, { layout: 'nchw' });
    expect(keypoints.shape).toEqual([6, 3, 3]);
    const positionError = maxAbsDiff(await keypoints.data(), entry('keypoints').data);
    const scoreError = maxAbsDiff(await scores.data(), entry('scores').data);
    console.info(
      `heatmapsToKeypoints max |diff|: positions ${positionError.toExponential(2)} px, scores ${scoreError.toExponential(2)}`,
    );
    expect(positionError).toBeLessThan(1e-3);
    expect(scoreError).toBeLessThan(1e-5);
    tf.dispose([heatmaps, boxes, keypoints, scores]);
  });

  it('gives the same result for NHWC heatmaps (the default layout)', async () => {
    const nchw = heatmapsNchw();
    const heatmaps = tf.transpose(nchw, [0, 2, 3, 1]) as tf.Tensor4D;
    const boxes = rois();
    const result = await heatmapsToKeypoints(heatmaps, boxes);
    expect(maxAbsDiff(await result.keypoints.data(), entry('keypoints').data)).toBeLessThan(1e-3);
    expect(maxAbsDiff(await result.scores.data(), entry('scores').data)).toBeLessThan(1e-5);
    tf.dispose([nchw, heatmaps, boxes, result.keypoints, result.scores]);
  });

  it('finds a single peak at its pixel centre for an identity-size box', async () => {
    // 4x4 heatmap, one keypoint, box 4x4 at (10, 20): no resize, peak at (x=2, y=1).
    const map = new Float32Array(16);
    map[1 * 4 + 2] = 5;
    const heatmaps = tf.tensor4d(map, [1, 4, 4, 1]);
    const boxes = asBoxes(tf.tensor2d([[10, 20, 14, 24]]));
    const { keypoints, scores } = await heatmapsToKeypoints(heatmaps, boxes);
    expect(Array.from(await keypoints.data())).toEqual([12.5, 21.5, 1]);
    expect(Array.from(await scores.data())).toEqual([5]);
    tf.dispose([heatmaps, boxes, keypoints, scores]);
  });

  it('returns empty tensors for no RoIs', async () => {
    const { keypoints, scores } = await heatmapsToKeypoints(
      tf.zeros([0, 56, 56, 17]),
      asBoxes(tf.zeros([0, 4])),
    );
    expect(keypoints.shape).toEqual([0, 17, 3]);
    expect(scores.shape).toEqual([0, 17]);
    tf.dispose([keypoints, scores]);
  });

  it('rejects mismatched inputs with RcnnError', async () => {
    const boxes = asBoxes(tf.zeros([2, 4]));
    await expect(heatmapsToKeypoints(tf.zeros([3, 8, 8, 2]), boxes)).rejects.toThrow(RcnnError);
    await expect(heatmapsToKeypoints(tf.zeros([2, 8, 8]) as never, boxes)).rejects.toThrow(/4-D/);
    await expect(
      heatmapsToKeypoints(tf.zeros([2, 8, 8, 2]), boxes, { layout: 'hwc' as never }),
    ).rejects.toThrow(RcnnError);
    boxes.dispose();
  });

  it('leaks no tensors', async () => {
    const heatmaps = heatmapsNchw();
    const boxes = rois();
    await expectNoLeaks(async () => {
      const result = await heatmapsToKeypoints(heatmaps, boxes, { layout: 'nchw' });
      tf.dispose([result.keypoints, result.scores]);
    });
    tf.dispose([heatmaps, boxes]);
  });
});
