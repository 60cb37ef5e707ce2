import type { PositiveNegativeSampler, SampledIndices } from '@rcnn/core';
import {
  asBoxes,
  type Boxes,
  deterministicStateDict,
  deterministicTensor,
  type FeatureMaps,
  type ImageBatch,
  type ImageSize,
  type LevelName,
  readSafetensors,
  type SafetensorsFile,
  type StateDict,
} from '@rcnn/core';
import { readFixtureBytes } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import type { RpnHeadOutputs } from '../src/flatten-head-outputs';
import { RpnHead } from '../src/rpn-head';

/** torchvision's RPN on a small pyramid, written by tools/reference/gen_rpn.py. */
export interface RpnFixture {
  readonly file: SafetensorsFile;
  readonly channels: number;
  readonly padded: ImageSize;
  readonly imageSizes: ImageSize[];
  readonly levels: [LevelName, number, number][];
  readonly numAnchorsPerLevel: number[];
  readonly proposalConfigs: Record<string, [pre: number, post: number, scoreThresh: number]>;
  floats(name: string): Float32Array;
  ints(name: string): Int32Array;
  shape(name: string): number[];
  has(name: string): boolean;
}

let cached: RpnFixture | undefined;

export function rpnFixture(): RpnFixture {
  if (cached) return cached;
  const file = readSafetensors(
    readFixtureBytes(new URL('../src/index.ts', import.meta.url).href, 'rpn.safetensors'),
  );
  const meta = (key: string) => JSON.parse(file.metadata[key]!);
  const entry = (name: string) => {
    const found = file.tensors.get(name);
    if (!found) throw new Error(`fixture has no ${name}`);
    return found;
  };
  cached = {
    file,
    channels: meta('channels'),
    padded: meta('padded'),
    imageSizes: meta('imageSizes'),
    levels: meta('levels'),
    numAnchorsPerLevel: meta('numAnchorsPerLevel'),
    proposalConfigs: meta('proposalConfigs'),
    floats: (name) => entry(name).data as Float32Array,
    ints: (name) => entry(name).data as Int32Array,
    shape: (name) => [...entry(name).shape],
    has: (name) => file.tensors.has(name),
  };
  return cached;
}

/** A fixture tensor on the current backend; caller owns. */
export function fixtureTensor(name: string): tf.Tensor {
  const fixture = rpnFixture();
  const { dtype, data } = fixture.file.tensors.get(name)!;
  return tf.tensor(
    data as Float32Array | Int32Array,
    fixture.shape(name),
    dtype === 'int32' ? 'int32' : 'float32',
  );
}

export function fixtureBoxes(name: string): Boxes {
  return asBoxes(fixtureTensor(name));
}

/** The features gen_rpn.py fed torchvision (NHWC), one level per fixture level; caller owns. */
export function fixtureFeatures(): FeatureMaps {
  const fixture = rpnFixture();
  const batch = fixture.imageSizes.length;
  return fixture.levels.map(([name, h, w], level) => {
    const shape = [batch, h, w, fixture.channels];
    return {
      name,
      stride: 2 ** (level + 2),
      tensor: tf.tensor4d(deterministicTensor(`rpn/features/${name}`, shape, -1, 1), shape as never),
    };
  });
}

/** The padded (zero) batch with the fixture's image sizes; caller owns the tensor. */
export function fixtureBatch(): ImageBatch {
  const fixture = rpnFixture();
  return {
    tensor: tf.zeros([fixture.imageSizes.length, ...fixture.padded, 3]),
    imageSizes: fixture.imageSizes,
    originalSizes: fixture.imageSizes,
  };
}

/** torchvision's flattened head outputs; caller owns. */
export function fixtureHeadOutputs(): RpnHeadOutputs {
  return {
    objectness: fixtureTensor('head/objectness') as tf.Tensor2D,
    boxDeltas: fixtureTensor('head/boxDeltas') as tf.Tensor3D,
    numAnchorsPerLevel: rpnFixture().numAnchorsPerLevel,
  };
}

/** The deterministic head weights detweights.fill_module(head, 'rpn.head.') gave torchvision. */
export function fixtureHeadWeights(): StateDict {
  const probe = new RpnHead({ inChannels: rpnFixture().channels, numAnchors: 3 });
  const shapes = probe.stateDictShapes('rpn.head.');
  probe.dispose();
  return deterministicStateDict(shapes);
}

/** An RpnHead with the fixture's weights; caller disposes. */
export function fixtureHead(): RpnHead {
  const head = new RpnHead({ inChannels: rpnFixture().channels, numAnchors: 3 });
  head.loadStateDict(fixtureHeadWeights());
  return head;
}

export function disposeFeatures(features: FeatureMaps): void {
  for (const level of features) level.tensor.dispose();
}

/** Replays torchvision's sampled indices (recorded with torch.manual_seed(0)). */
export function torchvisionSampler(): PositiveNegativeSampler {
  const fixture = rpnFixture();
  return {
    sample: (labels) =>
      labels.map(
        (_, image): SampledIndices => ({
          positive: fixture.ints(`sampled/positive/${image}`),
          negative: fixture.ints(`sampled/negative/${image}`),
        }),
      ),
  };
}
