import '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { deterministicTensor } from './weights/deterministic-weights';

it('webgpu (SwiftShader) runs a convolution that matches the cpu reference computed in JS', async () => {
  expect(await tf.setBackend('webgpu')).toBe(true);
  const input = deterministicTensor('smoke/input', [1, 5, 5, 2]);
  const filter = deterministicTensor('smoke/filter', [3, 3, 2, 1]);
  const y = tf.tidy(() =>
    tf.conv2d(tf.tensor4d(input, [1, 5, 5, 2]), tf.tensor4d(filter, [3, 3, 2, 1]), 1, 'valid'),
  );
  const out = await y.data();
  y.dispose();
  // Centre pixel by hand: sum over the 3x3x2 window at (2, 2).
  let centre = 0;
  for (let dy = 0; dy < 3; dy++)
    for (let dx = 0; dx < 3; dx++)
      for (let c = 0; c < 2; c++)
        centre += input[((1 + dy) * 5 + (1 + dx)) * 2 + c]! * filter[(dy * 3 + dx) * 2 + c]!;
  expect(out[4]).toBeCloseTo(centre, 4);
});
