import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describeEachBackend, expectNoLeaks, readFixtureBytes, relativeError } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { deterministicStateDict, deterministicTensor } from '../weights/deterministic-weights';
import { readSafetensors } from '../weights/safetensors';
import { tfjsToTorchLayout } from '../weights/torch-layout';
import { ConvTranspose2d } from './conv-transpose2d';
import { Linear } from './linear';
import { Module } from './module';

// tools/reference/gen_core_nn.py: torch 1.13 nn.Linear / nn.ConvTranspose2d, weights from
// detweights, loss sum(y * cotangent); 4-D activations stored NHWC.
const fixture = readSafetensors(readFixtureBytes(import.meta.url, 'linear-transpose.safetensors'));
const tensor = (name: string) => fixture.tensors.get(name)!;

/** torch `fc(x.flatten(1))` of an NCHW map, run on the NHWC map flattened (H, W, C). */
class FlattenLinear extends Module {
  readonly fc = this.addModule(
    'fc',
    new Linear({ inFeatures: 12, outFeatures: 4, flattenedFrom: [2, 3, 2] }),
  );
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.fc.forward(tf.reshape(x, [x.shape[0]!, -1])));
  }
}

type Layer = Module & { forward(x: tf.Tensor): tf.Tensor };
const forwardOf = (layer: Module) => layer as Layer;

const CASES: Record<string, { build: () => Module; input: number[] }> = {
  linear: { build: () => new Linear({ inFeatures: 5, outFeatures: 3 }), input: [4, 5] },
  linear_no_bias: { build: () => new Linear({ inFeatures: 6, outFeatures: 2, bias: false }), input: [3, 6] },
  linear_flattened: { build: () => new FlattenLinear(), input: [2, 2, 3, 2] },
  conv_transpose_blocks: {
    build: () => new ConvTranspose2d({ inChannels: 4, outChannels: 6, kernelSize: 2, stride: 2 }),
    input: [2, 4, 3, 5],
  },
  conv_transpose_padded: {
    build: () => new ConvTranspose2d({ inChannels: 3, outChannels: 5, kernelSize: 4, stride: 2, padding: 1 }),
    input: [1, 3, 4, 3],
  },
  conv_transpose_no_bias: {
    build: () =>
      new ConvTranspose2d({ inChannels: 3, outChannels: 2, kernelSize: 3, padding: 1, bias: false }),
    input: [2, 3, 5, 4],
  },
};

/** `[N, H, W, C]` -> `[N, C, H, W]`; 2-D shapes as they are. */
const toNchw = (shape: readonly number[]) =>
  shape.length === 4 ? [shape[0]!, shape[3]!, shape[1]!, shape[2]!] : [...shape];
const fromNchw = (t: tf.Tensor) => (t.rank === 4 ? tf.transpose(t, [0, 2, 3, 1]) : t);

/** The fixture's (NCHW) input in the layout the layer runs; caller owns. */
function input(name: string, shape: number[]): tf.Tensor {
  return tf.tidy(() => fromNchw(tf.tensor(deterministicTensor(`${name}.input`, shape), shape)));
}

function loaded(name: string): Layer {
  const layer = CASES[name]!.build();
  layer.loadStateDict(deterministicStateDict(layer.stateDictShapes(`${name}.`)), `${name}.`);
  return forwardOf(layer.train(true));
}

