import {
  type Backbone,
  type FeatureMaps,
  type FeatureSpec,
  type LevelName,
  Module,
  type ModuleWeightSlot,
  moduleWeightSlot,
  RcnnError,
  type StateDict,
} from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { FeaturePyramidNetwork } from './feature-pyramid-network';
import { createNorm } from './norm-layer';
import { type ResnetLayers, resnetConv } from './residual-block';
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
 * (strides 4..64, `outChannels` each) out. A core nn `Module` whose entries are torchvision's
 * (`body.*`, `fpn.*`, under `prefix` in a detector's state_dict); fresh weights follow
 * torchvision's init (train from scratch), `loadStateDict` / {@link resnetFpnBackbone} load a
 * checkpoint. Frozen norms are folded into the convs for inference (once, cached); in `train()`
 * mode or under a gradient tape the norms run as torch runs them.
 * Matches torchvision `models/detection/backbone_utils.py::BackboneWithFPN.forward`.
 */
export class ResnetFpnBackbone extends Module implements Backbone {
  readonly specificationVersion = 'v1' as const;
  /** Padded sizes should be multiples of 32 (the coarsest ResNet stride) so each level is exactly 2x the next. */
  readonly sizeDivisibility = 32;
  /** Stage names that train (torchvision `layers_to_train` for `trainableLayers`): `layer4`, `layer3`, ... */
  readonly trainableStages: readonly string[];
  readonly options: ResolvedResnetFpnOptions;
  /** torchvision prefix of the entries in a detector's state_dict. */
  readonly prefix: string;
  readonly body: ResnetBody;
  readonly fpn: FeaturePyramidNetwork;
  private readonly levelNames: LevelName[];
  private disposed = false;

  /**
   * @param options `{ depth, groups?, widthPerGroup?, baseChannels?, norm?, trainableLayers?, ..., prefix = 'backbone.' }`;
   *   `zeroInit: true` skips torchvision's random init (zeros) when weights are loaded right after
   */
  constructor(options: ResnetFpnOptions & { readonly prefix?: string; readonly zeroInit?: boolean }) {
    super();
    this.prefix = options.prefix ?? 'backbone.';
    this.options = resolveResnetFpnOptions(options);
    const { returnedLayers, extraBlocks, outChannels, trainableLayers } = this.options;
    const architecture = resnetArchitecture(this.options);
    const lastLayer = returnedLayers[returnedLayers.length - 1]!;
    const zeroInit = options.zeroInit ?? false;
    const layers: ResnetLayers = {
      norm: (channels) => createNorm(this.options, channels),
      conv: (inChannels, convOut, kernelSize, geometry) =>
        resnetConv(inChannels, convOut, kernelSize, geometry, zeroInit),
    };
    this.body = this.addModule('body', new ResnetBody(architecture, lastLayer, layers));
    const inChannels = returnedLayers.map((k) => architecture.layers[k - 1]!.outChannels);
    this.fpn = this.addModule(
      'fpn',
      new FeaturePyramidNetwork(inChannels, outChannels, extraBlocks, zeroInit),
    );
    this.trainableStages = trainableStageNames(trainableLayers);
    this.body.setTrainable(false);
    for (const [name, child] of this.body.namedChildren()) {
      if (this.trainableStages.includes(name)) child.setTrainable(true);
    }
    this.levelNames = returnedLayers.map((k) => `p${k + 1}` as LevelName);
    if (extraBlocks === 'maxpool') this.levelNames.push(`p${lastLayer + 2}` as LevelName);
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
    const tensors = tf.tidy(() => this.fpn.forward(this.body.forward(images, this.options.returnedLayers)));
    return tensors.map((tensor, i) => {
      const name = this.levelNames[i]!;
      return { name, stride: 2 ** Number(name.slice(1)), tensor };
    });
  }

  /**
   * The backbone's entries as a detector's `loadStateDict` / `saveStateDict` / `trainableVariables`
   * see them (`@rcnn/models`' WeightSlot contract), under {@link prefix}; older FPN names accepted.
   */
  weightSlots(): ModuleWeightSlot[] {
    return [moduleWeightSlot(this, this.prefix)];
  }

  /** Releases every weight tensor and cached folded filter; the object is unusable afterwards. */
  override dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    super.dispose();
  }
}

/**
 * Builds a ResNet-FPN backbone and loads a torchvision state_dict into it, as torchvision's
 * `backbone_utils.py::resnet_fpn_backbone(backbone_name='resnet<depth>', ...)` builds the module
 * it is loaded into. Names read: `<prefix>body.*`, `<prefix>fpn.inner_blocks.*`,
 * `<prefix>fpn.layer_blocks.*`, in torchvision >= 0.13 naming (`inner_blocks.0.0.weight`) or the
 * older one (`inner_blocks.0.weight`). Keys outside `prefix` are ignored, so a whole detector
 * checkpoint can be passed; `*.num_batches_tracked` under a norm is ignored.
 *
 * @param weights torch layout (OIHW) float32 arrays; read once, not retained.
 * @param options `{ depth: 18 | 34 | 50 | 101, groups?, widthPerGroup?, baseChannels?, norm = 'frozen-bn',
 *   returnedLayers = [1, 2, 3, 4], outChannels = 256, extraBlocks = 'maxpool', trainableLayers = 3, prefix = 'backbone.' }`
 * @returns a ready backbone owning its weight tensors (call `dispose()`).
 * @throws RcnnError INVALID_ARGUMENT (bad options), MISSING_KEYS (missing/unexpected names listed),
 *   INVALID_WEIGHTS (mis-shaped entries listed); nothing stays allocated after a throw.
 */
export function resnetFpnBackbone(
  weights: StateDict,
  options: ResnetFpnOptions & { readonly prefix?: string },
): ResnetFpnBackbone {
  const backbone = new ResnetFpnBackbone({ ...options, zeroInit: true });
  try {
    backbone.loadStateDict(weights, backbone.prefix);
    return backbone;
  } catch (error) {
    backbone.dispose();
    throw error;
  }
}
