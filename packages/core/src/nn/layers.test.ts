import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describeEachBackend, expectNoLeaks, readFixtureBytes, relativeError } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { deterministicStateDict, deterministicTensor } from '../weights/deterministic-weights';
import { readSafetensors } from '../weights/safetensors';
import { tfjsToTorchLayout } from '../weights/torch-layout';
import { BatchNorm2d } from './batch-norm-2d';
import { ConvNorm } from './conv-norm';
import { Conv2d } from './conv2d';
import { GroupNorm } from './group-norm';
import { Module } from './module';

// tools/reference/gen_core_nn.py: torch 1.13 modules, weights from detweights, loss sum(y * cotangent).
const fixture = readSafetensors(readFixtureBytes(import.meta.url, 'layers.safetensors'));
const tensor = (name: string) => fixture.tensors.get(name)!;

/** conv1 (no bias) + FrozenBatchNorm2d bn1 + ReLU, run through ConvNorm. */
class ConvFrozen extends Module {
  readonly block: ConvNorm;
  constructor() {
    super();
    const conv = this.addModule(
      'conv1',
      new Conv2d({ inChannels: 4, outChannels: 6, kernelSize: 3, stride: 2, padding: 1, bias: false }),
    );
    const norm = this.addModule('bn1', new BatchNorm2d(6, { frozen: true }));
    this.block = new ConvNorm(conv, norm);
  }
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return this.block.forward(x, 'relu');
  }
  override dispose(): void {
    this.block.dispose();
    super.dispose();
  }
}

type Layer = Module & { forward(x: tf.Tensor4D): tf.Tensor4D };

const CASES: Record<string, { build: () => Layer; input: number[]; train: boolean }> = {
  conv: {
    build: () => new Conv2d({ inChannels: 4, outChannels: 6, kernelSize: 3, stride: 2, padding: 1 }),
    input: [2, 4, 9, 8],
    train: false,
  },
  conv_depthwise_groups: {
    build: () =>
      new Conv2d({
        inChannels: 8,
        outChannels: 8,
        kernelSize: 3,
        padding: 2,
        dilation: 2,
        groups: 4,
        bias: false,
      }),
    input: [1, 8, 7, 6],
    train: false,
  },
  conv_sliced_groups: {
    build: () => new Conv2d({ inChannels: 4, outChannels: 40, kernelSize: 1, stride: 2, groups: 2 }),
    input: [1, 4, 6, 6],
    train: false,
  },
  bn_train: { build: () => new BatchNorm2d(6), input: [2, 6, 5, 4], train: true },
  bn_eval: { build: () => new BatchNorm2d(6), input: [2, 6, 5, 4], train: false },
  frozen_bn: { build: () => new BatchNorm2d(6, { frozen: true }), input: [2, 6, 5, 4], train: false },
  group_norm: { build: () => new GroupNorm(3, 6), input: [2, 6, 5, 4], train: true },
  conv_frozen_bn: { build: () => new ConvFrozen(), input: [2, 4, 9, 8], train: false },
};

/** The fixture's NCHW input as an NHWC tensor; caller owns. */
function input(name: string, [n, c, h, w]: number[]): tf.Tensor4D {
  return tf.tidy(() =>
    tf.transpose(
      tf.tensor4d(deterministicTensor(`${name}.input`, [n!, c!, h!, w!]), [n!, c!, h!, w!]),
      [0, 2, 3, 1],
    ),
  );
}

function loaded(name: string, train: boolean): Layer {
  const layer = CASES[name]!.build();
  layer.loadStateDict(deterministicStateDict(layer.stateDictShapes(`${name}.`)), `${name}.`);
  return layer.train(train);
}

describeEachBackend('nn layers vs torch 1.13', () => {
  for (const [name, { input: shape, train }] of Object.entries(CASES)) {
    it(`${name}: forward, input and parameter gradients, state after the step`, async () => {
      const layer = loaded(name, train);
      const x = tf.variable(input(name, shape), true);
      const trainable = layer.trainableVariables(`${name}.`);
      const { value, grads } = tf.variableGrads(() => {
        const y = layer.forward(x as tf.Tensor4D);
        const expected = tensor(`${name}.output`);
        expect(y.shape).toEqual(expected.shape);
        expect(relativeError(y, expected.data)).toBeLessThan(1e-6);
        const cotangent = tf.tensor4d(deterministicTensor(`${name}.cotangent`, nchw(y.shape)), nchw(y.shape));
        return tf.sum(tf.mul(y, tf.transpose(cotangent, [0, 2, 3, 1])));
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
        const actual = tfjsToTorchLayout(grads[variable.name]!.dataSync() as Float32Array, expected.shape);
        expect(relativeError(actual, expected.data), parameterName).toBeLessThan(1e-5);
      }
      const saved = await layer.saveStateDict(`${name}.`);
      for (const [entry, { data }] of saved) {
        expect(
          relativeError(data, tensor(entry.replace(`${name}.`, `${name}.after.`)).data),
          entry,
        ).toBeLessThan(1e-6);
      }
      tf.dispose([value, x, ...Object.values(grads)]);
      layer.dispose();
    });
  }

  it('conv + frozen norm: the folded inference path equals conv then norm, and follows weight changes', () => {
    const layer = loaded('conv_frozen_bn', false) as ConvFrozen;
    const x = input('conv_frozen_bn', CASES.conv_frozen_bn!.input);
    const expected = tensor('conv_frozen_bn.output');
    const folded = layer.forward(x);
    expect(relativeError(folded, expected.data)).toBeLessThan(1e-6);
    const unfused = layer.train(true).forward(x);
    layer.eval();
    expect(relativeError(folded, unfused)).toBeLessThan(1e-6);
    // A changed weight (as an optimizer step assigns it) must reach the next folded forward.
    const weight = layer.block.conv.weight.variable;
    tf.tidy(() => weight.assign(tf.mul(weight, 2)));
    const doubled = layer.forward(x);
    const reference = tf.tidy(() => layer.block.norm.forward(tf.mul(layer.block.conv.forward(x), 1)));
    expect(relativeError(doubled, tf.relu(reference))).toBeLessThan(1e-6);
    tf.dispose([x, folded, unfused, doubled, reference]);
    layer.dispose();
  });

  it('forward (folded and plain) and gradients leak nothing; dispose releases every variable', async () => {
    const before = tf.memory().numTensors;
    for (const [name, { input: shape, train }] of Object.entries(CASES)) {
      const layer = loaded(name, train);
      const x = input(name, shape);
      await expectNoLeaks(() => layer.forward(x).dispose());
      await expectNoLeaks(() =>
        tf
          .grad((image) => tf.sum(layer.forward(image as tf.Tensor4D)))(x)
          .dispose(),
      );
      const variables = layer.trainableVariables().map(([, variable]) => variable);
      if (variables.length > 0) {
        await expectNoLeaks(() => {
          const { value, grads } = tf.variableGrads(() => tf.sum(layer.forward(x)), variables);
          tf.dispose([value, ...Object.values(grads)]);
        });
      }
      x.dispose();
      layer.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
}, ['cpu']);

function nchw([n, h, w, c]: number[]): [number, number, number, number] {
  return [n!, c!, h!, w!];
}
