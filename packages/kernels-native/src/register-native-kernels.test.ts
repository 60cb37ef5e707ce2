import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { useBackend } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { availability, skipReason } from '../test/compare-backends';
import { nativeKernelStats, resetNativeKernelStats } from './kernel-stats';
import {
  nativeKernelsAvailable,
  registerNativeKernels,
  unregisterNativeKernels,
} from './register-native-kernels';

const NAMES = [
  'Conv2D',
  'FusedConv2D',
  'Conv2DBackpropInput',
  'Conv2DBackpropFilter',
  'BatchMatMul',
  '_FusedMatMul',
  'Add',
  'Sub',
  'Multiply',
  'RealDiv',
  'Maximum',
  'Minimum',
  'SquaredDifference',
  'Equal',
  'NotEqual',
  'Greater',
  'GreaterEqual',
  'Less',
  'LessEqual',
  'Sum',
  'Mean',
  'Tile',
  'Slice',
  'Transpose',
  'Unpack',
  'SplitV',
  'GatherV2',
  'MaxPoolGrad',
];

function wasmKernels() {
  return NAMES.map((name) => tf.getKernel(name, 'wasm'));
}

describe('registration without the addon (runs everywhere)', () => {
  const hidden = process.env.RCNN_NATIVE_KERNELS;
  beforeEach(() => {
    delete process.env.RCNN_NATIVE_KERNELS;
  });
  afterEach(() => {
    if (hidden === undefined) delete process.env.RCNN_NATIVE_KERNELS;
    else process.env.RCNN_NATIVE_KERNELS = hidden;
    unregisterNativeKernels();
  });

  it('an addon that is not there: unavailable with the reason, wasm kernels untouched, results from wasm', async () => {
    const addonPath = '/nonexistent/rcnn_kernels_native.node';
    const before = wasmKernels();
    expect(nativeKernelsAvailable({ addonPath })).toEqual({
      available: false,
      reason: expect.stringContaining('addon not built'),
    });
    const registration = registerNativeKernels({ addonPath, threads: 1 });
    expect(registration.native).toEqual([]);
    expect(registration.reason).toContain(addonPath);
    expect(wasmKernels()).toEqual(before);
    resetNativeKernelStats();
    await useBackend('wasm');
    const y = tf.conv2d(
      tf.ones([1, 4, 4, 2]) as tf.Tensor4D,
      tf.ones([3, 3, 2, 1]) as tf.Tensor4D,
      1,
      'same',
    );
    expect(Array.from(await y.data())).toEqual([8, 12, 12, 8, 12, 18, 18, 12, 12, 18, 18, 12, 8, 12, 12, 8]);
    y.dispose();
    expect(nativeKernelStats()).toEqual({});
  });

  it('an addon that fails to load (as without libdnnl.so.2): unavailable with the loader error', () => {
    const addonPath = join(mkdtempSync(join(tmpdir(), 'rcnn-native-')), 'broken.node');
    writeFileSync(addonPath, 'not a shared object');
    const status = nativeKernelsAvailable({ addonPath });
    expect(status.available).toBe(false);
    expect(status.reason).toMatch(/^addon failed to load: /);
    expect(registerNativeKernels({ addonPath }).native).toEqual([]);
  });

  it('RCNN_NATIVE_KERNELS=0 hides the addon', () => {
    process.env.RCNN_NATIVE_KERNELS = '0';
    expect(nativeKernelsAvailable()).toEqual({
      available: false,
      reason: 'disabled by RCNN_NATIVE_KERNELS=0',
    });
    expect(registerNativeKernels()).toEqual({ native: [], reason: 'disabled by RCNN_NATIVE_KERNELS=0' });
  });
});

describe.skipIf(!availability.available)(`registration with the addon${skipReason}`, () => {
  afterEach(() => unregisterNativeKernels());

  it('replaces the wasm kernels it serves and unregistering restores tfjs-wasm’s own', () => {
    const before = wasmKernels();
    const registration = registerNativeKernels({ threads: 1 });
    expect(registration.native).toEqual(NAMES);
    expect(registration.threads).toBe(1);
    expect(registration.version).toMatch(/^\d+\.\d+\.\d+$/);
    const during = wasmKernels();
    during.forEach((config, i) => {
      expect(config).not.toBe(before[i]);
    });
    expect(registerNativeKernels({ threads: 2 }).threads).toBe(2);
    expect(wasmKernels()).toEqual(during);
    unregisterNativeKernels();
    expect(wasmKernels()).toEqual(before);
    wasmKernels().forEach((config, i) => {
      expect(config).toBe(before[i]);
    });
  });

  it('serves only the kernels named in `kernels`, and restores them all when unregistered', () => {
    const before = wasmKernels();
    const only = ['Conv2D', 'Tile'];
    expect(registerNativeKernels({ threads: 1, kernels: only }).native).toEqual(only);
    wasmKernels().forEach((config, i) => {
      if (only.includes(NAMES[i]!)) expect(config).not.toBe(before[i]);
      else expect(config).toBe(before[i]);
    });
    unregisterNativeKernels();
    wasmKernels().forEach((config, i) => {
      expect(config).toBe(before[i]);
    });
  });

  it('forwards tfjs-wasm setup functions, so registering before the backend starts still works', () => {
    const before = wasmKernels();
    registerNativeKernels({ threads: 1 });
    wasmKernels().forEach((config, i) => {
      expect(config?.setupFunc).toBe(before[i]?.setupFunc);
    });
  });
});
