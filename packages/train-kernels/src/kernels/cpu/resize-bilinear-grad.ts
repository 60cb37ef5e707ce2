import * as tf from '@tensorflow/tfjs-core';
import { resizeBilinearGradArgs } from '../resize-bilinear-grad-args';
import { resizeBilinearGradInto } from '../resize-bilinear-grad-loop';

/** The part of tfjs-backend-cpu's `MathBackendCPU` this kernel uses (no runtime import). */
interface CpuBackend extends tf.KernelBackend {
  data: { get(dataId: tf.DataId): { values: tf.BackendValues } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

/**
 * `ResizeBilinearGrad` on cpu, replacing tfjs-backend-cpu 4.22's, which ignores `halfPixelCenters`
 * (the gradient of the legacy mapping, half a pixel off for torch's `align_corners=False`) and
 * returns `[batch, inWidth, inHeight, depth]` (height and width swapped, wrong for non-square
 * inputs). Same loops as the wasm kernel ({@link resizeBilinearGradInto}).
 * Inputs: `images` `[batch, inHeight, inWidth, depth]` (shape only), `dy` float32
 * `[batch, outHeight, outWidth, depth]`; output float32 of `images`' shape.
 */
export const resizeBilinearGradCpu: tf.KernelConfig = {
  kernelName: tf.ResizeBilinearGrad,
  backendName: 'cpu',
  kernelFunc: ({ inputs, attrs, backend: kernelBackend }) => {
    const backend = kernelBackend as unknown as CpuBackend;
    const { images, dy, mode } = resizeBilinearGradArgs(inputs, attrs);
    const values = backend.data.get(dy.dataId).values;
    const dyData = values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
    const dx = new Float32Array(tf.util.sizeFromShape(images.shape));
    resizeBilinearGradInto(dyData, 0, dx, 0, images.shape, dy.shape, mode);
    return backend.makeTensorInfo(images.shape.slice(), 'float32', dx);
  },
};
