// The webgpu ResizeBilinearGrad against torch's upsample_bilinear2d backward (the Node test's
// fixture), in headless Chromium (SwiftShader WebGPU here; a real GPU in a browser).
import '@tensorflow/tfjs-backend-webgpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { readSafetensors } from '@rcnn/core';
import { expectNoLeaks, fetchFixtureBytes, maxAbsDiff, relativeError } from '@rcnn/test-utils/browser';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import fixtureUrl from './__fixtures__/resize-bilinear-grad.safetensors?url';
import { registerTrainingKernels } from './register-training-kernels';

type Case = { name: string; size: [number, number]; mode: 'halfPixel' | 'alignCorners' | 'legacy' };
let fixture: ReturnType<typeof readSafetensors>;

beforeAll(async () => {
  expect(await tf.setBackend('webgpu')).toBe(true);
  expect(registerTrainingKernels({ backends: ['webgpu'] })).toEqual({
    registered: [tf.ResizeBilinearGrad],
    kept: [],
  });
  fixture = readSafetensors(await fetchFixtureBytes(fixtureUrl));
});

function resizeGradient(inShape: readonly number[], { size, mode }: Case, dy: tf.Tensor): tf.Tensor {
  return tf.tidy(() =>
    tf.grad((input) =>
      tf.sum(
        tf.mul(
          tf.image.resizeBilinear(input as tf.Tensor4D, size, mode === 'alignCorners', mode === 'halfPixel'),
          dy,
        ),
      ),
    )(tf.zeros([...inShape] as [number, number, number, number])),
  );
}

it('matches torch in every mode and size of the fixture (half-pixel centres included), leaking nothing', async () => {
  const cases = JSON.parse(fixture.metadata.cases!) as Case[];
  expect(cases.map((c) => c.mode)).toContain('halfPixel');
  for (const c of cases) {
    const expected = fixture.tensors.get(`${c.name}/dx`)!;
    const dyEntry = fixture.tensors.get(`${c.name}/dy`)!;
    const dy = tf.tensor(dyEntry.data as Float32Array, [...dyEntry.shape]);
    const dx = resizeGradient(expected.shape, c, dy);
    expect(dx.shape, c.name).toEqual([...expected.shape]);
    const actual = (await dx.data()) as Float32Array;
    dx.dispose();
    // f32 taps and sums in another order than torch's (the Node kernels: 1e-6 / 1e-5).
    expect(relativeError(actual, expected.data as Float32Array), `${c.name} ${c.mode}`).toBeLessThan(1e-6);
    expect(maxAbsDiff(actual, expected.data as Float32Array), `${c.name} ${c.mode}`).toBeLessThan(1e-5);
    await expectNoLeaks(async () => {
      const again = resizeGradient(expected.shape, c, dy);
      await again.data();
      again.dispose();
    }, 2);
    dy.dispose();
  }
}, 300_000);
