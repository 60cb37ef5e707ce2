import {
  type ResnetFpnOptions,
  resnetFpnBackbone,
  resnetFpnParameterShapes,
} from '@rcnn/backbone-resnet-fpn';
import type { FeatureSpec, LevelName, StateDict } from '@rcnn/core';
import { LoadableBackbone } from '../weights/loadable-backbone';

/** torchvision < 0.13 saved FPN convs as `fpn.inner_blocks.0.weight` (0.13+: `fpn.inner_blocks.0.0.weight`). */
function legacyFpnAliases(name: string): string[] {
  const match = /^(.*fpn\.(?:inner|layer)_blocks\.\d+)\.0\.(weight|bias)$/.exec(name);
  return match ? [`${match[1]}.${match[2]}`] : [];
}

/**
 * A ResNet-FPN backbone (`@rcnn/backbone-resnet-fpn`) a detector can load and save by
 * torchvision names (`backbone.body.*`, `backbone.fpn.*`), as torchvision's
 * `backbone_utils.py::resnet_fpn_backbone` builds it.
 *
 * @param options depth (18, 34, 50, 101), ResNeXt groups, returned layers, FPN channels, ...
 * @param weights build now from these (a whole detector checkpoint is fine); else on `loadStateDict`
 */
export function loadableResnetFpnBackbone(
  options: ResnetFpnOptions,
  weights?: StateDict,
  prefix = 'backbone.',
): LoadableBackbone {
  const parameterShapes = resnetFpnParameterShapes(options, prefix); // validates the options
  const returnedLayers = options.returnedLayers ?? [1, 2, 3, 4];
  const levels = returnedLayers.map((layer) => layer + 1);
  if ((options.extraBlocks ?? 'maxpool') === 'maxpool') levels.push(levels[levels.length - 1]! + 1);
  const outputSpecs: Record<LevelName, FeatureSpec> = {};
  for (const level of levels) {
    outputSpecs[`p${level}`] = { channels: options.outChannels ?? 256, stride: 2 ** level };
  }
  return new LoadableBackbone({
    prefix,
    parameterShapes,
    aliasesOf: legacyFpnAliases,
    build: (entries) => resnetFpnBackbone(entries, { ...options, prefix }),
    outputSpecs,
    sizeDivisibility: 32,
    ...(weights ? { weights } : {}),
  });
}
