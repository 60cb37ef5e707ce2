export { ACTIVATION_CODES } from './activation-codes';
export { type KernelStats, nativeKernelStats, resetNativeKernelStats } from './kernel-stats';
export type { NativeAddonOptions } from './native-addon';
export {
  type NativeKernelsAvailability,
  type NativeKernelsOptions,
  type NativeKernelsRegistration,
  nativeKernelsAvailable,
  registerNativeKernels,
  unregisterNativeKernels,
} from './register-native-kernels';
export { startThreadedWasm, type WasmThreadsResult } from './wasm-threads';
