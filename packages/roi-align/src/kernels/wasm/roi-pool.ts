import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { RoiPool, type RoiPoolAttrs, RoiPoolGrad, type RoiPoolGradInputs } from '../../kernel-names';
import { pooledShape, readFloat32, readInt32 } from '../shared/kernel-inputs';
import { roiPoolBackward, roiPoolForward } from '../shared/roi-pool-loops';
import { allocateOutput, type WasmBackend } from './wasm-data';

type Shape4 = [number, number, number, number];

const forward: KernelFunc = ({ inputs, backend, attrs }) => {
  const poolAttrs = attrs as unknown as RoiPoolAttrs;
  const { features, boxes, batchIndices } = inputs as RoiPoolGradInputs;
  const shape = pooledShape(boxes.shape[0]!, poolAttrs, features.shape[3]!);
  const { output, read, outputData } = allocateOutput(backend as WasmBackend, shape);
  const batch = readInt32(read, batchIndices);
  const data = readFloat32(read, features);
  roiPoolForward(data, features.shape as Shape4, readFloat32(read, boxes), batch, poolAttrs, outputData);
  return output;
};

const backward: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, features, boxes, batchIndices } = inputs as RoiPoolGradInputs;
  const { output, read, outputData } = allocateOutput(backend as WasmBackend, features.shape);
  outputData.fill(0);
  const shape = features.shape as Shape4;
  const batch = readInt32(read, batchIndices);
  const attributes = attrs as unknown as RoiPoolAttrs;
  const data = readFloat32(read, features);
  roiPoolBackward(
    readFloat32(read, dy),
    data,
    shape,
    readFloat32(read, boxes),
    batch,
    attributes,
    outputData,
  );
  return output;
};

/** RoIPool forward on the wasm backend (JS loop on views of the wasm heap). */
export const roiPoolWasmConfig: KernelConfig = {
  kernelName: RoiPool,
  backendName: 'wasm',
  kernelFunc: forward,
};

/** RoIPool gradient on the wasm backend. */
export const roiPoolGradWasmConfig: KernelConfig = {
  kernelName: RoiPoolGrad,
  backendName: 'wasm',
  kernelFunc: backward,
};
