import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Runs `rcnn ...argv` in a child process (vite-node on the workspace sources, so no build is
 * needed) and reports its peak RSS in bytes, which includes vite-node's own (~150 MB).
 */
export function runCliMeasured(
  argv: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string; peakRssBytes: number }> {
  return new Promise((resolve, reject) => {
    execFile(
      'node_modules/.bin/vite-node',
      ['--config', 'vitest.config.ts', 'src/test-support/peak-rss-child.ts', '--', ...argv],
      { cwd: CLI_ROOT, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        const peak = /PEAK_RSS_KB (\d+)/.exec(stderr);
        if (!peak) {
          reject(new Error(`no peak RSS from the child (exit ${code}):\n${stderr.slice(-4000)}`));
          return;
        }
        resolve({ code, stdout, stderr, peakRssBytes: Number(peak[1]) * 1024 });
      },
    );
  });
}
