import { useBackend } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerTrainingKernels, unregisterTrainingKernels } from './register-training-kernels';

const matMulFromElsewhere: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  kernelFunc: () => {
    throw new Error('not called');
  },
};

describe('registerTrainingKernels', () => {
  beforeAll(async () => {
    await useBackend('wasm');
    unregisterTrainingKernels(); // other test files in this process may have registered them
  });
  afterEach(() => unregisterTrainingKernels());

  it('adds the missing kernels and replaces tfjs-wasm BatchMatMul / Conv2DBackpropInput / Identity / MaxPoolGrad / ResizeBilinearGrad, idempotently', () => {
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')).toBeUndefined();
    const first = registerTrainingKernels();
    expect(first.kept).toEqual([]);
    expect(first.registered.sort()).toEqual(
      [
        tf.BatchMatMul,
        tf.Conv2DBackpropFilter,
        tf.Conv2DBackpropInput,
        tf.DepthwiseConv2dNativeBackpropFilter,
        tf.DepthwiseConv2dNativeBackpropInput,
        tf.Identity,
        tf.MaxPoolGrad,
        tf.ResizeBilinearGrad,
        tf.UnsortedSegmentSum,
      ].sort(),
    );
    const config = tf.getKernel(tf.BatchMatMul, 'wasm');
    expect(registerTrainingKernels().registered.sort()).toEqual(first.registered.sort());
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')).toBe(config);
    expect(registerTrainingKernels({ backends: [] }).registered).toEqual([]);
  });

  it('keeps a kernel someone else registered on purpose, unless override', () => {
    const builtIn = tf.getKernel(tf.BatchMatMul, 'wasm')!;
    tf.unregisterKernel(tf.BatchMatMul, 'wasm');
    tf.registerKernel(matMulFromElsewhere);
    try {
      const kept = registerTrainingKernels();
      expect(kept.kept).toEqual([tf.BatchMatMul]);
      expect(tf.getKernel(tf.BatchMatMul, 'wasm')).toBe(matMulFromElsewhere);
      unregisterTrainingKernels();
      expect(registerTrainingKernels({ override: true }).registered).toContain(tf.BatchMatMul);
      expect(tf.getKernel(tf.BatchMatMul, 'wasm')).not.toBe(matMulFromElsewhere);
      unregisterTrainingKernels();
      expect(tf.getKernel(tf.BatchMatMul, 'wasm')).toBe(matMulFromElsewhere);
    } finally {
      tf.unregisterKernel(tf.BatchMatMul, 'wasm');
      tf.registerKernel(builtIn);
    }
  });

  it('unregisterTrainingKernels restores tfjs-wasm and removes the added kernels', () => {
    const builtIn = tf.getKernel(tf.BatchMatMul, 'wasm');
    registerTrainingKernels();
    unregisterTrainingKernels();
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')).toBe(builtIn);
    expect(tf.getKernel(tf.UnsortedSegmentSum, 'wasm')).toBeUndefined();
  });

  it('on cpu (only when asked): replaces tfjs-cpu ResizeBilinearGrad, and puts it back', () => {
    const builtIn = tf.getKernel(tf.ResizeBilinearGrad, 'cpu');
    expect(builtIn?.kernelFunc.name).toBe('resizeBilinearGrad');
    registerTrainingKernels();
    expect(tf.getKernel(tf.ResizeBilinearGrad, 'cpu')).toBe(builtIn);
    expect(registerTrainingKernels({ backends: ['cpu'] })).toEqual({
      registered: [tf.ResizeBilinearGrad],
      kept: [],
    });
    const ours = tf.getKernel(tf.ResizeBilinearGrad, 'cpu');
    expect(ours).not.toBe(builtIn);
    expect(registerTrainingKernels({ backends: ['cpu'] }).registered).toEqual([tf.ResizeBilinearGrad]);
    expect(tf.getKernel(tf.ResizeBilinearGrad, 'cpu')).toBe(ours);
    unregisterTrainingKernels();
    expect(tf.getKernel(tf.ResizeBilinearGrad, 'cpu')).toBe(builtIn);
  });

  it('on webgpu (only when asked): replaces a built-in ResizeBilinearGrad, also one a bundler renamed, and puts it back', () => {
    // tfjs-backend-webgpu is not loaded in Node: a stand-in with the name vite's pre-bundling gives it.
    const builtIn: tf.KernelConfig = {
      kernelName: tf.ResizeBilinearGrad,
      backendName: 'webgpu',
      kernelFunc: function resizeBilinearGrad2() {
        throw new Error('not called');
      },
    };
    tf.registerKernel(builtIn);
    try {
      registerTrainingKernels();
      expect(tf.getKernel(tf.ResizeBilinearGrad, 'webgpu')).toBe(builtIn);
      expect(registerTrainingKernels({ backends: ['webgpu'] })).toEqual({
        registered: [tf.ResizeBilinearGrad],
        kept: [],
      });
      expect(tf.getKernel(tf.ResizeBilinearGrad, 'webgpu')).not.toBe(builtIn);
      unregisterTrainingKernels();
      expect(tf.getKernel(tf.ResizeBilinearGrad, 'webgpu')).toBe(builtIn);
      // A name that only starts like the built-in's is someone else's kernel.
      tf.unregisterKernel(tf.ResizeBilinearGrad, 'webgpu');
      tf.registerKernel({
        ...builtIn,
        kernelFunc: function resizeBilinearGradFast() {
          throw new Error('not called');
        },
      });
      expect(registerTrainingKernels({ backends: ['webgpu'] }).kept).toEqual([tf.ResizeBilinearGrad]);
    } finally {
      unregisterTrainingKernels();
      tf.unregisterKernel(tf.ResizeBilinearGrad, 'webgpu');
    }
  });

  it("a second copy of the module (ESM + CJS, two bundles) recognises the first one's kernels", async () => {
    registerTrainingKernels();
    vi.resetModules();
    const copy = await import('./register-training-kernels');
    expect(copy.registerTrainingKernels).not.toBe(registerTrainingKernels);
    expect(copy.registerTrainingKernels().kept).toEqual([]);
    copy.unregisterTrainingKernels();
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')).toBeUndefined();
  });
});
