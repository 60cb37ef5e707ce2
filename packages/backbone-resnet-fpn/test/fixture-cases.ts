import {
  deterministicStateDict,
  deterministicTensor,
  readSafetensors,
  type SafetensorsFile,
  type StateDict,
} from '@rcnn/core';
import { readFixtureBytes, readFixtureJson } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { resnetFpnParameterShapes } from '../src/parameter-shapes';
import type { ResnetFpnOptions } from '../src/resnet-fpn-options';

/** Resolves fixture names against src/__fixtures__ (where tools/reference/gen_backbone.py writes). */
const SOURCE_DIR = new URL('../src/index.ts', import.meta.url).href;

export function readFixture(name: string): SafetensorsFile {
  return readSafetensors(readFixtureBytes(SOURCE_DIR, name));
}

export function readParameterShapes(): Record<string, [string, number[]][]> {
  return readFixtureJson(SOURCE_DIR, 'parameter-shapes.json');
}

/** The weights gen_backbone.py gave torchvision: every entry filled from its name by detweights.fill_module. */
export function deterministicBackboneWeights(options: ResnetFpnOptions, prefix = 'backbone.'): StateDict {
  return deterministicStateDict(resnetFpnParameterShapes(options, prefix));
}

/**
 * The input of a fixture: `detweights.tensor(inputKey, [1, 3, h, w])` (NCHW), made NHWC and
 * zero-padded bottom/right to `paddedSize` as torchvision's batch_images does. Caller owns.
 */
export function fixtureImages(fixture: SafetensorsFile): tf.Tensor4D {
  const key = fixture.metadata.inputKey!;
  const [height, width] = JSON.parse(fixture.metadata.imageSize!) as [number, number];
  const [paddedHeight, paddedWidth] = JSON.parse(fixture.metadata.paddedSize!) as [number, number];
  return tf.tidy(() => {
    const nchw = tf.tensor4d(deterministicTensor(key, [1, 3, height, width]), [1, 3, height, width]);
    return tf.pad(tf.transpose(nchw, [0, 2, 3, 1]), [
      [0, 0],
      [0, paddedHeight - height],
      [0, paddedWidth - width],
      [0, 0],
    ]);
  });
}
