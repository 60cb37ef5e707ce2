import type { ResnetDepth } from '@rcnn/backbone-resnet-fpn';
import type { ImageSize, PositiveNegativeSampler, RoiPooler, StateDict } from '@rcnn/core';
import type {
  FastRcnnPredictor,
  KeypointRcnnHead,
  KeypointRcnnPredictor,
  MaskRcnnHead,
  MaskRcnnPredictor,
  RoiSampler,
  TwoMlpHead,
} from '@rcnn/heads';
import type { AnchorGenerator, RpnHead } from '@rcnn/rpn';
import type { RoiPadding } from '../roi-heads/roi-padding';

/**
 * Options of the Faster R-CNN presets: torchvision's `FasterRCNN` constructor and
 * `fasterrcnn_resnet50_fpn` builder arguments in camelCase, with torchvision's defaults.
 * Built parts (`rpnHead`, `boxHead`, ...) replace the preset's own and are owned by the detector.
 */
export interface FasterRcnnOptions {
  /**
   * Classes including background (torchvision `num_classes`). Default: the checkpoint's
   * (`roi_heads.box_predictor.cls_score.weight` rows) when `weights` has it, else 91 (COCO).
   */
  readonly numClasses?: number;
  /** A torchvision state_dict (core `readStateDict`), loaded strictly. Without it the backbone has no weights until `loadStateDict`. */
  readonly weights?: StateDict;
  /** ResNet stages counted trainable, 0..5 (recorded for training). Default 3 with `weights`, else 5 (torchvision). */
  readonly trainableBackboneLayers?: number;
  /** The ResNet's norm (torchvision `norm_layer`): FrozenBatchNorm2d, BatchNorm2d or GroupNorm(32, c). Default `'frozen-bn'`. */
  readonly normLayer?: 'frozen-bn' | 'bn' | 'gn';
  /** Not torchvision: ResNet stem / layer1 width (64 in torchvision; 32 = half width, e.g. trained from scratch). Default 64. */
  readonly backboneBaseChannels?: number;
  /** Channels of every FPN level (torchvision `BackboneWithFPN(out_channels=...)`), read by the RPN and RoI heads too. Default 256. */
  readonly fpnOutChannels?: number;
  // transform (GeneralizedRCNNTransform)
  /** Short side after resizing; a list gives training scales (inference uses the last). Default 800. */
  readonly minSize?: number | readonly number[];
  /** Long side cap. Default 1333. */
  readonly maxSize?: number;
  /** Default ImageNet `[0.485, 0.456, 0.406]`. */
  readonly imageMean?: readonly number[];
  /** Default `[0.229, 0.224, 0.225]`. */
  readonly imageStd?: readonly number[];
  /** Resize to exactly `[height, width]` (torchvision `fixed_size`, which is (width, height)). */
  readonly fixedSize?: ImageSize;
  /** Padded sizes are multiples of this (torchvision `size_divisible`). Default 32. */
  readonly sizeDivisible?: number;
  // RPN
  readonly rpnAnchorGenerator?: AnchorGenerator;
  /**
   * Anchor size of each pyramid level p2..p6 (torchvision `AnchorGenerator(sizes=((32,), (64,), ...))`
   * with one size a level). Default `[32, 64, 128, 256, 512]`. Ignored when `rpnAnchorGenerator` is given.
   */
  readonly rpnAnchorSizes?: readonly number[];
  /** Anchor aspect ratios (height / width), the same at every level. Default `[0.5, 1, 2]`. */
  readonly rpnAspectRatios?: readonly number[];
  readonly rpnHead?: RpnHead;
  /** Default 2000. */
  readonly rpnPreNmsTopNTrain?: number;
  /** Default 1000. */
  readonly rpnPreNmsTopNTest?: number;
  /** Default 2000. */
  readonly rpnPostNmsTopNTrain?: number;
  /** Default 1000. */
  readonly rpnPostNmsTopNTest?: number;
  /** Default 0.7. */
  readonly rpnNmsThresh?: number;
  /** Default 0.7. */
  readonly rpnFgIouThresh?: number;
  /** Default 0.3. */
  readonly rpnBgIouThresh?: number;
  /** Default 256. */
  readonly rpnBatchSizePerImage?: number;
  /** Default 0.5. */
  readonly rpnPositiveFraction?: number;
  /**
   * Chooses the anchors each training step's RPN loss uses. Default core's `BalancedSampler`
   * with `rpnBatchSizePerImage` / `rpnPositiveFraction` (seeded); inject your own for other random
   * sources or to replay another implementation's draws.
   */
  readonly rpnSampler?: PositiveNegativeSampler;
  /** Default 0.0. */
  readonly rpnScoreThresh?: number;
  // Box branch
  /** Default `MultiScaleRoiAlign` p2..p5, 7x7, sampling ratio 2, aligned false. */
  readonly boxRoiPool?: RoiPooler;
  readonly boxHead?: TwoMlpHead;
  /** Width of the box head's two fully connected layers (torchvision `TwoMLPHead(representation_size)`). Default 1024. */
  readonly boxRepresentationSize?: number;
  /** Replaces the predictor; then `numClasses` must be left out (as torchvision). */
  readonly boxPredictor?: FastRcnnPredictor;
  /** Default 0.05. */
  readonly boxScoreThresh?: number;
  /** Default 0.5. */
  readonly boxNmsThresh?: number;
  /** Default 100. */
  readonly boxDetectionsPerImg?: number;
  /** Inference: pad RoI counts to multiples for stable shapes on GPU backends (see `RoiPadding`). Default none. */
  readonly roiPadding?: RoiPadding;
  /** Default 0.5. */
  readonly boxFgIouThresh?: number;
  /** Default 0.5. */
  readonly boxBgIouThresh?: number;
  /** Default 512. */
  readonly boxBatchSizePerImage?: number;
  /** Default 0.25. */
  readonly boxPositiveFraction?: number;
  /**
   * Matches and samples the proposals of each training step. Default `@rcnn/heads`'
   * `matcherRoiSampler` with the `box*IouThresh`, `boxBatchSizePerImage` and `boxPositiveFraction` above.
   */
  readonly boxSampler?: RoiSampler;
  /** Box coder weights of the second stage. Default `[10, 10, 5, 5]`. */
  readonly bboxRegWeights?: readonly [number, number, number, number];
}

