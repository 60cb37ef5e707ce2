import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { quietTfjs, TFJS_NODE_BANNER } from './quiet-tfjs';

/** A fresh cpu backend's first write, where tfjs prints its Node banner; the console.warn calls it made. */
function firstCpuWrite(): string[] {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const backend = new MathBackendCPU();
  try {
    backend.disposeData(backend.write(new Float32Array([1]), [1], 'float32'));
    return warn.mock.calls.map((args) => args.map(String).join(' '));
  } finally {
    backend.dispose();
    warn.mockRestore();
  }
}

describe('quietTfjs', () => {
  afterEach(() => quietTfjs());

  it('is on in every test process through the shared setup file', () => {
    expect(tf.env().getBool('PROD')).toBe(true);
    expect(firstCpuWrite()).toEqual([]);
  });

  it('is what stops the banner: without PROD the first cpu write prints it', () => {
    tf.env().set('PROD', false);
    const printed = firstCpuWrite();
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain(TFJS_NODE_BANNER);
    quietTfjs();
    expect(firstCpuWrite()).toEqual([]);
  });
});
