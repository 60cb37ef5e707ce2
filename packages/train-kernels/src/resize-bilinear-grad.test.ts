import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { readSafetensors } from '@rcnn/core';
import {
  describeEachBackend,
  expectNoLeaks,
  maxAbsDiff,
  readFixtureBytes,
  relativeError,
} from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { registerTrainingKernels } from './register-training-kernels';

/** tools/reference/gen_resize_bilinear_grad.py: torch autograd through bilinear resizes. */
const fixture = readSafetensors(readFixtureBytes(import.meta.url, 'resize-bilinear-grad.safetensors'));
const cases = JSON.parse(fixture.metadata.cases!) as {
  name: string;
  size: [number, number];
  mode: 'halfPixel' | 'alignCorners' | 'legacy';
}[];
const tensor = (name: string) => {
  const found = fixture.tensors.get(name);
  if (!found) throw new Error(`fixture has no ${name}`);
  return found;
};

/** d/dx sum(resizeBilinear(x) * dy) through tfjs's gradient, i.e. the `ResizeBilinearGrad` kernel. */
function resizeGradient(
  inShape: readonly number[],
  size: [number, number],
  mode: string,
  dy: tf.Tensor,
): tf.Tensor {
  return tf.tidy(() => {
    const x = tf.zeros([...inShape] as [number, number, number, number]);
    return tf.grad((input) =>
      tf.sum(
        tf.mul(
          tf.image.resizeBilinear(input as tf.Tensor4D, size, mode === 'alignCorners', mode === 'halfPixel'),
          dy,
        ),
      ),
    )(x);
  });
}

describeEachBackend('ResizeBilinearGrad vs torch upsample_bilinear2d backward', (backend) => {
  beforeAll(() => {
    registerTrainingKernels({ backends: [backend] });
  });

  for (const { name, size, mode } of cases) {
    const expected = tensor(`${name}/dx`);
    it(`${name} ${mode} [${expected.shape.join(', ')}] -> ${size.join('x')}`, async () => {
      const dyEntry = tensor(`${name}/dy`);
      const dy = tf.tensor(dyEntry.data as Float32Array, [...dyEntry.shape]);
      const dx = resizeGradient(expected.shape, size, mode, dy);
      dy.dispose();
      expect(dx.shape).toEqual([...expected.shape]);
      const actual = (await dx.data()) as Float32Array;
      dx.dispose();
      // float32 sums of up to (out / in)^2 terms in another order than torch's.
      expect(relativeError(actual, expected.data as Float32Array)).toBeLessThan(1e-6);
      expect(maxAbsDiff(actual, expected.data as Float32Array)).toBeLessThan(1e-5);
    });
  }

  it('leaks nothing', async () => {
    const dy = tf.ones([2, 14, 10, 3]);
    await expectNoLeaks(() => resizeGradient([2, 7, 5, 3], [14, 10], 'halfPixel', dy).dispose());
    dy.dispose();
  });
});
