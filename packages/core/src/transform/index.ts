export { ImageTransform, type ImageTransformOptions, type ToBatchOptions } from './image-transform';
export { mapBoxesToOriginal, resizeBoxes } from './resize-boxes';
export { resizeGroundTruth } from './resize-ground-truth';
export { mapKeypointsToOriginal, resizeKeypoints } from './resize-keypoints';
export { resizeMasksNearest } from './resize-masks';
export { resizedImageSize } from './resized-image-size';
