import { readFixtureBytes } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { asBoxes, type Boxes } from '../../types/boxes';
import { readSafetensors } from '../../weights/safetensors';
import type { WeightTensor } from '../../weights/state-dict';

/** box-ops.safetensors, written by tools/reference/gen_core_ops.py from torchvision 0.14. */
const file = readSafetensors(readFixtureBytes(new URL('../box-ops.test.ts', import.meta.url).href, 'box-ops.safetensors'));

export const boxOpsMetadata = file.metadata;

export function fixtureArray(name: string): WeightTensor {
  const entry = file.tensors.get(name);
  if (!entry) throw new Error(`fixture box-ops.safetensors has no tensor ${name}`);
  return entry;
}

export function fixtureTensor(name: string): tf.Tensor {
  const entry = fixtureArray(name);
  return tf.tensor(entry.data as Float32Array | Int32Array, [...entry.shape], entry.dtype === 'int32' ? 'int32' : 'float32');
}

export function fixtureBoxes(name: string): Boxes {
  return asBoxes(fixtureTensor(name));
}

/** Metadata entry parsed as JSON. */
export function fixtureMeta<T>(key: string): T {
  return JSON.parse(file.metadata[key]!) as T;
}
