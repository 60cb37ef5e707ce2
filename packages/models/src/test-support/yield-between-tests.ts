import { afterEach } from 'vitest';

// tfjs read-backs on cpu/wasm resolve as microtasks, so a test file of heavy models can run
// for minutes without the event loop reaching the runner's messages (vitest then reports
// "Timeout calling onTaskUpdate"). One macrotask turn after each test lets them through.
afterEach(() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
