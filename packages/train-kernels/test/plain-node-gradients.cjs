// The CommonJS twin of plain-node-gradients.mjs: require() resolves the package's CJS build.
const { readFileSync } = require('node:fs');
require('@tensorflow/tfjs-backend-cpu');
require('@tensorflow/tfjs-backend-wasm');
const tf = require('@tensorflow/tfjs-core');
require('@rcnn/train-kernels/register-gradients');
const { registerTrainingKernels } = require('@rcnn/train-kernels');
const { gradientsOnBackends } = require('./plain-node-gradients-body.cjs');

const input = JSON.parse(readFileSync(0, 'utf8'));
registerTrainingKernels();
gradientsOnBackends(tf, input).then((result) => process.stdout.write(JSON.stringify(result)));
