import { readFileSync } from 'node:fs';
import { deterministicStateDict, deterministicTensor, readSafetensors, type StateDict } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import type { GeneralizedRcnn } from '../generalized-rcnn';
import { createDetector } from '../presets/architecture-names';

/** The three presets tools/reference/gen_models.py runs through torchvision. */
export type FixtureName = 'fasterrcnn_resnet50_fpn' | 'maskrcnn_resnet50_fpn' | 'keypointrcnn_resnet50_fpn';

interface FixtureOptions {
  min_size: number;
  max_size: number;
  num_classes: number;
  box_detections_per_img?: number;
  num_keypoints?: number;
}

/** One preset's torchvision outputs with the inputs and options that produced them. */
export interface ModelFixture {
  readonly name: FixtureName;
  readonly tensors: StateDict;
  readonly options: FixtureOptions;
  readonly imageShapesChw: [number, number, number][];
  readonly imageKeys: string[];
  readonly resizedSizes: [number, number][];
  /** torchvision's full state_dict names and shapes (num_batches_tracked included). */
  readonly stateDictShapes: [string, number[]][];
  floats(key: string): Float32Array;
  ints(key: string): Int32Array;
  bytes(key: string): Uint8Array;
  shape(key: string): readonly number[];
  has(key: string): boolean;
}

const cache = new Map<FixtureName, ModelFixture>();

export function modelFixture(name: FixtureName): ModelFixture {
  const cached = cache.get(name);
  if (cached) return cached;
  const { tensors, metadata } = readSafetensors(
    new Uint8Array(readFileSync(new URL(`../__fixtures__/${name}.safetensors`, import.meta.url))),
  );
  const json = (key: string) => JSON.parse(metadata[key]!);
  const entry = (key: string) => {
    const found = tensors.get(key);
    if (!found) throw new Error(`fixture ${name} has no ${key}`);
    return found;
  };
  const fixture: ModelFixture = {
    name,
    tensors,
    options: json('options'),
    imageShapesChw: json('image_shapes_chw'),
    imageKeys: json('image_keys'),
    resizedSizes: json('resized_sizes'),
    stateDictShapes: json('state_dict'),
    floats: (key) => entry(key).data as Float32Array,
    ints: (key) => entry(key).data as Int32Array,
    bytes: (key) => entry(key).data as Uint8Array,
    shape: (key) => entry(key).shape,
    has: (key) => tensors.has(key),
  };
  cache.set(name, fixture);
  return fixture;
}

/** The fixture's images as HWC float32 0..1 tensors (detweights.tensor(key, [3, H, W], 0, 1), transposed). Caller owns. */
export function fixtureImages(fixture: ModelFixture): tf.Tensor3D[] {
  return fixture.imageShapesChw.map((shape, i) =>
    tf.tidy(() =>
      tf.transpose(tf.tensor3d(deterministicTensor(fixture.imageKeys[i]!, shape, 0, 1), shape), [1, 2, 0]),
    ),
  );
}

/** torchvision's deterministic weights for the fixture's model (its own state_dict list). */
export function fixtureWeights(fixture: ModelFixture): StateDict {
  return deterministicStateDict(fixture.stateDictShapes);
}

/** The preset with the fixture's options, loaded with its deterministic weights. Caller owns. */
export function fixtureModel(fixture: ModelFixture, weights = fixtureWeights(fixture)): GeneralizedRcnn {
  const { min_size, max_size, num_classes, box_detections_per_img, num_keypoints } = fixture.options;
  return createDetector(fixture.name, {
    minSize: min_size,
    maxSize: max_size,
    numClasses: num_classes,
    ...(box_detections_per_img === undefined ? {} : { boxDetectionsPerImg: box_detections_per_img }),
    ...(num_keypoints === undefined ? {} : { numKeypoints: num_keypoints }),
    weights,
  });
}
