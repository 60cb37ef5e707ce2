import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const VITE_NODE = createRequire(import.meta.url).resolve('vite-node/vite-node.mjs');
const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** Runs test/wasm-threads-child.ts in a fresh Node process; its JSON line and how it ended. */
function runChild(threads: number) {
  const started = Date.now();
  const child = spawnSync(
    process.execPath,
    [VITE_NODE, '--config', 'vitest.config.ts', 'test/wasm-threads-child.ts', String(threads)],
    { cwd: packageDir, encoding: 'utf8', timeout: 90_000 },
  );
  const line = child.stdout.split('\n').find((text) => text.startsWith('{"started"'));
  return {
    status: child.status,
    signal: child.signal,
    stderr: child.stderr,
    seconds: (Date.now() - started) / 1000,
    report: line ? JSON.parse(line) : undefined,
  };
}

describe('startThreadedWasm (tfjs-wasm threaded build in Node)', () => {
  it('starts 2 XNNPACK threads, matches the cpu backend, refuses a second start, and lets Node exit', () => {
    const child = runChild(2);
    // Exiting by itself (status 0, no timeout signal) shows the pthread workers do not hold Node open.
    expect(child.signal, child.stderr).toBeNull();
    expect(child.status, child.stderr).toBe(0);
    expect(child.report, child.stderr).toBeDefined();
    const { started, again, backend, maxDiff, scale } = child.report;
    expect(started).toEqual({ threads: 2 });
    expect(again).toEqual({ threads: 2, reason: 'the wasm backend had already started' });
    expect(backend).toBe('wasm');
    expect(scale).toBeGreaterThan(1);
    expect(maxDiff).toBeLessThan(1e-4 * scale);
  });

  it('leaves the single-threaded build for 1 thread', () => {
    const child = runChild(1);
    expect(child.status, child.stderr).toBe(0);
    expect(child.report?.started).toEqual({ threads: 1, reason: '1 thread asked for' });
    expect(child.report?.backend).toBe('wasm');
    expect(child.report?.maxDiff).toBeLessThan(1e-4 * child.report?.scale);
  });
});
