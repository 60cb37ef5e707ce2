// The pthread worker of tfjs-backend-wasm's threaded build in Node (src/wasm-threads.ts): tfjs hands
// emscripten a blob: URL for this script, which Node's Worker rejects (ERR_WORKER_PATH), and the
// main module as a Blob, which the worker cannot import. This file runs tfjs's own worker script
// (its newlines re-escaped, as tfjs does for the blob) and answers its importScripts with the
// threaded module's factory loaded from the package.
const {
  wasmWorkerContents,
} = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');

new Function('require', '__filename', '__dirname', wasmWorkerContents.replace(/\n/g, '\\n'))(
  require,
  __filename,
  __dirname,
);
const factory = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
global.importScripts = () => {
  global.WasmBackendModuleThreadedSimd = factory;
};
