import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { deterministicTensor, disposeFeatureMaps, tfjsToTorchLayout } from '@rcnn/core';
import { describeEachBackend, relativeError } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { deterministicBackboneWeights, readFixture } from '../test/fixture-cases';
import type { NormLayer } from './norm-layer';
import { ResnetFpnBackbone } from './resnet-fpn-backbone';

/** Shape, L2 norm and projections on `projection{k}/<name>` (tools/reference/gen_backbone_grad.py). */
interface Summary {
  readonly shape: number[];
  readonly norm: number;
  readonly projections: [number, number];
}

/**
 * Compares `data` (in the summary's layout) with torch's float64 summary: the norm's relative
 * error, and each projection's error times sqrt(3) / norm (the directions are uniform in [-1, 1],
 * variance 1/3, so this estimates the relative L2 error ||a - b|| / ||b||). Returns the worst.
 */
function summaryError(name: string, data: Float32Array, expected: Summary): number {
  let squares = 0;
  for (const value of data) squares += value * value;
  const errors = [Math.abs(Math.sqrt(squares) / expected.norm - 1)];
  for (const k of [0, 1]) {
    const direction = deterministicTensor(`projection${k}/${name}`, expected.shape, -1, 1);
    let actual = 0;
    for (let i = 0; i < data.length; i++) actual += data[i]! * direction[i]!;
    errors.push((Math.abs(actual - expected.projections[k]!) * Math.sqrt(3)) / expected.norm);
  }
  return Math.max(...errors);
}

// Each step blocks the event loop for seconds on the cpu backend: one macrotask turn around each
// test lets the runner's messages through (else vitest reports "Timeout calling onTaskUpdate").
const yieldToRunner = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
beforeEach(yieldToRunner);
afterEach(yieldToRunner);

const CASES: [NormLayer, number][] = [
  ['frozen-bn', 3],
  ['bn', 5],
  ['gn', 5],
];

describeEachBackend('half-width ResNet-18-FPN training step vs torchvision (forward, every parameter gradient)', () => {
  for (const [norm, trainableLayers] of CASES) {
    it(`${norm}, trainable layers ${trainableLayers}: levels within 1e-4, every gradient within 1e-4 (relative, vs float64 torch)`, () => {
      const fixture = readFixture(`grad-${norm}.safetensors`);
      const outputs = JSON.parse(fixture.metadata.outputs!) as Record<string, Summary>;
      const gradients = JSON.parse(fixture.metadata.gradients!) as Record<string, Summary>;
      const options = { depth: 18, baseChannels: 32, outChannels: 64, norm, trainableLayers } as const;
      const backbone = new ResnetFpnBackbone(options);
      try {
        backbone.loadStateDict(deterministicBackboneWeights(options), 'backbone.');
        backbone.train();
        const trainable = backbone.trainableVariables('backbone.');
        expect(trainable.map(([name]) => name).sort()).toEqual(Object.keys(gradients).sort());
        const shapes = new Map(backbone.stateDictShapes('backbone.'));
        const [n, c, h, w] = JSON.parse(fixture.metadata.input_shape!) as number[];
        const images = tf.tidy(() =>
          tf.transpose(
            tf.tensor4d(deterministicTensor('backbone/grad/input', [n!, c!, h!, w!]), [n!, c!, h!, w!]),
            [0, 2, 3, 1],
          ),
        );
        const { value, grads } = tf.variableGrads(
          () => {
            const levels = backbone.forward(images);
            const terms = levels.map(({ name, tensor }) => {
              const expected = outputs[name]!;
              const [, height, width, channels] = tensor.shape;
              expect(tensor.shape, name).toEqual(expected.shape);
              expect(summaryError(name, tensor.dataSync() as Float32Array, expected), name).toBeLessThan(
                1e-4,
              );
              const nchw = [n!, channels, height, width];
              const cotangent = tf.tensor4d(
                deterministicTensor(`backbone/grad/cotangent/${name}`, nchw),
                nchw as [number, number, number, number],
              );
              return tf.sum(tf.mul(tensor, tf.transpose(cotangent, [0, 2, 3, 1])));
            });
            disposeFeatureMaps(levels);
            return tf.addN(terms) as tf.Scalar;
          },
          trainable.map(([, variable]) => variable),
        );
        let worst = 0;
        for (const [name, variable] of trainable) {
          const torchGrad = tfjsToTorchLayout(
            grads[variable.name]!.dataSync() as Float32Array,
            shapes.get(name)!,
          );
          const error = summaryError(name, torchGrad, gradients[name]!);
          worst = Math.max(worst, error);
          expect(error, name).toBeLessThan(1e-4);
          const full = fixture.tensors.get(`grad/${name}`);
          if (full) expect(relativeError(torchGrad, full.data), name).toBeLessThan(1e-4);
        }
        console.info(
          `${norm}: worst relative gradient error ${worst.toExponential(2)} over ${trainable.length} parameters`,
        );
        for (const [key, entry] of fixture.tensors) {
          if (!key.startsWith('after/')) continue;
          const name = key.slice('after/'.length);
          const variable = backbone
            .namedEntries('backbone.')
            .find(([entryName]) => entryName === name)![1].variable;
          expect(relativeError(variable, entry.data), name).toBeLessThan(1e-5);
        }
        tf.dispose([images, value, ...Object.values(grads)]);
      } finally {
        backbone.dispose();
      }
    }, 300_000);
  }
}, ['cpu']);
