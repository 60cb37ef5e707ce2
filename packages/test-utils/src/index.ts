export { describeEachBackend, NODE_BACKENDS, type NodeBackend, useBackend } from './backends';
export { readFixtureBytes, readFixtureJson } from './fixtures';
export { disposeAll, expectNoLeaks } from './leaks';
export { randomBoxes, seededRandom } from './random-boxes';
export { expectTensorsClose, maxAbsDiff, relativeError } from './tensors-close';
