export { loadableResnetFpnBackbone } from './backbones/loadable-resnet-fpn-backbone';
export {
  type CoordinateMapping,
  DETECTION_FIELD_NAMES,
  DETECTION_FIELDS,
  type DetectionField,
  type DetectionFieldName,
  type DetectorInstances,
  detectionFieldsOf,
  disposeDetections,
  type PlainForm,
  sliceDetections,
} from './detector-instances';
export { type DeterministicWeightsOptions, deterministicWeightsFor } from './deterministic-weights-for';
export {
  GeneralizedRcnn,
  type GeneralizedRcnnOptions,
  type LoadStateDictOptions,
  type PredictOptions,
  type PredictStage,
} from './generalized-rcnn';
export {
  labelNamesOf,
  MODEL_RECORD_KEY,
  type ModelRecord,
  modelRecordMetadata,
  modelRecordOf,
  parseModelRecord,
  readModelRecord,
} from './model-record';
export { type MaskPasting, type PasteInstanceMasksOptions, pasteInstanceMasks } from './paste-instance-masks';
export {
  ARCHITECTURE_NAMES,
  type ArchitectureName,
  architectureParts,
  type CreateDetectorOptions,
  createDetector,
  parseArchitectureName,
} from './presets/architecture-names';
export type { AnyRcnnOptions, RcnnFamily } from './presets/build-resnet-fpn-rcnn';
export { COCO_CATEGORY_NAMES, categoryNamesFor } from './presets/coco-category-names';
export type {
  FasterRcnnOptions,
  KeypointRcnnOptions,
  MaskRcnnOptions,
  ResnetDepthOption,
} from './presets/preset-options';
export {
  fasterRcnnResnet50Fpn,
  fasterRcnnResnetFpn,
  keypointRcnnResnet50Fpn,
  keypointRcnnResnetFpn,
  maskRcnnResnet50Fpn,
  maskRcnnResnetFpn,
} from './presets/resnet-fpn-presets';
export { type Checkpoint, readCheckpoint } from './read-checkpoint';
export { decodeKeypointHeatmaps, maskTargetRoiAlign } from './roi-heads/branch-adapters';
export { RoiHeads, type RoiHeadsOptions } from './roi-heads/roi-heads';
export type { RoiPadding } from './roi-heads/roi-padding';
export { LoadableBackbone, type LoadableBackboneOptions } from './weights/loadable-backbone';
export { formatStateDictReport, type StateDictReport } from './weights/match-state-dict';
export { headModuleSlot, rpnHeadSlot } from './weights/module-slots';
export { StateDictMismatchError } from './weights/state-dict-mismatch-error';
export {
  type ExpectedEntry,
  type HasWeightSlots,
  hasWeightSlots,
  type WeightSlot,
} from './weights/weight-slot';
