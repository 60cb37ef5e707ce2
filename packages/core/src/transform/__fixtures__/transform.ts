import { readFixtureBytes } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import type { ImageSize } from '../../types/images';
import { deterministicTensor } from '../../weights/deterministic-weights';
import { readSafetensors } from '../../weights/safetensors';
import type { WeightTensor } from '../../weights/state-dict';

/** transform.safetensors, written by tools/reference/gen_core_transform.py from torchvision 0.14. */
const file = readSafetensors(
  readFixtureBytes(new URL('../image-transform.test.ts', import.meta.url).href, 'transform.safetensors'),
);

export function fixtureArray(name: string): WeightTensor {
  const entry = file.tensors.get(name);
  if (!entry) throw new Error(`fixture transform.safetensors has no tensor ${name}`);
  return entry;
}

export function fixtureTensor(name: string): tf.Tensor {
  const entry = fixtureArray(name);
  const dtype = entry.dtype === 'float32' ? 'float32' : 'int32';
  return tf.tensor(dtype === 'int32' ? Int32Array.from(entry.data) : entry.data, [...entry.shape], dtype);
}

export function fixtureMeta<T>(key: string): T {
  return JSON.parse(file.metadata[key]!) as T;
}

/** The generator's input images (never stored): detweights.tensor in CHW, returned as HWC float32 0..1. */
export function fixtureImages(): tf.Tensor3D[] {
  return fixtureMeta<ImageSize[]>('imageSizes').map(([height, width], index) =>
    tf.tidy(() =>
      tf.transpose(
        tf.tensor3d(deterministicTensor(`transform/image${index}`, [3, height, width], 0, 1), [3, height, width]),
        [1, 2, 0],
      ),
    ),
  );
}
