export { describeEachBackend, NODE_BACKENDS, type NodeBackend, useBackend } from './backends';
export { readFixtureBytes, readFixtureJson } from './fixtures';
export { disposeAll, expectNoLeaks } from './leaks';
export { quietTfjs, TFJS_NODE_BANNER } from './quiet-tfjs';
export { randomBoxes, seededRandom } from './random-boxes';
export { expectTensorsClose, maxAbsDiff, relativeError } from './tensors-close';
