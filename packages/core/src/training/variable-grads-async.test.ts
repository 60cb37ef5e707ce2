import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describeEachBackend, disposeAll, expectNoLeaks, maxAbsDiff } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RcnnError } from '../errors/rcnn-error';
import { variableGradsAsync } from './variable-grads-async';

/** A small conv net whose loss reads a value back mid-way (like target assignment does). */
function makeNet() {
  const random = (shape: number[], seed: number) =>
    tf.variable(tf.randomUniform(shape, -0.5, 0.5, 'float32', seed));
  return {
    filter: random([3, 3, 2, 4], 1),
    bias: random([4], 2),
    dense: random([4, 3], 3),
    unused: random([5], 4),
  };
}
type Net = ReturnType<typeof makeNet>;

/** Features, then (after a read-back) a loss on the rows the read-back selected. */
function head(net: Net, x: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const y = tf.relu(tf.add(tf.conv2d(x, net.filter as tf.Tensor4D, 1, 'same'), net.bias));
    const pooled = tf.mean(y, [1, 2]) as tf.Tensor2D;
    return tf.matMul(tf.add(pooled, tf.mul(tf.mean(tf.square(y)), 0.1)), net.dense as tf.Tensor2D);
  });
}
function lossOn(logits: tf.Tensor2D, rows: number[]): tf.Scalar {
  return tf.tidy(() => {
    const picked = tf.gather(logits, tf.tensor1d(rows, 'int32'));
    return tf.add(tf.mean(tf.square(picked)), tf.sum(tf.sigmoid(logits)));
  });
}
async function selectRows(logits: tf.Tensor2D): Promise<number[]> {
  const values = (await logits.data()) as Float32Array;
  // Rows whose first logit is at least the smallest one: never empty, data-dependent.
  const firsts = Array.from({ length: logits.shape[0] }, (_, i) => values[i * 3]!);
  const rows = firsts.flatMap((value, i) => (value > Math.min(...firsts) ? [i] : []));
  return rows.length > 0 ? rows : [0];
}

// cpu only: tfjs-wasm 4.22 lacks the Conv2DBackpropFilter and UnsortedSegmentSum (gather's
// gradient) kernels; @rcnn/train-kernels registers them and runs these checks on wasm.
describeEachBackend('variableGradsAsync', () => {
  let net: Net;
  let x: tf.Tensor4D;
  beforeAll(() => {
    net = makeNet();
    x = tf.randomNormal([3, 5, 6, 2], 0, 1, 'float32', 7) as tf.Tensor4D;
  });
  afterAll(() => disposeAll([x, ...Object.values(net)]));

  it('equals tf.variableGrads across an awaited read-back, with null for unused variables', async () => {
    const variables = [net.filter, net.bias, net.dense, net.unused];
    const asyncResult = await variableGradsAsync(async () => {
      const logits = head(net, x);
      try {
        return lossOn(logits, await selectRows(logits));
      } finally {
        logits.dispose();
      }
    }, variables);
    const probe = head(net, x);
    const selected = await selectRows(probe);
    probe.dispose();
    const reference = tf.variableGrads(
      () => lossOn(head(net, x), selected),
      [net.filter, net.bias, net.dense],
    );
    expect(asyncResult.value.dataSync()[0]).toBeCloseTo(reference.value.dataSync()[0]!, 5);
    expect(asyncResult.grads[3]).toBeNull();
    for (const [i, variable] of [net.filter, net.bias, net.dense].entries()) {
      const grad = asyncResult.grads[i]!;
      expect(grad.shape).toEqual(variable.shape);
      expect(maxAbsDiff(grad, reference.grads[variable.name]!)).toBeLessThan(1e-6);
      expect(maxAbsDiff(grad, tf.zerosLike(grad)), `grad ${i}`).toBeGreaterThan(0);
    }
    disposeAll([asyncResult, reference]);
  });

  it('accumulates a variable used twice and a gradient handed back unchanged', async () => {
    const w = tf.variable(tf.tensor1d([1, 2, 3]));
    const { value, grads } = await variableGradsAsync(async () => {
      await Promise.resolve();
      // d/dw [sum(w * w) + sum(w)] = 2w + 1
      return tf.tidy(() => tf.add<tf.Scalar>(tf.sum(tf.mul(w, w)), tf.sum(tf.reshape(w, [3, 1]))));
    }, [w]);
    expect(value.dataSync()[0]).toBe(20);
    expect(Array.from(grads[0]!.dataSync())).toEqual([3, 5, 7]);
    disposeAll([value, grads, w]);
  });

  it('leaves no tensors behind, also when f throws', async () => {
    await expectNoLeaks(async () => {
      const result = await variableGradsAsync(async () => {
        const logits = head(net, x);
        try {
          return lossOn(logits, await selectRows(logits));
        } finally {
          logits.dispose();
        }
      }, [net.filter, net.dense]);
      disposeAll(result);
    });
    await expectNoLeaks(async () => {
      await expect(
        variableGradsAsync(async () => {
          head(net, x).dispose();
          throw new Error('boom');
        }, [net.filter]),
      ).rejects.toThrow('boom');
    });
    expect(tf.engine().state.gradientDepth).toBe(0);
  });

  it('refuses a non-scalar result and nesting', async () => {
    await expect(
      variableGradsAsync(async () => tf.ones([2]) as unknown as tf.Scalar, [net.bias]),
    ).rejects.toThrow(RcnnError);
    let pending: Promise<unknown> | undefined;
    const outer = tf.variableGrads(() => {
      pending = variableGradsAsync(async () => tf.sum<tf.Scalar>(net.bias), [net.bias]);
      return tf.sum(net.bias) as tf.Scalar;
    });
    disposeAll(outer);
    await expect(pending).rejects.toThrow('inside another gradient');
  });
}, ['cpu']);
