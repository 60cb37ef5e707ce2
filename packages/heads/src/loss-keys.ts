/**
 * Loss names this package owns, namespaced so a detector can merge every stage's
 * `LossRecord` without renaming (conventions.md #9). torchvision's names in brackets.
 */
export const HEADS_LOSS_KEYS = {
  /** Box classifier cross-entropy (`loss_classifier`). */
  classification: 'roiHeads/classification',
  /** Per-class box smooth L1 (`loss_box_reg`). */
  boxRegression: 'roiHeads/boxRegression',
  /** Mask binary cross-entropy on the GT class's channel (`loss_mask`). */
  maskBce: 'mask/bce',
  /** Keypoint cross-entropy over heatmap positions (`loss_keypoint`). */
  keypointCrossEntropy: 'keypoint/crossEntropy',
  /** MaskIoU regression, Mask Scoring R-CNN (no torchvision counterpart). */
  maskIouL2: 'maskIou/l2',
} as const;

/** One of the loss names in {@link HEADS_LOSS_KEYS}. */
export type HeadsLossKey = (typeof HEADS_LOSS_KEYS)[keyof typeof HEADS_LOSS_KEYS];