describeEachBackend('nn.Linear and nn.ConvTranspose2d vs torch 1.13', () => {
  for (const [name, { input: shape }] of Object.entries(CASES)) {
    it(`${name}: forward, input and parameter gradients, save round trip`, async () => {
      const layer = loaded(name);
      const x = tf.variable(input(name, shape), true);
      const trainable = layer.trainableVariables(`${name}.`);
      const { value, grads } = tf.variableGrads(() => {
        const y = layer.forward(x);
        const expected = tensor(`${name}.output`);
        expect(y.shape).toEqual(expected.shape);
        expect(relativeError(y, expected.data)).toBeLessThan(1e-6);
        const torchShape = toNchw(y.shape);
        const cotangent = fromNchw(
          tf.tensor(deterministicTensor(`${name}.cotangent`, torchShape), torchShape),
        );
        return tf.sum(tf.mul(y, cotangent));
      }, [x, ...trainable.map(([, v]) => v)]);
      expect(relativeError(grads[x.name]!, tensor(`${name}.grad.input`).data)).toBeLessThan(1e-5);
      const torchGrads = [...fixture.tensors.keys()].filter(
        (key) => key.startsWith(`${name}.grad.`) && !key.endsWith('.input'),
      );
      expect(trainable.map(([n]) => n).sort()).toEqual(
        torchGrads.map((key) => key.replace('.grad.', '.')).sort(),
      );
      for (const [parameterName, variable] of trainable) {
        const expected = tensor(parameterName.replace(`${name}.`, `${name}.grad.`));
        const flattenedFrom = layer
          .namedEntries(`${name}.`)
          .find(([n]) => n === parameterName)![1].flattenedFrom;
        const data = grads[variable.name]!.dataSync() as Float32Array;
        const actual = tfjsToTorchLayout(data, expected.shape, flattenedFrom);
        expect(relativeError(actual, expected.data), parameterName).toBeLessThan(1e-5);
      }
      const saved = await layer.saveStateDict(`${name}.`);
      expect([...saved.keys()]).toEqual(layer.stateDictShapes(`${name}.`).map(([n]) => n));
      for (const [entry, { data, shape: savedShape }] of saved) {
        const after = tensor(entry.replace(`${name}.`, `${name}.after.`));
        expect(savedShape).toEqual(after.shape);
        expect(Array.from(data), entry).toEqual(Array.from(after.data));
      }
      tf.dispose([value, x, ...Object.values(grads)]);
      layer.dispose();
    });
  }

  it("fresh weights follow torch's default init: uniform within ±1/sqrt(fan_in), weight and bias", async () => {
    const big: Record<string, Module> = {
      linear: new Linear({ inFeatures: 5, outFeatures: 400 }),
      conv_transpose_padded: new ConvTranspose2d({
        inChannels: 60,
        outChannels: 5,
        kernelSize: 4,
        stride: 2,
      }),
    };
    for (const [name, layer] of Object.entries(big)) {
      const bound = 1 / Math.sqrt(tensor(`${name}.fan_in`).data[0]!);
      for (const [entry, parameter] of layer.namedEntries()) {
        const values = Array.from(await parameter.variable.data());
        const largest = Math.max(...values.map(Math.abs));
        expect(largest, `${name}.${entry}`).toBeLessThanOrEqual(bound);
        // Unseeded: a tensor of 400+ values misses 0.9 * bound with probability < 1e-18.
        if (values.length >= 400) expect(largest, `${name}.${entry}`).toBeGreaterThan(0.9 * bound);
        expect(parameter.trainable).toBe(true);
      }
      layer.dispose();
    }
    const seeded = () =>
      new Linear({ inFeatures: 3, outFeatures: 2, weightInit: { kind: 'normal', std: 1, seed: 7 } });
    const [a, b] = [seeded(), seeded()];
    expect(Array.from(await a.weight.variable.data())).toEqual(Array.from(await b.weight.variable.data()));
    a.dispose();
    b.dispose();
  });

  it('rejects bad options and inputs', () => {
    expect(() => new Linear({ inFeatures: 0, outFeatures: 2 })).toThrow(/positive integers/);
    expect(() => new Linear({ inFeatures: 5, outFeatures: 2, flattenedFrom: [2, 2, 2] })).toThrow(
      /5 features/,
    );
    expect(() => new ConvTranspose2d({ inChannels: 2, outChannels: 2, kernelSize: 2, padding: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    const linear = new Linear({ inFeatures: 5, outFeatures: 2 });
    const wrong = tf.zeros([1, 4]) as tf.Tensor2D;
    expect(() => linear.forward(wrong)).toThrow(expect.objectContaining({ code: 'INVALID_SHAPE' }));
    tf.dispose([wrong]);
    linear.dispose();
  });

  it('forward and gradients leak nothing; dispose releases every variable', async () => {
    const before = tf.memory().numTensors;
    for (const [name, { input: shape }] of Object.entries(CASES)) {
      const layer = loaded(name);
      const x = input(name, shape);
      await expectNoLeaks(() => layer.forward(x).dispose());
      await expectNoLeaks(() =>
        tf
          .grad((t) => tf.sum(layer.forward(t)))(x)
          .dispose(),
      );
      const variables = layer.trainableVariables().map(([, variable]) => variable);
      await expectNoLeaks(() => {
        const { value, grads } = tf.variableGrads(() => tf.sum(layer.forward(x)) as tf.Scalar, variables);
        tf.dispose([value, ...Object.values(grads)]);
      });
      x.dispose();
      layer.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
}, ['cpu']);
