/// <reference path="./fixture-url.d.ts" />
// Browser-safe subset of the test utilities (no node: imports, no wasm/cpu side effects).
export { disposeAll, expectNoLeaks } from './leaks';
export { randomBoxes, seededRandom } from './random-boxes';
export { expectTensorsClose, maxAbsDiff, relativeError } from './tensors-close';

/** Fetches a fixture served by vite: `import url from './__fixtures__/x.safetensors?url'; await fetchFixtureBytes(url)`. */
export async function fetchFixtureBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`fixture ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
