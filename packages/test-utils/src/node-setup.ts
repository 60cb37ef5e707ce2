// vitest setup file of every package's Node tests that has tfjs (tooling/vitest.base.ts):
// TensorFlow.js's console notes off, so test output shows only what the tests print.
import { quietTfjs } from './quiet-tfjs';

quietTfjs();
