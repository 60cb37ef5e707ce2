import { deterministicTensor, RcnnError } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HEADS_LOSS_KEYS } from '../loss-keys';
import { fixtureArray, readHeadsFixture } from '../test-support/fixtures';
import { fastRcnnLoss } from './fast-rcnn-loss';

const fixture = readHeadsFixture('losses.safetensors');
const N = 10;
const K = 5;

describeEachBackend('fastRcnnLoss vs torchvision fastrcnn_loss', () => {
  let classLogits: tf.Tensor2D;
  let boxRegression: tf.Tensor2D;
  let regressionTargets: tf.Tensor2D;
  const labels = fixtureArray(fixture, 'box/labels');

  beforeAll(() => {
    classLogits = tf.tensor2d(deterministicTensor('heads/loss/classLogits', [N, K], -3, 3), [N, K]);
    boxRegression = tf.tensor2d(deterministicTensor('heads/loss/boxRegression', [N, 4 * K], -0.5, 0.5), [
      N,
      4 * K,
    ]);
    regressionTargets = tf.tensor2d(deterministicTensor('heads/loss/regressionTargets', [N, 4], -0.5, 0.5), [
      N,
      4,
    ]);
  });
  afterAll(() => tf.dispose([classLogits, boxRegression, regressionTargets]));

  it('matches both losses to 1e-5', async () => {
    const losses = fastRcnnLoss({ classLogits, boxRegression, labels, regressionTargets });
    const classification = await losses[HEADS_LOSS_KEYS.classification].data();
    const regression = await losses[HEADS_LOSS_KEYS.boxRegression].data();
    expect(classification[0]).toBeCloseTo(fixtureArray(fixture, 'box/classificationLoss')[0]!, 5);
    expect(regression[0]).toBeCloseTo(fixtureArray(fixture, 'box/regressionLoss')[0]!, 5);
    tf.dispose(Object.values(losses));
  });

  it('ignores negatives regression targets, even non-finite ones', async () => {
    const poisoned = tf.tidy(() => {
      const isNegative = tf.tensor2d(
        labels.map((l) => [l === 0 ? 1 : 0]),
        [N, 1],
        'bool',
      );
      return tf.where(
        tf.broadcastTo(isNegative, [N, 4]),
        tf.fill([N, 4], Number.NEGATIVE_INFINITY),
        regressionTargets,
      );
    }) as tf.Tensor2D;
    const losses = fastRcnnLoss({ classLogits, boxRegression, labels, regressionTargets: poisoned });
    expect((await losses[HEADS_LOSS_KEYS.boxRegression].data())[0]).toBeCloseTo(
      fixtureArray(fixture, 'box/regressionLoss')[0]!,
      5,
    );
    tf.dispose([poisoned, ...Object.values(losses)]);
  });

  it('sends gradient only to each positive RoI own class deltas', () => {
    const gradient = tf.grad(
      (deltas: tf.Tensor) =>
        fastRcnnLoss({ classLogits, boxRegression: deltas as tf.Tensor2D, labels, regressionTargets })[
          HEADS_LOSS_KEYS.boxRegression
        ],
    )(boxRegression);
    const values = gradient.arraySync() as number[][];
    values.forEach((row, i) => {
      row.forEach((value, column) => {
        const ownClass = Math.floor(column / 4) === labels[i];
        if (!(labels[i]! > 0 && ownClass)) expect(Math.abs(value)).toBe(0);
      });
    });
    expect(values.flat().some((v) => v !== 0)).toBe(true);
    gradient.dispose();
  });

  it('gives zeros for zero RoIs and rejects mismatched shapes', async () => {
    const empty = fastRcnnLoss({
      classLogits: tf.zeros([0, K]),
      boxRegression: tf.zeros([0, 4 * K]),
      labels: [],
      regressionTargets: tf.zeros([0, 4]),
    });
    expect((await empty[HEADS_LOSS_KEYS.classification].data())[0]).toBe(0);
    tf.dispose(Object.values(empty));
    expect(() =>
      fastRcnnLoss({ classLogits, boxRegression: tf.zeros([N, 4]), labels, regressionTargets }),
    ).toThrow(RcnnError);
    expect(() =>
      fastRcnnLoss({ classLogits, boxRegression, labels: labels.slice(1), regressionTargets }),
    ).toThrow(/has 9 entries, expected 10/);
  });

  it('does not leak', async () => {
    await expectNoLeaks(() =>
      tf.dispose(Object.values(fastRcnnLoss({ classLogits, boxRegression, labels, regressionTargets }))),
    );
  });
});
