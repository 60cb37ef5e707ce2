// Run by src/register-gradients.test.ts in a plain `node` process (no bundler, no vite) against
// the built dist: reads inputs as JSON on stdin, prints conv2d and gather gradients on cpu and wasm.
import { readFileSync } from 'node:fs';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import '@rcnn/train-kernels/register-gradients';
import { registerTrainingKernels } from '@rcnn/train-kernels';
import { gradientsOnBackends } from './plain-node-gradients-body.cjs';

const input = JSON.parse(readFileSync(0, 'utf8'));
registerTrainingKernels();
process.stdout.write(JSON.stringify(await gradientsOnBackends(tf, input)));
