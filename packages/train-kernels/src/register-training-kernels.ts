import * as tf from '@tensorflow/tfjs-core';
import { resizeBilinearGradCpu } from './kernels/cpu/resize-bilinear-grad';
import { batchMatMulWasm } from './kernels/wasm/batch-mat-mul';
import { conv2dBackpropFilterWasm } from './kernels/wasm/conv2d-backprop-filter';
import { conv2dBackpropInputWasm } from './kernels/wasm/conv2d-backprop-input';
import { depthwiseBackpropFilterWasm, depthwiseBackpropInputWasm } from './kernels/wasm/depthwise-backprop';
import { identityWasm } from './kernels/wasm/identity';
import { maxPoolGradWasm } from './kernels/wasm/max-pool-grad';
import { resizeBilinearGradWasm } from './kernels/wasm/resize-bilinear-grad';
import { unsortedSegmentSumWasm } from './kernels/wasm/unsorted-segment-sum';
import { resizeBilinearGradWebgpu } from './kernels/webgpu/resize-bilinear-grad';

/** Backends this package has kernels for (cpu and webgpu: only a correct `ResizeBilinearGrad`). */
export type TrainingKernelsBackendName = 'wasm' | 'cpu' | 'webgpu';

/** Options of {@link registerTrainingKernels}. */
export interface TrainingKernelsOptions {
  /** Default `['wasm']`; add `'cpu'` or `'webgpu'` to train on tfjs-backend-cpu or -webgpu. */
  backends?: readonly TrainingKernelsBackendName[];
  /**
   * Also replace a `BatchMatMul` / `Conv2DBackpropInput` that is not tfjs-wasm's own (e.g. one a
   * native package registered on purpose). Default false.
   */
  override?: boolean;
}

/** What {@link registerTrainingKernels} did. */
export interface TrainingKernelsRegistration {
  /** Kernel names now served by this package (a name once per backend). */
  registered: string[];
  /** Kernel names left as they were because someone else registered them (see `override`). */
  kept: string[];
}

/**
 * The backends' kernel function names for the kernels this package replaces (unminified builds;
 * a bundler may append a number where two modules' names collide, e.g. vite's pre-bundling).
 */
const BUILT_IN_NAMES: Record<string, string> = {
  [tf.BatchMatMul]: 'batchMatMul',
  [tf.Conv2DBackpropInput]: 'conv2DBackpropInput',
  [tf.Identity]: 'identity',
  [tf.MaxPoolGrad]: 'maxPoolGrad',
  [tf.ResizeBilinearGrad]: 'resizeBilinearGrad',
};
/** Kernels this package adds where a backend has none. */
const ADDED_WASM = [
  unsortedSegmentSumWasm,
  conv2dBackpropFilterWasm,
  depthwiseBackpropFilterWasm,
  depthwiseBackpropInputWasm,
];
/** Kernels this package puts in place of the backend's own, made from the one they replace. */
const REPLACED: Record<
  TrainingKernelsBackendName,
  [string, (current?: tf.KernelConfig) => tf.KernelConfig][]
> = {
  wasm: [
    [tf.BatchMatMul, batchMatMulWasm],
    [tf.Conv2DBackpropInput, conv2dBackpropInputWasm],
    [tf.Identity, () => identityWasm],
    [tf.MaxPoolGrad, () => maxPoolGradWasm],
    [tf.ResizeBilinearGrad, () => resizeBilinearGradWasm],
  ],
  cpu: [[tf.ResizeBilinearGrad, () => resizeBilinearGradCpu]],
  webgpu: [[tf.ResizeBilinearGrad, () => resizeBilinearGradWebgpu]],
};
const BACKENDS = Object.keys(REPLACED) as TrainingKernelsBackendName[];

function isBuiltIn(kernelName: string, current: tf.KernelConfig): boolean {
  const name = current.kernelFunc.name;
  const builtIn = BUILT_IN_NAMES[kernelName];
  return name === builtIn || (name.startsWith(builtIn!) && /^\d+$/.test(name.slice(builtIn!.length)));
}
/**
 * Kept on the global object, like tfjs's registries: a second copy of this package (an ESM and a
 * CJS build in one process, or two bundles) must recognise the first one's kernels as its own.
 */
