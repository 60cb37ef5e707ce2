export { type ConvGeometry, ConvLayer } from './conv-layer';
export { FeaturePyramidNetwork } from './feature-pyramid-network';
export {
  type FrozenBatchNorm,
  foldFrozenBatchNorm,
  oihwToHwio,
  type TorchConvWeights,
} from './fold-frozen-batch-norm';
export { type ParameterShape, resnetFpnParameterShapes } from './parameter-shapes';
export { ResidualBlock } from './residual-block';
export {
  type ResidualBlockKind,
  type ResnetArchitecture,
  type ResnetDepth,
  type ResnetLayerSpec,
  type ResnetVariant,
  resnetArchitecture,
} from './resnet-architecture';
export { ResnetBody } from './resnet-body';
export { ResnetFpnBackbone, resnetFpnBackbone } from './resnet-fpn-backbone';
export type { ResnetFpnOptions, ResolvedResnetFpnOptions } from './resnet-fpn-options';
export { nearestSourceIndices, upsampleNearest } from './upsample-nearest';
