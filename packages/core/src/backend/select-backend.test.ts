import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { RcnnError } from '../errors/rcnn-error';
import { defaultBackendOrder, isNodeRuntime, selectBackend } from './select-backend';

describe('selectBackend (Node)', () => {
  afterAll(async () => {
    for (const name of ['cpu-alias', 'broken']) if (tf.findBackendFactory(name)) tf.removeBackend(name);
    await tf.setBackend('cpu');
  });

  it('defaults to wasm then cpu in Node, with no setWasmPaths needed', async () => {
    expect(isNodeRuntime()).toBe(true);
    expect(defaultBackendOrder()).toEqual(['wasm', 'cpu']);
    expect(await selectBackend()).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const sum = tf.tidy(() => tf.add(tf.scalar(2), tf.scalar(3)));
    expect(sum.dataSync()[0]).toBe(5);
    sum.dispose();
  });

  it('honours an explicit preference', async () => {
    expect(await selectBackend({ preferred: 'cpu' })).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('falls back when the preferred backend cannot run here (webgpu has no GPU in Node)', async () => {
    expect(await selectBackend({ preferred: 'webgpu' })).toBe('wasm');
    expect(await selectBackend({ preferred: 'webgpu', fallbacks: ['cpu'] })).toBe('cpu');
  });

  it('uses custom loaders and backends the app registered itself', async () => {
    const name = await selectBackend({
      preferred: 'cpu-alias',
      fallbacks: [],
      loaders: { 'cpu-alias': async () => tf.registerBackend('cpu-alias', () => new MathBackendCPU()) },
    });
    expect(name).toBe('cpu-alias');
    expect(tf.getBackend()).toBe('cpu-alias');
  });

  it('throws BACKEND_UNAVAILABLE listing everything it tried and why', async () => {
    const attempt = selectBackend({
      preferred: 'webgpu',
      fallbacks: ['broken', 'missing', 'throws'],
      loaders: {
        broken: async () =>
          tf.registerBackend('broken', () => {
            throw new Error('no device');
          }),
        throws: async () => {
          throw new Error('package not installed');
        },
      },
    });
    await expect(attempt).rejects.toThrowError(RcnnError);
    const error = (await attempt.catch((e: unknown) => e)) as RcnnError;
    expect(error.code).toBe('BACKEND_UNAVAILABLE');
    expect(error.message).toMatch(/webgpu \(its package loaded but did not register it/);
    expect(error.message).toMatch(/broken \(failed to initialise\)/);
    expect(error.message).toMatch(/missing \(not registered, and no loader/);
    expect(error.message).toMatch(/throws \(package not installed\)/);
  });
});
