export { asBoxes, type BoxArray, type Boxes } from './boxes';
export type { Backbone, Disposable, LossRecord, ProposalGenerator, RoiPooler } from './contracts';
export {
  disposeFeatureMaps,
  type FeatureLevel,
  type FeatureMaps,
  type FeatureSpec,
  type LevelName,
} from './features';
export type { ImageBatch, ImageSize } from './images';
export {
  type CompressedRle,
  type DetectedInstance,
  disposeGroundTruth,
  disposeInstances,
  type GroundTruth,
  type Instances,
  type Proposals,
  validateInstances,
} from './instances';
