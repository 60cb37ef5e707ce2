import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nativeKernelStats, nativeKernelsAvailable, resetNativeKernelStats } from '@rcnn/kernels-native';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { activateBackend, nativeKernelsSummary } from '../activate-backend';
import { runCli, SMALL_MODEL_OPTIONS, temporaryDirectory, writeDemoImage } from '../test-support/run-cli';

let directory: string;
let image: string;
const native = nativeKernelsAvailable();
const originalSetting = process.env.RCNN_NATIVE_KERNELS;

beforeAll(() => {
  directory = temporaryDirectory();
  image = writeDemoImage(directory, 64, 48);
});

afterEach(() => {
  if (originalSetting === undefined) delete process.env.RCNN_NATIVE_KERNELS;
  else process.env.RCNN_NATIVE_KERNELS = originalSetting;
});

function predict(...extra: string[]) {
  return runCli(
    'predict',
    '--arch',
    'fasterrcnn_resnet18_fpn',
    '--weights',
    'deterministic',
    '--image',
    image,
    '--out-json',
    join(directory, `out-${extra.join('_').replace(/[^\w]/g, '')}.json`),
    ...SMALL_MODEL_OPTIONS,
    ...extra,
  );
}

function countMatches(text: string, pattern: RegExp): number {
  return text.match(new RegExp(pattern.source, 'g'))?.length ?? 0;
}

/** Native and fallback calls summed over the kernels since the last reset. */
function nativeCalls(): { native: number; fallback: number } {
  let nativeTotal = 0;
  let fallback = 0;
  for (const stats of Object.values(nativeKernelStats())) {
    nativeTotal += stats.native;
    fallback += stats.fallback;
  }
  return { native: nativeTotal, fallback };
}

describe('which kernels run (--verbose, bench) and --threads', () => {
  it('says once that wasm kernels run, and why, when the addon is hidden (RCNN_NATIVE_KERNELS=0)', async () => {
    process.env.RCNN_NATIVE_KERNELS = '0';
    resetNativeKernelStats();
    const { code, stderr } = await predict('--backend', 'wasm', '--verbose');
    expect(code, stderr).toBe(0);
    const line =
      /rcnn predict: kernels: wasm \(native kernels unavailable: disabled by RCNN_NATIVE_KERNELS=0\)\n/;
    expect(countMatches(stderr, line), stderr).toBe(1);
    // Nothing ran through the native kernels: an earlier registration in this process was removed.
    expect(nativeCalls()).toEqual({ native: 0, fallback: 0 });
  });

  it('on the pure-wasm path, --threads 2 asks for the threaded build, which cannot replace a started backend', async () => {
    await activateBackend('wasm'); // wasm runs already in this process, single-threaded
    process.env.RCNN_NATIVE_KERNELS = '0';
    const { code, stderr } = await predict('--backend', 'wasm', '--verbose', '--threads', '2');
    expect(code, stderr).toBe(0);
    const line =
      /rcnn predict: kernels: wasm, 1 thread\(s\) \(the wasm backend had already started\) \(native kernels unavailable: disabled by RCNN_NATIVE_KERNELS=0\)\n/;
    expect(countMatches(stderr, line), stderr).toBe(1);
  });

  it.skipIf(!native.available)(
    `runs the convolutions natively at --threads 1 and says so once (addon: ${native.reason ?? native.version})`,
    async () => {
      resetNativeKernelStats();
      const { code, stderr } = await predict('--backend', 'wasm', '--verbose', '--threads', '1');
      expect(code, stderr).toBe(0);
      const line = new RegExp(
        `rcnn predict: kernels: native oneDNN ${native.version!.replace(/\./g, '\\.')}, 1 thread\\(s\\) for Conv2D, FusedConv2D, [\\w, ]+; others wasm\\n`,
      );
      expect(countMatches(stderr, line), stderr).toBe(1);
      const calls = nativeCalls();
      expect(calls.native).toBeGreaterThan(20); // ResNet-18 + FPN + heads: dozens of convolutions
      // Convolutions and matmuls never fall back; the elementwise and copy kernels hand other
      // dtypes (int32 indices, bool masks) and empty inputs back to wasm by design, and say why.
      for (const [kernel, stats] of Object.entries(nativeKernelStats())) {
        if (/Conv|MatMul/.test(kernel)) expect(stats.fallback, kernel).toBe(0);
        else for (const reason of stats.reasons) expect(reason, kernel).toMatch(/^dtypes? |^an empty input$/);
      }
    },
  );

  it("prints no kernels line without --verbose; on cpu the line names the backend's own kernels", async () => {
    const quiet = await predict('--backend', 'wasm');
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).not.toMatch(/kernels:/);
    // On cpu (a whole predict there takes ~30 s on a loaded machine) the line names the backend's kernels.
    await activateBackend('cpu');
    expect(nativeKernelsSummary()).toBe("kernels: the backend's own (native kernels serve wasm only)");
    await activateBackend('wasm');
  });

  it('rcnn bench prints the kernels line once and writes it to --json', async () => {
    const out = join(directory, 'bench.json');
    const { code, stderr } = await runCli(
      'bench',
      '--arch',
      'fasterrcnn_resnet18_fpn',
      '--weights',
      'deterministic',
      '--image',
      image,
      '--runs',
      '1',
      '--warmup',
      '0',
      '--backend',
      'wasm',
      '--threads',
      native.available ? '2' : '1', // 1: no threaded wasm build on the pure-wasm path
      '--json',
      out,
      ...SMALL_MODEL_OPTIONS,
    );
    expect(code, stderr).toBe(0);
    const expected = native.available
      ? `kernels: native oneDNN ${native.version}, 2 thread(s) for Conv2D`
      : 'kernels: wasm (native kernels unavailable: ';
    expect(countMatches(stderr, /rcnn bench: kernels: /), stderr).toBe(1);
    expect(stderr).toContain(`rcnn bench: ${expected}`);
    expect(JSON.parse(readFileSync(out, 'utf8')).kernels).toContain(expected);
  });

  it.each(['0', '-1', '1.5', 'all'])('rejects --threads %s with exit 2', async (value) => {
    const { code, stderr } = await predict('--threads', value);
    expect(code).toBe(2);
    expect(stderr).toContain(`rcnn predict: --threads must be an integer >= 1, got '${value}'`);
  });
});
