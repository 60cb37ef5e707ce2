import { RcnnError } from '@rcnn/core';
import { type NormLayer, validateNorm } from './norm-layer';
import { type ResnetVariant, resnetArchitecture } from './resnet-architecture';

/**
 * Settings of a ResNet-FPN backbone, named after torchvision's
 * `backbone_utils.py::resnet_fpn_backbone` arguments.
 */
export interface ResnetFpnOptions extends ResnetVariant {
  /** ResNet layers (1..4) feeding the FPN, ascending; layer K gives level p(K+1). Default `[1, 2, 3, 4]`. */
  readonly returnedLayers?: readonly number[];
  /** FPN channels. Default 256. */
  readonly outChannels?: number;
  /** `'maxpool'` adds torchvision's LastLevelMaxPool level (kernel 1, stride 2 of the last level). Default `'maxpool'`. */
  readonly extraBlocks?: 'maxpool' | 'none';
  /**
   * How many ResNet stages train, from the top: 0..5 of `layer4, layer3, layer2, layer1, conv1`
   * (and `bn1` at 5), torchvision's `trainable_layers` (default 3); the others are frozen
   * (`setTrainable(false)`). The FPN always trains.
   */
  readonly trainableLayers?: number;
  /**
   * The ResNet's norm (torchvision `norm_layer`): `'frozen-bn'` FrozenBatchNorm2d (default, as
   * torchvision's detectors on pretrained backbones; folded into the convs at inference),
   * `'bn'` BatchNorm2d (batch statistics in `train()` mode), `'gn'` GroupNorm with
   * `groupNormGroups` groups (`norm_layer=lambda c: nn.GroupNorm(32, c)`). The FPN has none.
   */
  readonly norm?: NormLayer;
  /** Groups of every GroupNorm with `norm: 'gn'`; must divide every channel count. Default 32. */
  readonly groupNormGroups?: number;
  /** BatchNorm2d / FrozenBatchNorm2d epsilon (torchvision 0.14: 1e-5). */
  readonly batchNormEpsilon?: number;
}

/** {@link ResnetFpnOptions} with every default applied and checked. */
export interface ResolvedResnetFpnOptions extends Required<ResnetVariant> {
  readonly returnedLayers: readonly number[];
  readonly outChannels: number;
  readonly extraBlocks: 'maxpool' | 'none';
  readonly trainableLayers: number;
  readonly norm: NormLayer;
  readonly groupNormGroups: number;
  readonly batchNormEpsilon: number;
}

/**
 * Applies defaults and validates the options (torchvision's checks in `_resnet_fpn_extractor`).
 * @throws RcnnError INVALID_ARGUMENT naming the bad setting.
 */
export function resolveResnetFpnOptions(options: ResnetFpnOptions): ResolvedResnetFpnOptions {
  const {
    depth,
    groups = 1,
    widthPerGroup = 64,
    baseChannels = 64,
    norm = 'frozen-bn',
    groupNormGroups = 32,
    returnedLayers = [1, 2, 3, 4],
    outChannels = 256,
    extraBlocks = 'maxpool',
    trainableLayers = 3,
    batchNormEpsilon = 1e-5,
  } = options;
  const ascending = returnedLayers.every((layer, i) => i === 0 || layer > returnedLayers[i - 1]!);
  if (
    returnedLayers.length === 0 ||
    !ascending ||
    returnedLayers.some((layer) => !Number.isInteger(layer) || layer < 1 || layer > 4)
  ) {
    throw new RcnnError(
      'INVALID_ARGUMENT',
      `returnedLayers must be ascending integers in [1, 4], got [${returnedLayers.join(', ')}]`,
    );
  }
  if (!Number.isInteger(outChannels) || outChannels < 1) {
    throw new RcnnError('INVALID_ARGUMENT', `outChannels must be a positive integer, got ${outChannels}`);
  }
  if (extraBlocks !== 'maxpool' && extraBlocks !== 'none') {
    throw new RcnnError(
      'INVALID_ARGUMENT',
      `extraBlocks must be 'maxpool' or 'none', got '${String(extraBlocks)}'`,
    );
  }
  if (!Number.isInteger(trainableLayers) || trainableLayers < 0 || trainableLayers > 5) {
    throw new RcnnError(
      'INVALID_ARGUMENT',
      `trainableLayers must be an integer in [0, 5], got ${trainableLayers}`,
    );
  }
  if (!(batchNormEpsilon >= 0)) {
    throw new RcnnError('INVALID_ARGUMENT', `batchNormEpsilon must be >= 0, got ${batchNormEpsilon}`);
  }
  const architecture = resnetArchitecture({ depth, groups, widthPerGroup, baseChannels });
  const channels = [
    architecture.stemChannels,
    ...architecture.layers.flatMap((layer) => [layer.width, layer.outChannels]),
  ];
  validateNorm(norm, groupNormGroups, channels);
  return {
    depth,
    groups,
    widthPerGroup,
    baseChannels,
    norm,
    groupNormGroups,
    returnedLayers: [...returnedLayers],
    outChannels,
    extraBlocks,
    trainableLayers,
    batchNormEpsilon,
  };
}

/** torchvision's `layers_to_train`: the stage names whose parameters would get gradients. */
export function trainableStageNames(trainableLayers: number): string[] {
  const stages = ['layer4', 'layer3', 'layer2', 'layer1', 'conv1'].slice(0, trainableLayers);
  if (trainableLayers === 5) stages.push('bn1');
  return stages;
}
