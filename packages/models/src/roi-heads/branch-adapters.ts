import type { Boxes } from '@rcnn/core';
import type { HeatmapDecoder, RoiAlignFunction } from '@rcnn/heads';
import { heatmapsToKeypoints } from '@rcnn/postprocess';
import { roiAlign } from '@rcnn/roi-align';
import type * as tf from '@tensorflow/tfjs-core';

/**
 * The keypoint branch's heatmap decoder: `@rcnn/postprocess`'s `heatmapsToKeypoints` (torchvision
 * `roi_heads.py::heatmaps_to_keypoints`) on NHWC heatmaps, renamed to the branch's fields.
 * Keypoints come out in the boxes' pixels (the resized image's). Caller owns both tensors.
 */
export const decodeKeypointHeatmaps: HeatmapDecoder = async (heatmaps: tf.Tensor4D, boxes: Boxes) => {
  const { keypoints, scores } = await heatmapsToKeypoints(heatmaps, boxes);
  return { keypoints, keypointScores: scores };
};

/**
 * RoIAlign of GT masks onto proposals for mask targets, with torchvision
 * `project_masks_on_boxes`' settings: `roi_align(masks, rois, (M, M), spatial_scale=1)`
 * (adaptive sampling ratio, aligned=False). Caller owns the result.
 */
export const maskTargetRoiAlign: RoiAlignFunction = (input, boxes, boxIndices, outputSize) =>
  roiAlign(input, boxes, boxIndices, {
    outputSize: [outputSize, outputSize],
    spatialScale: 1,
    samplingRatio: -1,
    aligned: false,
  });
