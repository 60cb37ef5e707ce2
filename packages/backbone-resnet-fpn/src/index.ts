export { FeaturePyramidNetwork } from './feature-pyramid-network';
export { createNorm, type NormLayer, type NormSettings } from './norm-layer';
export { type ParameterShape, resnetFpnParameterShapes } from './parameter-shapes';
export {
  ResidualBlock,
  type ResidualBlockSpec,
  type ResnetConvGeometry,
  type ResnetLayers,
  resnetConv,
} from './residual-block';
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
