import * as tf from '@tensorflow/tfjs-core';
import { ROI_ALIGN_FIRST_LEVEL_INPUT, RoiAlign, type RoiAlignAttrs, RoiAlignGrad } from './kernel-names';

/**
 * Gradient of the RoiAlign kernel: the RoiAlignGrad kernel per feature level (a scatter of
 * each bin's gradient onto the bilinear neighbours of its sampling points, as torchvision's
 * `roi_align_backward`). Boxes, batch indices and levels get zeros: like torchvision,
 * RoIAlign is not differentiated with respect to the boxes.
 */
export const roiAlignGradConfig: tf.GradConfig = {
  kernelName: RoiAlign,
  saveAllInputs: true,
  gradFunc: (dy, saved, attrs) => {
    const [boxes, batchIndices, levels] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
    const zeros = (like: tf.Tensor) => () => tf.zeros(like.shape);
    const gradients: Record<string, () => tf.Tensor> = {
      0: zeros(boxes),
      1: zeros(batchIndices),
      2: zeros(levels),
    };
    saved.slice(ROI_ALIGN_FIRST_LEVEL_INPUT).forEach((features, level) => {
      gradients[ROI_ALIGN_FIRST_LEVEL_INPUT + level] = () =>
        tf.engine().runKernel(RoiAlignGrad, { dy: dy as tf.Tensor, boxes, batchIndices, levels, features }, {
          ...(attrs as unknown as RoiAlignAttrs),
          level,
        } as unknown as tf.NamedAttrMap) as tf.Tensor;
    });
    return gradients;
  },
};
