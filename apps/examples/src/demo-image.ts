import { deterministicTensor } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * A stand-in photo: `[height, width, 3]` int32 RGB 0..255 from core's deterministic generator
 * (what `decodeImage(await readFile('photo.jpg'))` from `@rcnn/core` would give). Caller owns.
 */
export function demoImage(height = 60, width = 80, key = 'examples/image'): tf.Tensor3D {
  return tf.tidy(() =>
    tf.cast(
      tf.floor(tf.tensor3d(deterministicTensor(key, [height, width, 3], 0, 256), [height, width, 3])),
      'int32',
    ),
  );
}

/** True when the file runs as a program (`npx vite-node src/<example>.ts`), not under the tests. */
export function runsAsProgram(): boolean {
  return !process.env.VITEST;
}
