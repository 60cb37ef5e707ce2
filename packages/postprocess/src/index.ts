export { type PostprocessDetectionsInput, postprocessDetections } from './detections/postprocess-detections';
export {
  type HeatmapsToKeypointsOptions,
  heatmapsToKeypoints,
  type KeypointPredictions,
} from './keypoints/heatmaps-to-keypoints';
export { type PasteMasksOptions, pasteMasks } from './masks/paste-masks';
export { thresholdMasks } from './masks/threshold-masks';
