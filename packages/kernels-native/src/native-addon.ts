import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * The addon's functions (native/addon.cc). Each kernel reads a Uint8Array over the whole
 * wasm heap and a Float64Array of geometry and byte offsets (layouts in native/kernels.h),
 * and writes its output in place; it throws when oneDNN rejects the problem.
 */
export interface NativeAddon {
  conv2d(heap: Uint8Array, params: Float64Array): void;
  conv2dBackpropInput(heap: Uint8Array, params: Float64Array): void;
  conv2dBackpropFilter(heap: Uint8Array, params: Float64Array): void;
  matMul(heap: Uint8Array, params: Float64Array): void;
  /** Broadcasting float32 binary op (native/elementwise.cc). */
  binary(heap: Uint8Array, params: Float64Array): void;
  /** Sum or mean over any axes (native/elementwise.cc). */
  reduce(heap: Uint8Array, params: Float64Array): void;
  /** Contiguous copy of a strided view: tile, slice, transpose, unpack (native/elementwise.cc). */
  stridedCopy(heap: Uint8Array, params: Float64Array): void;
  /** Gather along one axis (native/gather-pool.cc). */
  gather(heap: Uint8Array, params: Float64Array): void;
  /** Max pooling's input gradient (native/gather-pool.cc). */
  maxPoolGrad(heap: Uint8Array, params: Float64Array): void;
  /** Sets oneDNN's OpenMP thread count; returns the count now in effect. */
  setThreads(threads: number): number;
  threads(): number;
  /** oneDNN's version, e.g. "2.6.3". */
  version(): string;
  /** The oneDNN implementation the last primitive ran, e.g. "brg:avx512_core". */
  lastImplementation(): string;
}

/** Where to look for the addon, and whether to look at all. */
export interface NativeAddonOptions {
  /**
   * Path of the compiled addon; default `build/Release/rcnn_kernels_native.node` in this
   * package. Tests point it at a missing file to exercise the fallback.
   */
  addonPath?: string;
}

/** The addon, or why there is none. */
export type NativeAddonStatus =
  | { addon: NativeAddon; reason?: undefined }
  | { addon?: undefined; reason: string };

const DEFAULT_PATH = fileURLToPath(new URL('../build/Release/rcnn_kernels_native.node', import.meta.url));
const loaded = new Map<string, NativeAddonStatus>();

/**
 * Loads the addon once per path. Never throws: when the environment variable
 * `RCNN_NATIVE_KERNELS=0` hides it, when it was not built (oneDNN's headers missing at
 * install), or when it fails to load (libdnnl.so.2 missing), the status carries the reason.
 */
export function loadNativeAddon(options: NativeAddonOptions = {}): NativeAddonStatus {
  if (process.env.RCNN_NATIVE_KERNELS === '0') return { reason: 'disabled by RCNN_NATIVE_KERNELS=0' };
  const path = options.addonPath ?? DEFAULT_PATH;
  const cached = loaded.get(path);
  if (cached) return cached;
  let status: NativeAddonStatus;
  if (!existsSync(path)) {
    status = {
      reason: `addon not built (${path} missing; install libdnnl-dev, then run the package's build:addon script)`,
    };
  } else {
    try {
      status = { addon: createRequire(import.meta.url)(path) as NativeAddon };
    } catch (error) {
      status = { reason: `addon failed to load: ${(error as Error).message.split('\n')[0]}` };
    }
  }
  loaded.set(path, status);
  return status;
}
