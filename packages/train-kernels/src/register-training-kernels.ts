import * as tf from '@tensorflow/tfjs-core';
import { batchMatMulWasm } from './kernels/wasm/batch-mat-mul';
import { conv2dBackpropFilterWasm } from './kernels/wasm/conv2d-backprop-filter';
import { conv2dBackpropInputWasm } from './kernels/wasm/conv2d-backprop-input';
import { depthwiseBackpropFilterWasm, depthwiseBackpropInputWasm } from './kernels/wasm/depthwise-backprop';
import { maxPoolGradWasm } from './kernels/wasm/max-pool-grad';
import { unsortedSegmentSumWasm } from './kernels/wasm/unsorted-segment-sum';

/** Backends this package has kernels for. */
export type TrainingKernelsBackendName = 'wasm';

/** Options of {@link registerTrainingKernels}. */
export interface TrainingKernelsOptions {
  /** Default `['wasm']`. */
  backends?: readonly TrainingKernelsBackendName[];
  /**
   * Also replace a `BatchMatMul` / `Conv2DBackpropInput` that is not tfjs-wasm's own (e.g. one a
   * native package registered on purpose). Default false.
   */
  override?: boolean;
}

/** What {@link registerTrainingKernels} did. */
export interface TrainingKernelsRegistration {
  /** Kernel names now served by this package. */
  registered: string[];
  /** Kernel names left as they were because someone else registered them (see `override`). */
  kept: string[];
}

/** tfjs-wasm's kernel function names for the kernels this package replaces (unminified builds). */
const BUILT_IN_NAMES: Record<string, string> = {
  [tf.BatchMatMul]: 'batchMatMul',
  [tf.Conv2DBackpropInput]: 'conv2DBackpropInput',
  [tf.MaxPoolGrad]: 'maxPoolGrad',
};
/**
 * Kept on the global object, like tfjs's registries: a second copy of this package (an ESM and a
 * CJS build in one process, or two bundles) must recognise the first one's kernels as its own.
 */
interface RegistrationState {
  /** The configs this package registered. */
  ours: WeakSet<tf.KernelConfig>;
  /** What they replaced, by kernel name. */
  replaced: Map<string, tf.KernelConfig>;
}
const STATE_KEY = Symbol.for('@rcnn/train-kernels/registration');
const globals = globalThis as { [STATE_KEY]?: RegistrationState };
globals[STATE_KEY] ??= { ours: new WeakSet(), replaced: new Map() };
const { ours, replaced } = globals[STATE_KEY];

function register(config: tf.KernelConfig, registration: TrainingKernelsRegistration): void {
  const current = tf.getKernel(config.kernelName, config.backendName);
  if (current && !ours.has(current) && !replaced.has(config.kernelName))
    replaced.set(config.kernelName, current);
  if (current) tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
  ours.add(config);
  registration.registered.push(config.kernelName);
}

/**
 * Registers the training kernels for `backends` (wasm): `UnsortedSegmentSum` (gather's
 * gradient), `Conv2DBackpropFilter`, `DepthwiseConv2dNativeBackpropFilter` / `Input` where none is
 * registered, and SIMD `BatchMatMul` (all transposes), `Conv2DBackpropInput` and a correct
 * `MaxPoolGrad` in place of tfjs-wasm's own. A kernel someone else registered is never replaced unless `override` is set;
 * where tfjs-wasm's own cannot be recognised (a minifying bundler renamed its functions) it is
 * kept too and listed in `kept`.
 *
 * Order with other kernel packages: call this first, then e.g. `registerNativeKernels()` from
 * `@rcnn/kernels-native`, which replaces the kernels it serves and falls back to the ones it
 * found (these). Called afterwards, this keeps the native kernels. Safe to call more than once.
 * Call it after importing `@tensorflow/tfjs-backend-wasm` (its import registers its kernels over
 * whatever is there), before or after `tf.setBackend('wasm')` (the replaced kernels' setup runs
 * through ours).
 */
export function registerTrainingKernels(options: TrainingKernelsOptions = {}): TrainingKernelsRegistration {
  const registration: TrainingKernelsRegistration = { registered: [], kept: [] };
  if (!(options.backends ?? ['wasm']).includes('wasm')) return registration;
  for (const config of [
    unsortedSegmentSumWasm,
    conv2dBackpropFilterWasm,
    depthwiseBackpropFilterWasm,
    depthwiseBackpropInputWasm,
  ]) {
    const current = tf.getKernel(config.kernelName, 'wasm');
    if (current && ours.has(current)) registration.registered.push(config.kernelName);
    else if (current === undefined || options.override) register(config, registration);
    else registration.kept.push(config.kernelName);
  }
  for (const [name, make] of [
    [tf.BatchMatMul, batchMatMulWasm],
    [tf.Conv2DBackpropInput, conv2dBackpropInputWasm],
    [tf.MaxPoolGrad, () => maxPoolGradWasm],
  ] as const) {
    const current = tf.getKernel(name, 'wasm');
    if (current && ours.has(current)) {
      registration.registered.push(name);
      continue;
    }
    const builtIn = current === undefined || current.kernelFunc.name === BUILT_IN_NAMES[name];
    if (builtIn || options.override) register(make(current), registration);
    else registration.kept.push(name);
  }
  return registration;
}

/** Puts back the kernels {@link registerTrainingKernels} replaced and removes the ones it added. */
export function unregisterTrainingKernels(): void {
  for (const name of [
    tf.UnsortedSegmentSum,
    tf.Conv2DBackpropFilter,
    tf.DepthwiseConv2dNativeBackpropFilter,
    tf.DepthwiseConv2dNativeBackpropInput,
    tf.BatchMatMul,
    tf.Conv2DBackpropInput,
    tf.MaxPoolGrad,
  ]) {
    const current = tf.getKernel(name, 'wasm');
    if (!current || !ours.has(current)) continue;
    tf.unregisterKernel(name, 'wasm');
    const previous = replaced.get(name);
    if (previous) tf.registerKernel(previous);
  }
  replaced.clear();
}
