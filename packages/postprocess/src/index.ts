/** Re-exported from @rcnn/core, where the font now lives (labels and loss-curve legends share it). */
export { measureText } from '@rcnn/core';
export { type PostprocessDetectionsInput, postprocessDetections } from './detections/postprocess-detections';
export { COCO_PERSON_KEYPOINT_NAMES, COCO_PERSON_SKELETON } from './draw/coco-person-keypoints';
export {
  type DrawInstancesOptions,
  drawInstances,
  instanceColor,
  type RasterImage,
} from './draw/draw-instances';
export { type LabelRect, placeLabels } from './draw/label-placement';
export type { Rgb } from './draw/rgba-canvas';
export { type ToDetectedInstancesOptions, toDetectedInstances } from './instances/to-detected-instances';
export {
  type HeatmapsToKeypointsOptions,
  heatmapsToKeypoints,
  type KeypointPredictions,
} from './keypoints/heatmaps-to-keypoints';
export { masksToRle } from './masks/masks-to-rle';
export { pasteMasksToRle, pasteMaskToRle } from './masks/paste-mask-to-rle';
export { type PasteMasksOptions, pasteMasks } from './masks/paste-masks';
export { pasteMasksPerInstance } from './masks/paste-masks-per-instance';
export { thresholdMasks } from './masks/threshold-masks';
