export {
  categoryIdOf,
  SHAPE_NAMES,
  type ShapeName,
  STAR_KEYPOINT_FLIP_MAP,
  STAR_KEYPOINT_NAMES,
  STAR_KEYPOINT_SIGMAS,
  STAR_SKELETON,
  synthCategories,
} from './categories';
export { cocoAnnotationRecords, cocoDatasetHeader, cocoImageRecord, syntheticFileName } from './coco-records';
export { generateSyntheticDataset, type SyntheticDataset } from './generate-dataset';
export { generateSyntheticImage, type SyntheticImage, type SyntheticObject } from './generate-image';
export {
  type ResolvedSyntheticOptions,
  resolveSyntheticOptions,
  type SyntheticDatasetOptions,
  type SyntheticSplit,
} from './options';
export { type PlacedShape, rasterizeShape, starKeypoints, unitShapeArea, unitShapeTest } from './shapes';
export { type Fill, type FillKind, type Rgb, shadePixel } from './style';
