import { ResnetFpnBackbone, type ResnetFpnOptions } from '@rcnn/backbone-resnet-fpn';
import type { StateDict } from '@rcnn/core';

/**
 * A ResNet-FPN backbone (`@rcnn/backbone-resnet-fpn`) a detector loads, saves and trains by
 * torchvision names (`backbone.body.*`, `backbone.fpn.*`), as torchvision's
 * `backbone_utils.py::resnet_fpn_backbone` builds it. The backbone is a core nn `Module` and
 * provides its own weight slot (`weightSlots()`), trainable variables included; fresh weights
 * follow torchvision's init until a checkpoint is loaded.
 *
 * @param options depth (18, 34, 50, 101), ResNeXt groups, norm, trainable layers, width, FPN channels, ...;
 *   `zeroInit` skips the random init (weights are loaded right after, e.g. by the preset)
 * @param weights load these now (a whole detector checkpoint is fine: other keys are ignored)
 * @throws RcnnError as `resnetFpnBackbone` (bad options, missing / unexpected / mis-shaped entries)
 */
export function loadableResnetFpnBackbone(
  options: ResnetFpnOptions & { readonly zeroInit?: boolean },
  weights?: StateDict,
  prefix = 'backbone.',
): ResnetFpnBackbone {
  const backbone = new ResnetFpnBackbone({
    ...options,
    prefix,
    zeroInit: options.zeroInit ?? weights !== undefined,
  });
  if (!weights) return backbone;
  try {
    backbone.loadStateDict(weights, prefix);
    return backbone;
  } catch (error) {
    backbone.dispose();
    throw error;
  }
}
