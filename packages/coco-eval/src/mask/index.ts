export { decodeMask, encodeMask, type MaskOrder } from './encode-mask';
export { bboxIou, rleIou } from './iou';
export { mergeRles } from './merge-rles';
export { checkMaskSize, createRle, type Rle, rleArea, rleToBbox } from './rle';
export { MAX_POLYGON_COORDINATE, rleFromBbox, rleFromPolygon } from './rle-from-polygon';
export { rleFromJson, rleToJson } from './rle-json';
export { rleFromString, rleToString } from './rle-string';
export { segmentationToRle } from './segmentation-to-rle';
