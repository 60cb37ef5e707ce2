import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hasChromium } from './browser';

/**
 * vitest global setup: builds the static site once for every test file, as
 * `pnpm --filter web build` does (nothing to build when Chromium is absent and the tests skip).
 */
export default async function buildSite(): Promise<void> {
  if (!hasChromium) return;
  const app = join(import.meta.dirname, '..', '..');
  await promisify(execFile)(join(app, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], {
    cwd: app,
    env: { ...process.env, NODE_ENV: 'production' },
  });
}
