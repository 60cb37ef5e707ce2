import { asBoxes, deterministicTensor, RcnnError } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HEADS_LOSS_KEYS } from '../loss-keys';
import { fixtureArray, fixtureTensor, readHeadsFixture } from '../test-support/fixtures';
import { keypointRcnnLoss } from './keypoint-rcnn-loss';
import { keypointTargets } from './keypoint-targets';
import { keypointsToHeatmap } from './keypoints-to-heatmap';

const fixture = readHeadsFixture('losses.safetensors');
const P = 3;
const K = 4;

describeEachBackend('keypoint targets and keypointRcnnLoss vs torchvision', () => {
  let rois: ReturnType<typeof asBoxes>;
  let keypoints: tf.Tensor3D;
  let logits: tf.Tensor4D;

  beforeAll(() => {
    rois = asBoxes(fixtureTensor(fixture, 'keypoint/rois'));
    keypoints = fixtureTensor(fixture, 'keypoint/keypoints') as tf.Tensor3D;
    logits = tf.tensor4d(deterministicTensor('heads/loss/keypointLogits', [P, 56, 56, K], -4, 4), [
      P,
      56,
      56,
      K,
    ]);
  });
  afterAll(() => tf.dispose([rois, keypoints, logits]));

  it('matches keypoints_to_heatmap exactly (edges, outside, invisible)', async () => {
    const { heatmaps, valid } = keypointsToHeatmap(keypoints, rois, 56);
    expect(heatmaps.dtype).toBe('int32');
    expect(Array.from(await heatmaps.data())).toEqual(fixtureArray(fixture, 'keypoint/heatmaps'));
    expect(Array.from(await valid.data())).toEqual(fixtureArray(fixture, 'keypoint/valid'));
    tf.dispose([heatmaps, valid]);
  });

  it('matches keypointrcnn_loss over two images to 1e-5', async () => {
    // torchvision's fixture: image 0 has GT [kp1, kp0] matched [1, 0]; image 1 has GT [kp2] matched [0].
    const image0 = tf.tidy(() => tf.gather(keypoints, [1, 0])) as tf.Tensor3D;
    const image1 = tf.tidy(() => tf.slice(keypoints, [2, 0, 0], [1, K, 3])) as tf.Tensor3D;
    const rois0 = asBoxes(tf.slice(rois, [0, 0], [2, 4]));
    const rois1 = asBoxes(tf.slice(rois, [2, 0], [1, 4]));
    const first = keypointTargets({ gtKeypoints: image0, proposals: rois0, matchedGtIndices: [1, 0] });
    const second = keypointTargets({ gtKeypoints: image1, proposals: rois1, matchedGtIndices: [0] });
    const heatmaps = tf.concat([first.heatmaps, second.heatmaps]);
    const valid = tf.concat([first.valid, second.valid]);
    const loss = keypointRcnnLoss({ keypointLogits: logits, heatmaps, valid })[
      HEADS_LOSS_KEYS.keypointCrossEntropy
    ];
    expect((await loss.data())[0]).toBeCloseTo(fixtureArray(fixture, 'keypoint/loss')[0]!, 5);
    tf.dispose([image0, image1, rois0, rois1, first, second, heatmaps, valid, loss] as never);
  });

  it('gives gradient only to valid keypoints', () => {
    const { heatmaps, valid } = keypointsToHeatmap(keypoints, rois, 56);
    const gradient = tf.grad(
      (x: tf.Tensor) =>
        keypointRcnnLoss({ keypointLogits: x as tf.Tensor4D, heatmaps, valid })[
          HEADS_LOSS_KEYS.keypointCrossEntropy
        ],
    )(logits);
    const perKeypoint = tf.tidy(() => tf.sum(tf.abs(gradient), [1, 2]).arraySync() as number[][]);
    const validity = fixtureArray(fixture, 'keypoint/valid');
    expect(perKeypoint.flat().map((value) => value > 0)).toEqual(validity.map((v) => v === 1));
    tf.dispose([heatmaps, valid, gradient]);
  });

  it('gives 0 without valid keypoints and rejects bad shapes', async () => {
    const heatmaps = tf.zeros([P, K], 'int32') as tf.Tensor2D;
    const valid = tf.zeros([P, K], 'int32') as tf.Tensor2D;
    const loss = keypointRcnnLoss({ keypointLogits: logits, heatmaps, valid })[
      HEADS_LOSS_KEYS.keypointCrossEntropy
    ];
    expect(Math.abs((await loss.data())[0]!)).toBe(0);
    const floatValid = tf.zeros([P, K]) as tf.Tensor2D;
    expect(() => keypointRcnnLoss({ keypointLogits: logits, heatmaps, valid: floatValid })).toThrow(
      RcnnError,
    );
    const flat = tf.zeros([P, K, 2]) as tf.Tensor3D;
    expect(() => keypointsToHeatmap(flat, rois)).toThrow(/keypoints \[P, K, 3\]/);
    tf.dispose([heatmaps, valid, loss, floatValid, flat]);
  });

  it('does not leak', async () => {
    await expectNoLeaks(() => {
      const direct = keypointsToHeatmap(keypoints, rois, 56);
      tf.dispose([direct.heatmaps, direct.valid]);
      const targets = keypointTargets({
        gtKeypoints: keypoints,
        proposals: rois,
        matchedGtIndices: [2, 1, 0],
      });
      const loss = keypointRcnnLoss({ keypointLogits: logits, ...targets });
      tf.dispose([targets.heatmaps, targets.valid, ...Object.values(loss)]);
    });
  });
});
