// Box branch
export { BoxBranch, type BoxBranchOptions } from './box/box-branch';
export { type FastRcnnLossInputs, fastRcnnLoss } from './box/fast-rcnn-loss';
export {
  type FastRcnnPrediction,
  FastRcnnPredictor,
  type FastRcnnPredictorOptions,
} from './box/fast-rcnn-predictor';
export { TwoMlpHead, type TwoMlpHeadOptions } from './box/two-mlp-head';
// Branch contract
export { BranchContext, BranchKey } from './branches/branch-context';
export type { BranchLossInputs, BranchPrediction, RoiHeadBranch } from './branches/roi-head-branch';
// Keypoint branch
export { type HeatmapDecoder, KeypointBranch, type KeypointBranchOptions } from './keypoint/keypoint-branch';
export { KeypointRcnnHead, type KeypointRcnnHeadOptions } from './keypoint/keypoint-rcnn-head';
export { type KeypointRcnnLossInputs, keypointRcnnLoss } from './keypoint/keypoint-rcnn-loss';
export {
  KeypointRcnnPredictor,
  type KeypointRcnnPredictorOptions,
} from './keypoint/keypoint-rcnn-predictor';
export { type KeypointTargetsInputs, keypointTargets } from './keypoint/keypoint-targets';
export { type KeypointHeatmapTargets, keypointsToHeatmap } from './keypoint/keypoints-to-heatmap';
// Weights
export type { IndexInput } from './layers/index-tensors';
export { HEADS_LOSS_KEYS, type HeadsLossKey } from './loss-keys';
// Mask branch
export {
  MASK_BRANCH_OUTPUTS,
  MaskBranch,
  type MaskBranchOptions,
  type MaskBranchOutputs,
} from './mask/mask-branch';
export { MaskRcnnHead, type MaskRcnnHeadOptions } from './mask/mask-rcnn-head';
export { type MaskRcnnLossInputs, maskRcnnLoss } from './mask/mask-rcnn-loss';
export { MaskRcnnPredictor, type MaskRcnnPredictorOptions } from './mask/mask-rcnn-predictor';
export { type MaskTargetsInputs, maskTargets, type RoiAlignFunction } from './mask/mask-targets';
// MaskIoU branch (Mask Scoring R-CNN)
export { type MaskAreaRatiosInputs, maskAreaRatios } from './mask-iou/mask-area-ratios';
export { MaskIouBranch, type MaskIouBranchOptions } from './mask-iou/mask-iou-branch';
export { MaskIouHead, type MaskIouHeadOptions } from './mask-iou/mask-iou-head';
export { type MaskIouLossInputs, maskIouLoss } from './mask-iou/mask-iou-loss';
export { type MaskIouTargetsInputs, maskIouTargets } from './mask-iou/mask-iou-targets';
// Training samples (the matcher / sampler seam)
export { appendGtProposals } from './samples/append-gt-proposals';
export {
  type BuildRoiSamplesInputs,
  buildRoiSamples,
  disposeRoiSamples,
  type RoiSamples,
} from './samples/build-roi-samples';
export { type MatcherRoiSamplerOptions, matcherRoiSampler } from './samples/matcher-roi-sampler';
export type { RoiMatch, RoiSampler } from './samples/roi-sampler';
export type {
  LoadStateDictOptions,
  LoadStateDictReport,
  WeightedModule,
} from './weighted-module';
