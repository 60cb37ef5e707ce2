export { BatchNorm2d, type BatchNorm2dOptions } from './batch-norm-2d';
export { ConvNorm } from './conv-norm';
export { ConvTranspose2d, type ConvTranspose2dOptions } from './conv-transpose2d';
export { Conv2d, type Conv2dOptions } from './conv2d';
export {
  type ConvActivation,
  type ConvGeometry,
  filterGrouping,
  type PreparedFilter,
  prepareFilter,
  runConv2d,
} from './conv2d-op';
export { DerivedTensors } from './derived-tensors';
export { GroupNorm, type GroupNormOptions } from './group-norm';
export { Linear, type LinearOptions } from './linear';
export { loadModuleStateDict, type ModuleStateDictMessages } from './load-module-state-dict';
export {
  type ExpectedStateDictEntry,
  type LoadStateDictOptions,
  type LoadStateDictReport,
  type MisShapedEntry,
  matchEntries,
  type StateDictMatch,
} from './load-state-dict';
export { Module } from './module';
export { ModuleDict, type ModuleDictEntry } from './module-dict';
export { ModuleList } from './module-list';
export { type ModuleWeightSlot, moduleWeightSlot } from './module-weight-slot';
export type { Norm2d } from './norm2d';
export { type Initializer, Parameter, type ParameterOptions, tfjsShapeOf } from './parameter';
export { isRecordingGradients } from './recording';
export { resetParameters } from './reset-parameters';
