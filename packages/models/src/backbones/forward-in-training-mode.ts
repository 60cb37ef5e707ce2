import type { Backbone, FeatureMaps } from '@rcnn/core';
import type * as tf from '@tensorflow/tfjs-core';

/** A backbone with torch's training switch (a core nn `Module`, e.g. `ResnetFpnBackbone`). */
interface SwitchableBackbone extends Backbone {
  readonly training: boolean;
  train(mode?: boolean): unknown;
}

function isSwitchable(backbone: Backbone): backbone is SwitchableBackbone {
  const candidate = backbone as Partial<SwitchableBackbone>;
  return typeof candidate.train === 'function' && typeof candidate.training === 'boolean';
}

/**
 * The backbone's forward pass as torch runs it after `model.train()`: trainable BatchNorm2d
 * normalizes with the batch's statistics and moves its running statistics (torch
 * `nn.BatchNorm2d` in training), FrozenBatchNorm2d and GroupNorm are unchanged. The backbone's
 * own mode is restored before returning (the forward is synchronous, so nothing else runs in
 * between): `predict` keeps using the running statistics (eval).
 * A backbone without `train(mode)` / `training` is run as it is.
 * @param images `[B, H, W, 3]` float32, normalized and padded; not disposed
 * @returns the backbone's levels; caller owns
 */
export function forwardInTrainingMode(backbone: Backbone, images: tf.Tensor4D): FeatureMaps {
  if (!isSwitchable(backbone) || backbone.training) return backbone.forward(images);
  backbone.train(true);
  try {
    return backbone.forward(images);
  } finally {
    backbone.train(false);
  }
}
