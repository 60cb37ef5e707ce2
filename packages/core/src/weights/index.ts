export {
  deterministicRange,
  deterministicStateDict,
  deterministicTensor,
  deterministicUniform01,
  deterministicWeight,
  fnv1a32,
} from './deterministic-weights';
export { readSafetensors, type SafetensorsFile, writeSafetensors } from './safetensors';
export { type StateDict, sizeOfShape, type WeightDtype, type WeightTensor } from './state-dict';
