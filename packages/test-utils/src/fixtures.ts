import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Reads a committed fixture next to a test: `readFixtureBytes(import.meta.url, 'x.safetensors')`
 * reads `__fixtures__/x.safetensors` beside the test file. Parse safetensors with
 * `@rcnn/core`'s `readSafetensors` (test-utils stays independent of core).
 */
export function readFixtureBytes(testFileUrl: string, name: string): Uint8Array {
  return new Uint8Array(readFileSync(fileURLToPath(new URL(`./__fixtures__/${name}`, testFileUrl))));
}

/** Like readFixtureBytes, parsed as JSON. */
export function readFixtureJson<T = unknown>(testFileUrl: string, name: string): T {
  return JSON.parse(new TextDecoder().decode(readFixtureBytes(testFileUrl, name))) as T;
}
