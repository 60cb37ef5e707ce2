/**
 * Run by src/wasm-threads.test.ts in a fresh process (the wasm backend starts once per process):
 * starts the threaded wasm build with the thread count in argv, runs a convolution and a matmul on
 * it and on cpu, prints one JSON line, and then returns without cleanup, so the parent can check
 * that Node exits on its own (the pthread workers must not hold it).
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { startThreadedWasm } from '../src/wasm-threads';

const started = await startThreadedWasm(Number(process.argv[2]));
// A second call, after the backend started, changes nothing.
const again = started.reason ? undefined : await startThreadedWasm(4);
if (started.reason) await tf.setBackend('wasm'); // the single-threaded build
const backend = tf.getBackend();
const run = () =>
  tf.tidy(() => {
    const x = tf.randomUniform([1, 24, 24, 16], -1, 1, 'float32', 1);
    const filter = tf.randomUniform([3, 3, 16, 32], -1, 1, 'float32', 2);
    const conv = tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, 'same');
    const product = tf.matMul(tf.reshape(conv, [576, 32]), tf.randomUniform([32, 64], -1, 1, 'float32', 3));
    return Array.from(product.dataSync());
  });
const onWasm = run();
await tf.setBackend('cpu');
const onCpu = run();
let maxDiff = 0;
for (let i = 0; i < onCpu.length; i++) maxDiff = Math.max(maxDiff, Math.abs(onWasm[i]! - onCpu[i]!));
const scale = Math.max(...onCpu.map(Math.abs));
console.log(JSON.stringify({ started, again, backend, maxDiff, scale }));