interface RegistrationState {
  /** The configs this package registered. */
  ours: WeakSet<tf.KernelConfig>;
  /** What they replaced, by `backend/kernel name`. */
  replaced: Map<string, tf.KernelConfig>;
}
const STATE_KEY = Symbol.for('@rcnn/train-kernels/registration');
const globals = globalThis as { [STATE_KEY]?: RegistrationState };
globals[STATE_KEY] ??= { ours: new WeakSet(), replaced: new Map() };
const { ours, replaced } = globals[STATE_KEY];

function register(config: tf.KernelConfig, registration: TrainingKernelsRegistration): void {
  const key = `${config.backendName}/${config.kernelName}`;
  const current = tf.getKernel(config.kernelName, config.backendName);
  if (current && !ours.has(current) && !replaced.has(key)) replaced.set(key, current);
  if (current) tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
  ours.add(config);
  registration.registered.push(config.kernelName);
}

/**
 * Registers the training kernels for `backends` (wasm): `UnsortedSegmentSum` (gather's
 * gradient), `Conv2DBackpropFilter`, `DepthwiseConv2dNativeBackpropFilter` / `Input` where none is
 * registered, and SIMD `BatchMatMul` (all transposes), `Conv2DBackpropInput`, a correct
 * `MaxPoolGrad` and `ResizeBilinearGrad` and an `Identity` that shares instead of copying in place
 * of tfjs-wasm's own; on cpu and webgpu (when
 * `backends` names them) a correct `ResizeBilinearGrad` in place of the backend's (the built-ins
 * ignore `halfPixelCenters`). A kernel someone else registered is never replaced unless `override` is set;
 * where tfjs-wasm's own cannot be recognised (a minifying bundler renamed its functions) it is
 * kept too and listed in `kept`.
 *
 * Order with other kernel packages: call this first, then e.g. `registerNativeKernels()` from
 * `@rcnn/kernels-native`, which replaces the kernels it serves and falls back to the ones it
 * found (these). Called afterwards, this keeps the native kernels. Safe to call more than once.
 * Call it after importing `@tensorflow/tfjs-backend-wasm` (and `-cpu` / `-webgpu`: their imports register
 * their kernels over whatever is there), before or after `tf.setBackend('wasm')` (the replaced kernels' setup runs
 * through ours).
 */
export function registerTrainingKernels(options: TrainingKernelsOptions = {}): TrainingKernelsRegistration {
  const registration: TrainingKernelsRegistration = { registered: [], kept: [] };
  const backends = options.backends ?? ['wasm'];
  if (backends.includes('wasm')) {
    for (const config of ADDED_WASM) {
      const current = tf.getKernel(config.kernelName, 'wasm');
      if (current && ours.has(current)) registration.registered.push(config.kernelName);
      else if (current === undefined || options.override) register(config, registration);
      else registration.kept.push(config.kernelName);
    }
  }
  for (const backend of BACKENDS.filter((name) => backends.includes(name))) {
    for (const [name, make] of REPLACED[backend]) {
      const current = tf.getKernel(name, backend);
      if (current && ours.has(current)) {
        registration.registered.push(name);
        continue;
      }
      const builtIn = current === undefined || isBuiltIn(name, current);
      if (builtIn || options.override) register(make(current), registration);
      else registration.kept.push(name);
    }
  }
  return registration;
}

/** Puts back the kernels {@link registerTrainingKernels} replaced and removes the ones it added. */
export function unregisterTrainingKernels(): void {
  const served = [
    ...ADDED_WASM.map((config) => [config.kernelName, 'wasm'] as const),
    ...BACKENDS.flatMap((backend) => REPLACED[backend].map(([name]) => [name, backend] as const)),
  ];
  for (const [name, backend] of served) {
    const current = tf.getKernel(name, backend);
    if (!current || !ours.has(current)) continue;
    tf.unregisterKernel(name, backend);
    const previous = replaced.get(`${backend}/${name}`);
    if (previous) tf.registerKernel(previous);
  }
  replaced.clear();
}
