export { assignFpnLevels, type FpnLevelRule } from './assign-fpn-levels';
export {
  ROI_ALIGN_FIRST_LEVEL_INPUT,
  RoiAlign,
  type RoiAlignAttrs,
  RoiAlignGrad,
  type RoiAlignGradAttrs,
  type RoiAlignGradInputs,
  type RoiAlignInputs,
  RoiPool,
  type RoiPoolAttrs,
  RoiPoolGrad,
  type RoiPoolGradInputs,
  type RoiPoolInputs,
  type RoiPoolingMode,
} from './kernel-names';
export { MultiScaleRoiAlign, type MultiScaleRoiAlignOptions } from './multi-scale-roi-align';
export { type RoiAlignBackendName, registerRoiAlignKernels } from './register-roi-align-kernels';
export { roiAlign } from './roi-align';
export { roiAlignMultiLevel } from './roi-align-multi-level';
export type { OutputSize, RoiAlignOptions } from './roi-align-options';
export { roiAlignReference } from './roi-align-reference';
export { type RoiPoolOptions, roiPool } from './roi-pool';
export { roiPoolReference } from './roi-pool-reference';
export { type RoiWarpOptions, roiWarp } from './roi-warp';
export { torchvisionScale } from './torchvision-scale';
