import { describeEachBackend, expectNoLeaks, expectTensorsClose, seededRandom } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { ConvLayer } from './conv-layer';
import { foldFrozenBatchNorm, oihwToHwio } from './fold-frozen-batch-norm';

function randomArray(length: number, seed: number, low = -1, high = 1): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length }, () => low + (high - low) * random());
}

describeEachBackend('oihwToHwio', () => {
  it('equals tf.transpose(OIHW, [2, 3, 1, 0]) for odd sizes, with per-output scaling', () => {
    const shape = [37, 19, 3, 2] as const;
    const weight = randomArray(37 * 19 * 6, 1);
    const scale = randomArray(37, 2);
    const [scaled, plain] = tf.tidy(() => {
      const oihw = tf.tensor4d(weight, [...shape]);
      const scaledOihw = tf.mul(oihw, tf.reshape(tf.tensor1d(scale), [37, 1, 1, 1]));
      return [tf.transpose(scaledOihw, [2, 3, 1, 0]), tf.transpose(oihw, [2, 3, 1, 0])];
    });
    expectTensorsClose(oihwToHwio(weight, shape, scale), scaled!, { atol: 0, rtol: 0 });
    expectTensorsClose(oihwToHwio(weight, shape), plain!, { atol: 0, rtol: 0 });
    tf.dispose([scaled!, plain!]);
  });
}, ['cpu']);

describeEachBackend('foldFrozenBatchNorm', () => {
  it('makes conv + FrozenBatchNorm2d (eps 1e-5) one convolution', () => {
    const shape = [6, 4, 3, 3] as const;
    const conv = { weight: randomArray(6 * 4 * 9, 3), shape };
    const norm = {
      weight: randomArray(6, 4, 0.5, 1.5),
      bias: randomArray(6, 5),
      runningMean: randomArray(6, 6, -0.2, 0.2),
      runningVar: randomArray(6, 7, 1e-6, 1e-4), // small, so that eps matters
    };
    const folded = new ConvLayer(foldFrozenBatchNorm(conv, norm, 1e-5), { stride: 2, padding: 1 });
    const plain = new ConvLayer(conv, { stride: 2, padding: 1 });
    const x = tf.randomUniform([2, 9, 8, 4], -1, 1, 'float32', 8) as tf.Tensor4D;
    const expected = tf.tidy(() => {
      const y = plain.apply(x, 'linear');
      const scale = tf.div(tf.tensor1d(norm.weight), tf.sqrt(tf.add(tf.tensor1d(norm.runningVar), 1e-5)));
      const shift = tf.sub(tf.tensor1d(norm.bias), tf.mul(tf.tensor1d(norm.runningMean), scale));
      return tf.relu(tf.add(tf.mul(y, scale), shift));
    });
    const actual = folded.apply(x, 'relu');
    expect(actual.shape).toEqual([2, 5, 4, 6]); // torch: floor((9 + 2 - 3) / 2) + 1 = 5, floor((8 + 2 - 3) / 2) + 1 = 4
    expectTensorsClose(actual, expected, { atol: 1e-5, rtol: 1e-5 });
    tf.dispose([x, expected, actual]);
    folded.dispose();
    plain.dispose();
  });

  for (const [label, groups, groupOut] of [
    ['depthwise form (<= 16 outputs per group)', 4, 2],
    ['sliced form (> 16 outputs per group)', 2, 17],
  ] as const) {
    it(`runs grouped convolution as independent per-group convolutions, ${label}`, () => {
      const groupIn = 3;
      const outChannels = groups * groupOut;
      const perGroup = groupOut * groupIn * 9;
      const weight = randomArray(outChannels * groupIn * 9, 9);
      const bias = randomArray(outChannels, 11);
      const outputScale = randomArray(outChannels, 12, 0.5, 1.5);
      const shape = [outChannels, groupIn, 3, 3] as const;
      const grouped = new ConvLayer({ weight, shape, bias, outputScale }, { stride: 2, padding: 1, groups });
      const x = tf.randomUniform([1, 7, 6, groups * groupIn], -1, 1, 'float32', 10) as tf.Tensor4D;
      const actual = grouped.apply(x, 'relu');
      expect(actual.shape).toEqual([1, 4, 3, outChannels]);
      const inputs = tf.split(x, groups, 3);
      for (let g = 0; g < groups; g++) {
        const single = new ConvLayer(
          {
            weight: weight.subarray(g * perGroup, (g + 1) * perGroup),
            shape: [groupOut, groupIn, 3, 3],
            bias: bias.subarray(g * groupOut, (g + 1) * groupOut),
            outputScale: outputScale.subarray(g * groupOut, (g + 1) * groupOut),
          },
          { stride: 2, padding: 1 },
        );
        const expected = single.apply(inputs[g] as tf.Tensor4D, 'relu');
        const part = tf.slice(actual, [0, 0, 0, groupOut * g], [1, 4, 3, groupOut]);
        expectTensorsClose(part, expected, { atol: 1e-6, rtol: 1e-5 });
        tf.dispose([expected, part]);
        single.dispose();
      }
      expect(grouped.flops(4, 3)).toBe(2 * 4 * 3 * outChannels * groupIn * 9);
      tf.dispose([x, actual, ...inputs]);
      grouped.dispose();
    });
  }

  it('does not leak tensors in apply (dense, depthwise-grouped and sliced-grouped)', async () => {
    const layers = [
      new ConvLayer({ weight: randomArray(8 * 8 * 9, 13), shape: [8, 8, 3, 3] }, { stride: 1, padding: 1 }),
      new ConvLayer(
        { weight: randomArray(8 * 2 * 9, 14), shape: [8, 2, 3, 3] },
        { stride: 1, padding: 1, groups: 4 },
      ),
      new ConvLayer(
        { weight: randomArray(34 * 4 * 9, 15), shape: [34, 4, 3, 3] },
        { stride: 2, padding: 1, groups: 2 },
      ),
    ];
    const x = tf.randomUniform([1, 6, 6, 8]) as tf.Tensor4D;
    await expectNoLeaks(() => tf.dispose(layers.map((layer) => layer.apply(x, 'relu'))));
    expect(x.isDisposed).toBe(false);
    x.dispose();
    for (const layer of layers) layer.dispose();
  });
});
