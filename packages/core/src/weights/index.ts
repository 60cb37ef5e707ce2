export {
  deterministicRange,
  deterministicStateDict,
  deterministicTensor,
  deterministicUniform01,
  deterministicWeight,
  fnv1a32,
} from './deterministic-weights';
export {
  detectWeightsFormat,
  extractStateDict,
  isPickleTuple,
  PickleObject,
  type PickleValue,
  type PthReadOptions,
  readPth,
  readPthCheckpoint,
  readStateDict,
  STATE_DICT_KEYS,
} from './pth';
export {
  readSafetensors,
  type SafetensorsFile,
  type WriteSafetensorsOptions,
  writeSafetensors,
} from './safetensors';
export { type StateDict, sizeOfShape, type WeightDtype, type WeightTensor } from './state-dict';
export { type FlattenedFrom, tfjsToTorchLayout, torchToTfjsLayout } from './torch-layout';
