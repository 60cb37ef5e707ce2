import { readSafetensors, type WeightTensor } from '@rcnn/core';
import { readFixtureBytes } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';

/** The torch fixture of tools/reference/gen_train_kernels.py (`src/__fixtures__/`). */
export interface TrainFixture {
  tensor(name: string): WeightTensor;
  /** A new tfjs tensor of `name`; caller owns. */
  load(name: string): tf.Tensor;
  cases: {
    convs: { name: string; stride: number; padding: number }[];
    transposed: { name: string; stride: number; padding: number; outShape: number[] }[];
    linear: { name: string }[];
  };
}

let cached: TrainFixture | undefined;

export function trainFixture(): TrainFixture {
  if (cached) return cached;
  const file = readSafetensors(
    readFixtureBytes(new URL('../src/index.ts', import.meta.url).href, 'train-kernels.safetensors'),
  );
  const tensor = (name: string) => {
    const found = file.tensors.get(name);
    if (!found) throw new Error(`fixture has no ${name}`);
    return found;
  };
  cached = {
    tensor,
    load: (name) => {
      const t = tensor(name);
      return tf.tensor(
        t.data as Float32Array | Int32Array,
        [...t.shape],
        t.dtype === 'int32' ? 'int32' : 'float32',
      );
    },
    cases: JSON.parse(file.metadata.cases!),
  };
  return cached;
}

/** torch's symmetric `padding` as tfjs explicit NHWC pads. */
export function explicitPad(
  padding: number,
): [[number, number], [number, number], [number, number], [number, number]] {
  return [
    [0, 0],
    [padding, padding],
    [padding, padding],
    [0, 0],
  ];
}