/** Options of the Mask R-CNN presets (torchvision `MaskRCNN`): Faster R-CNN's plus the mask branch's parts. */
export interface MaskRcnnOptions extends FasterRcnnOptions {
  /** Default `MultiScaleRoiAlign` p2..p5, 14x14, sampling ratio 2. */
  readonly maskRoiPool?: RoiPooler;
  readonly maskHead?: MaskRcnnHead;
  /** Width of the mask head's four convolutions and of the predictor's upsampling (`dim_reduced`). Default 256. */
  readonly maskHeadChannels?: number;
  readonly maskPredictor?: MaskRcnnPredictor;
}

/**
 * Options of the keypoint R-CNN presets (torchvision `KeypointRCNN`): Faster R-CNN's plus the
 * keypoint branch's parts. Defaults differ: `numClasses` 2 (background, person), `minSize`
 * `[640, 672, 704, 736, 768, 800]`.
 */
export interface KeypointRcnnOptions extends FasterRcnnOptions {
  /** Default `MultiScaleRoiAlign` p2..p5, 14x14, sampling ratio 2. */
  readonly keypointRoiPool?: RoiPooler;
  readonly keypointHead?: KeypointRcnnHead;
  readonly keypointPredictor?: KeypointRcnnPredictor;
  /** Default: the checkpoint's when `weights` has the predictor, else 17 (COCO person). */
  readonly numKeypoints?: number;
}

/** The backbone depth of a ResNet-FPN preset. */
export interface ResnetDepthOption {
  readonly depth: ResnetDepth;
}
