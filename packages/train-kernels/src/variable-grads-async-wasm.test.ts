import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { variableGradsAsync } from '@rcnn/core';
import { disposeAll, expectNoLeaks, relativeError, useBackend } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerTrainingKernels } from './register-training-kernels';

/** A conv net with a strided conv, a Linear layer (x W^T) and a loss on rows picked by a read-back. */
function makeNet() {
  const random = (shape: number[], seed: number) =>
    tf.variable(tf.randomUniform(shape, -0.5, 0.5, 'float32', seed));
  return {
    filter: random([3, 3, 2, 8], 1),
    down: random([1, 1, 8, 12], 2),
    bias: random([12], 3),
    linear: random([5, 12], 4),
  };
}
type Net = ReturnType<typeof makeNet>;

function logitsOf(net: Net, x: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const y = tf.relu(tf.conv2d(x, net.filter as tf.Tensor4D, 1, 'same'));
    const z = tf.add(tf.conv2d(y, net.down as tf.Tensor4D, 2, 'valid'), net.bias);
    const rows = tf.reshape(z, [-1, 12]);
    return tf.matMul(rows, net.linear as tf.Tensor2D, false, true);
  });
}
const lossOn = (logits: tf.Tensor2D, rows: number[]): tf.Scalar =>
  tf.tidy(() =>
    tf.add(tf.mean(tf.square(tf.gather(logits, tf.tensor1d(rows, 'int32')))), tf.sum(tf.sigmoid(logits))),
  );
async function selectRows(logits: tf.Tensor2D): Promise<number[]> {
  const values = (await logits.data()) as Float32Array;
  const rows: number[] = [];
  for (let i = 0; i < logits.shape[0]; i++) if (values[i * 5]! > 0) rows.push(i, i);
  return rows.length > 0 ? rows : [0];
}

/** Loss and gradients of every variable via variableGradsAsync (read-back mid-way), as arrays. */
async function stepOn(backend: string, x: tf.Tensor4D, net: Net) {
  await useBackend(backend);
  const variables = Object.values(net);
  const { value, grads } = await variableGradsAsync(async () => {
    const logits = logitsOf(net, x);
    try {
      return lossOn(logits, await selectRows(logits));
    } finally {
      logits.dispose();
    }
  }, variables);
  const result = { value: (await value.data())[0]!, grads: await Promise.all(grads.map((g) => g!.data())) };
  disposeAll([value, grads]);
  return result;
}

// The lead's variableGradsAsync check (packages/core/src/training) on wasm: needs this package's
// Conv2DBackpropFilter and UnsortedSegmentSum there; compared with the same step on cpu.
describe('variableGradsAsync on wasm with the training kernels', () => {
  let net: Net;
  let x: tf.Tensor4D;
  beforeAll(async () => {
    await useBackend('cpu');
    registerTrainingKernels();
    net = makeNet();
    x = tf.randomNormal([2, 9, 8, 2], 0, 1, 'float32', 7) as tf.Tensor4D;
  });

  it('gives the cpu step (loss and every gradient)', async () => {
    const cpu = await stepOn('cpu', x, net);
    const wasm = await stepOn('wasm', x, net);
    expect(wasm.value).toBeCloseTo(cpu.value, 4);
    for (const [i, grad] of wasm.grads.entries()) {
      expect(relativeError(grad, cpu.grads[i]!), `gradient ${i}`).toBeLessThan(1e-5);
      expect(relativeError(grad, new Float32Array(grad.length)), `gradient ${i} nonzero`).toBeGreaterThan(0);
    }
  });

  it('leaves no tensors behind on wasm', async () => {
    await expectNoLeaks(() => stepOn('wasm', x, net));
    disposeAll([x, net]);
  });
});
