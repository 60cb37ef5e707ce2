import { readFileSync } from 'node:fs';

/**
 * Reads a committed fixture from src/__fixtures__ (tests only; the library itself
 * never touches the file system).
 */
export function readFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../src/__fixtures__/${name}`, import.meta.url), 'utf8')) as T;
}
