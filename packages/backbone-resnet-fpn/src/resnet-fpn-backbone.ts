import {
  type Backbone,
  type FeatureMaps,
  type FeatureSpec,
  type LevelName,
  RcnnError,
  type StateDict,
} from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { CheckedWeights } from './checked-weights';
import { FeaturePyramidNetwork } from './feature-pyramid-network';
import { resnetFpnParameterShapes } from './parameter-shapes';
import { resnetArchitecture } from './resnet-architecture';
import { ResnetBody } from './resnet-body';
import {
  type ResnetFpnOptions,
  type ResolvedResnetFpnOptions,
  resolveResnetFpnOptions,
  trainableStageNames,
} from './resnet-fpn-options';

/**
 * A ResNet + FPN feature extractor (core's `Backbone` v1): NHWC images in, levels `p2..p6`
 * (strides 4..64, `outChannels` each) out. Weights are constants with every FrozenBatchNorm
 * folded into its convolution; build one with {@link resnetFpnBackbone}.
 * Matches torchvision `models/detection/backbone_utils.py::BackboneWithFPN.forward`.
 */
export class ResnetFpnBackbone implements Backbone {
  readonly specificationVersion = 'v1' as const;
  /** Padded sizes should be multiples of 32 (the coarsest ResNet stride) so each level is exactly 2x the next. */
  readonly sizeDivisibility = 32;
  /** Stage names torchvision would train for `trainableLayers` (`layer4`, `layer3`, ...); informative for now. */
  readonly trainableStages: readonly string[];
  private readonly levelNames: LevelName[];
  private disposed = false;

  constructor(
    readonly body: ResnetBody,
    readonly fpn: FeaturePyramidNetwork,
    readonly options: ResolvedResnetFpnOptions,
  ) {
    this.trainableStages = trainableStageNames(options.trainableLayers);
    this.levelNames = options.returnedLayers.map((k) => `p${k + 1}` as LevelName);
    if (options.extraBlocks === 'maxpool') {
      this.levelNames.push(`p${options.returnedLayers[options.returnedLayers.length - 1]! + 2}` as LevelName);
    }
  }

  /** Declared channels and stride per level, e.g. `{ p2: { channels: 256, stride: 4 }, ..., p6: { 256, 64 } }`. */
  outputSpecs(): Readonly<Record<LevelName, FeatureSpec>> {
    const specs: Record<LevelName, FeatureSpec> = {};
    for (const name of this.levelNames) {
      specs[name] = { channels: this.options.outChannels, stride: 2 ** Number(name.slice(1)) };
    }
    return specs;
  }

  /**
   * @param images `[B, H, W, 3]` float32, normalized and padded (an ImageBatch's tensor); not disposed.
   * @returns one level per `outputSpecs()` entry, fine to coarse, `[B, ceil(H/stride), ceil(W/stride), outChannels]`
   *   float32 NHWC; the caller owns every level's tensor (`disposeFeatureMaps`).
   * @throws RcnnError INVALID_SHAPE for a non-NHWC-RGB input; INVALID_ARGUMENT after dispose().
   */
  forward(images: tf.Tensor4D): FeatureMaps {
    if (this.disposed) throw new RcnnError('INVALID_ARGUMENT', 'this backbone was disposed');
    if (images.rank !== 4 || images.shape[3] !== 3 || images.dtype !== 'float32') {
      throw new RcnnError(
        'INVALID_SHAPE',
        `images must be float32 [B, H, W, 3] (NHWC), got ${images.dtype} [${images.shape.join(', ')}]`,
      );
    }
    if (images.shape.some((size) => size === 0)) {
      throw new RcnnError('INVALID_SHAPE', `images must be non-empty, got [${images.shape.join(', ')}]`);
    }
    const tensors = tf.tidy(() => {
      const features = this.body.forward(images, this.options.returnedLayers);
      return this.fpn.forward(features);
    });
    return tensors.map((tensor, i) => {
      const name = this.levelNames[i]!;
      return { name, stride: 2 ** Number(name.slice(1)), tensor };
    });
  }

  /** Releases every weight tensor; the object is unusable afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.body.dispose();
    this.fpn.dispose();
  }
}

/**
 * Builds a ResNet-FPN backbone from a torchvision state_dict, as torchvision's
 * `backbone_utils.py::resnet_fpn_backbone(backbone_name='resnet<depth>', ...)` builds the module
 * it is loaded into. Names read: `<prefix>body.*`, `<prefix>fpn.inner_blocks.*`,
 * `<prefix>fpn.layer_blocks.*`, in torchvision >= 0.13 naming (`inner_blocks.0.0.weight`) or the
 * older one (`inner_blocks.0.weight`). Keys outside `prefix` are ignored, so a whole detector
 * checkpoint can be passed; `*.num_batches_tracked` under a norm is ignored as torchvision does.
 *
 * @param weights torch layout (OIHW) float32 arrays; read once, not retained.
 * @param options `{ depth: 18 | 34 | 50 | 101, groups?, widthPerGroup?, returnedLayers = [1, 2, 3, 4],
 *   outChannels = 256, extraBlocks = 'maxpool', trainableLayers = 3, prefix = 'backbone.' }`
 * @returns a ready backbone owning its weight tensors (call `dispose()`).
 * @throws RcnnError INVALID_ARGUMENT (bad options), MISSING_KEYS (missing/unexpected names listed),
 *   INVALID_WEIGHTS (mis-shaped entries listed).
 */
export function resnetFpnBackbone(
  weights: StateDict,
  options: ResnetFpnOptions & { readonly prefix?: string },
): ResnetFpnBackbone {
  const { prefix = 'backbone.' } = options;
  const resolved = resolveResnetFpnOptions(options);
  const architecture = resnetArchitecture(resolved);
  const checked = CheckedWeights.check(weights, resnetFpnParameterShapes(resolved, prefix), prefix);
  const lastLayer = resolved.returnedLayers[resolved.returnedLayers.length - 1]!;
  const body = ResnetBody.load(checked, architecture, lastLayer, resolved.batchNormEpsilon);
  try {
    const fpn = FeaturePyramidNetwork.load(checked, resolved.returnedLayers.length, resolved.extraBlocks);
    return new ResnetFpnBackbone(body, fpn, resolved);
  } catch (error) {
    body.dispose();
    throw error;
  }
}
