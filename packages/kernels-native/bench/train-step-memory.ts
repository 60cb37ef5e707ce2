/**
 * Peak memory of training steps of `rcnn train`'s default model (bench/train-step-setup.ts) in
 * this process: the wasm heap (which only grows, so its size is the peak) and the resident set
 * after `--steps` steps on every kernel this package has. `--identity tfjs` puts tfjs-wasm's own
 * `Identity` back (it copies every tensor the engine keeps for the backward pass; @rcnn/train-kernels
 * shares them). One setting per process, since the heap never shrinks. Run:
 * `npx pnpm@9.15.9 --filter @rcnn/kernels-native bench:train-memory [-- --steps 3 --threads 1 --identity tfjs]`.
 */
import '@tensorflow/tfjs-backend-wasm';
import '@rcnn/train-kernels/register-gradients';
import { cpus } from 'node:os';
import { registerTrainingKernels } from '@rcnn/train-kernels';
import * as tf from '@tensorflow/tfjs-core';
import { registerNativeKernels } from '../src/index';
import { argument, disposeBatch, makeDetector, syntheticBatch, trainingStep } from './train-step-setup';

const steps = Number(argument('steps', '3'));
const threads = Number(argument('threads', '1'));
const identity = argument('identity', 'shared');
if (identity !== 'shared' && identity !== 'tfjs') throw new Error(`--identity shared|tfjs, got ${identity}`);

const tfjsIdentity = tf.getKernel(tf.Identity, 'wasm')!;
registerTrainingKernels({ backends: ['wasm'] });
if (identity === 'tfjs') {
  tf.unregisterKernel(tf.Identity, 'wasm');
  tf.registerKernel(tfjsIdentity);
}
await tf.setBackend('wasm');
tf.enableProdMode();
registerNativeKernels({ threads });
const model = makeDetector();
const variables = [...model.trainableVariables().values()];
const { images, targets } = syntheticBatch(1);
for (let step = 0; step < steps; step++) {
  const started = performance.now();
  const loss = await trainingStep(model, variables, images, targets);
  console.log(
    `step ${step}: ${((performance.now() - started) / 1000).toFixed(2)} s, loss ${loss.toFixed(4)}`,
  );
}
const heap = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
const megabytes = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
console.log(
  `${cpus()[0]?.model}: Identity ${identity}, ${steps} steps: wasm heap ${megabytes(heap)} MB, ` +
    `resident set ${megabytes(process.memoryUsage().rss)} MB`,
);
disposeBatch(images, targets);
model.dispose();
