import { describeEachBackend, expectNoLeaks } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { expect, it } from 'vitest';
import { groundTruth, ToyDetector } from '../__test-helpers__/toy-detector';
import { lossGradients } from './loss-gradients';

describeEachBackend('lossGradients', () => {
  it('equals tf.variableGrads of the summed terms, with each term reported', async () => {
    const model = new ToyDetector(4);
    const images = [
      tf.randomUniform([12, 10, 3], 0, 1, 'float32', 1) as tf.Tensor3D,
      tf.fill([9, 14, 3], 120, 'int32') as tf.Tensor3D,
    ];
    const targets = [
      groundTruth([[1, 2, 6, 9]], [2]),
      groundTruth(
        [
          [3, 1, 12, 8],
          [0, 0, 4, 4],
        ],
        [1, 2],
      ),
    ];
    const variables = [...model.trainableVariables().values()];
    const ours = await lossGradients(model, images, targets, variables);
    const reference = tf.variableGrads(() => {
      const terms = model.lossSync(images, targets);
      return tf.addN(Object.values(terms)) as tf.Scalar;
    }, variables);
    expect(ours.total).toBeCloseTo((await reference.value.data())[0], 6);
    expect(Object.keys(ours.terms)).toEqual(['roiHeads/classification', 'roiHeads/boxRegression']);
    expect(ours.terms['roiHeads/classification'] + ours.terms['roiHeads/boxRegression']).toBeCloseTo(
      ours.total,
      6,
    );
    for (const [i, v] of variables.entries()) {
      const expected = await reference.grads[v.name].data();
      const actual = (await ours.grads[i]?.data()) ?? [];
      for (let j = 0; j < expected.length; j++) expect(actual[j]).toBeCloseTo(expected[j], 6);
    }
    await expectNoLeaks(async () => {
      const step = await lossGradients(model, images, targets, variables);
      for (const g of step.grads) g?.dispose();
    });
    tf.dispose([reference.value, ...Object.values(reference.grads), ...images]);
    for (const t of targets) tf.dispose([t.boxes, t.labels]);
    model.dispose();
  });
}, ['cpu']);
