import { readSafetensors, type SafetensorsFile, type WeightTensor } from '@rcnn/core';
import { readFixtureBytes } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';

/** Test-only: reads `src/__fixtures__/<name>` (written by tools/reference/gen_heads.py). */
export function readHeadsFixture(name: string): SafetensorsFile {
  return readSafetensors(readFixtureBytes(new URL('../index.ts', import.meta.url).href, name));
}

/** Test-only: one fixture entry as a tensor of its stored shape and dtype; caller owns. */
export function fixtureTensor(file: SafetensorsFile, name: string): tf.Tensor {
  const entry: WeightTensor | undefined = file.tensors.get(name);
  if (!entry) throw new Error(`fixture has no ${name}`);
  return tf.tensor(
    entry.data as Float32Array | Int32Array,
    [...entry.shape],
    entry.dtype === 'int32' ? 'int32' : 'float32',
  );
}

/** Test-only: one fixture entry as plain numbers. */
export function fixtureArray(file: SafetensorsFile, name: string): number[] {
  const entry = file.tensors.get(name);
  if (!entry) throw new Error(`fixture has no ${name}`);
  return Array.from(entry.data);
}
