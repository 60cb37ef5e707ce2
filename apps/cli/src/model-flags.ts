import type { CreateDetectorOptions } from '@rcnn/models';

/** How a flag's text becomes a value. */
export type ValueKind =
  | 'count' // positive integer
  | 'non-negative-int'
  | 'layers' // integer 0..5
  | 'fraction' // number in [0, 1]
  | 'sizes' // one or more positive integers, comma-separated
  | 'triple' // three numbers
  | 'height-width' // two positive integers
  | 'box-weights' // four positive numbers
  | 'norm-layer' // frozen-bn, bn or gn
  | 'level-sizes' // five positive integers, one per FPN level
  | 'ratios'; // one or more positive numbers

export interface ModelFlag {
  /** The flag without `--`: torchvision's argument name in kebab-case. */
  readonly flag: string;
  /** The preset option it sets (torchvision's name in camelCase). */
  readonly key: keyof CreateDetectorOptions;
  readonly kind: ValueKind;
  readonly description: string;
  /**
   * Largest value accepted (every number of a list), with why: beyond it the padded image or
   * the working memory outgrows what the backends hold (`--size-divisible 100000` pads the
   * batch to 100000x100000 px and crashes in PadV2).
   */
  readonly max?: { readonly value: number; readonly why: string };
  /** Changes the weights' shapes, so it applies to `convert` (the others only change inference or training). */
  readonly shapesWeights?: boolean;
}

/** Images are resized to at most this many pixels a side (4096: 16.8 MP, ~0.2 GB as float32 RGB). */
const MAX_IMAGE_SIDE = { value: 4096, why: 'px a side (larger resized images exhaust memory)' };

/**
 * The torchvision builder and `FasterRCNN`/`MaskRCNN`/`KeypointRCNN` arguments the commands take,
 * as `--kebab-case` flags. Help text, parsing and the mapping to preset options all come from
 * this one list, so they cannot drift apart.
 */
export const MODEL_FLAGS: readonly ModelFlag[] = [
  {
    flag: 'num-classes',
    key: 'numClasses',
    kind: 'count',
    shapesWeights: true,
    description: "classes incl. background (default: the checkpoint's, else 91; keypointrcnn 2)",
  },
  {
    flag: 'num-keypoints',
    key: 'numKeypoints',
    kind: 'count',
    shapesWeights: true,
    description: "keypointrcnn: keypoints per instance (default: the checkpoint's, else 17)",
  },
  {
    flag: 'trainable-backbone-layers',
    key: 'trainableBackboneLayers',
    kind: 'layers',
    description: 'ResNet stages marked trainable, 0..5 (recorded for training; no effect on predict)',
  },
  {
    flag: 'norm-layer',
    key: 'normLayer',
    kind: 'norm-layer',
    shapesWeights: true,
    description: "the ResNet's norm: frozen-bn (default, torchvision's), bn or gn (GroupNorm, 32 groups)",
  },
  {
    flag: 'backbone-base-channels',
    key: 'backboneBaseChannels',
    kind: 'count',
    shapesWeights: true,
    description: 'ResNet stem and layer1 width, doubling each stage (default 64; 32: half width)',
  },
  {
    flag: 'fpn-out-channels',
    key: 'fpnOutChannels',
    kind: 'count',
    shapesWeights: true,
    description: 'channels of every FPN level, read by the RPN and RoI heads (default 256)',
  },
  {
    flag: 'box-representation-size',
    key: 'boxRepresentationSize',
    kind: 'count',
    shapesWeights: true,
    description: "width of the box head's two fully connected layers (default 1024)",
  },
  {
    flag: 'mask-head-channels',
    key: 'maskHeadChannels',
    kind: 'count',
    shapesWeights: true,
    description: "width of the mask head's convolutions and upsampling (default 256)",
  },
  {
    flag: 'rpn-anchor-sizes',
    key: 'rpnAnchorSizes',
    kind: 'level-sizes',
    description: 'anchor size of each FPN level p2..p6, five numbers (default 32,64,128,256,512)',
  },
  {
    flag: 'rpn-aspect-ratios',
    key: 'rpnAspectRatios',
    kind: 'ratios',
    description: 'anchor aspect ratios (height/width), the same at every level (default 0.5,1,2)',
  },
  {
    flag: 'min-size',
    key: 'minSize',
    kind: 'sizes',
    max: MAX_IMAGE_SIDE,
    description: 'short side after resizing; a list is for training, predict uses the last (default 800)',
  },
  {
    flag: 'max-size',
    key: 'maxSize',
    kind: 'count',
    max: MAX_IMAGE_SIDE,
    description: 'long side cap (default 1333)',
  },
  {
    flag: 'image-mean',
    key: 'imageMean',
    kind: 'triple',
    description: 'R,G,B normalization mean (default 0.485,0.456,0.406)',
  },
  {
    flag: 'image-std',
    key: 'imageStd',
    kind: 'triple',
    description: 'R,G,B normalization std (default 0.229,0.224,0.225)',
  },
  {
    flag: 'fixed-size',
    key: 'fixedSize',
    kind: 'height-width',
    max: MAX_IMAGE_SIDE,
    description: 'resize to exactly HEIGHT,WIDTH (torchvision fixed_size, which is width, height)',
  },
  {
    flag: 'size-divisible',
    key: 'sizeDivisible',
    kind: 'count',
    max: { value: 256, why: '(the batch is padded to multiples of it; torchvision uses 32)' },
    description: 'pad the batch to multiples of this (default 32)',
  },
  ...(['pre', 'post'] as const).flatMap((when) =>
    (['train', 'test'] as const).map(
      (phase): ModelFlag => ({
        flag: `rpn-${when}-nms-top-n-${phase}`,
        key: `rpn${when === 'pre' ? 'Pre' : 'Post'}NmsTopN${phase === 'train' ? 'Train' : 'Test'}` as const,
        kind: 'count',
        description: `${phase === 'train' ? 'training' : 'inference'}: proposals kept ${when === 'pre' ? 'per level before' : 'per image after'} NMS (default ${phase === 'train' ? 2000 : 1000})`,
      }),
    ),
  ),
  { flag: 'rpn-nms-thresh', key: 'rpnNmsThresh', kind: 'fraction', description: 'RPN NMS IoU (default 0.7)' },
  {
    flag: 'rpn-fg-iou-thresh',
    key: 'rpnFgIouThresh',
    kind: 'fraction',
    description: 'training: anchor positive IoU (default 0.7)',
  },
  {
    flag: 'rpn-bg-iou-thresh',
    key: 'rpnBgIouThresh',
    kind: 'fraction',
    description: 'training: anchor negative IoU (default 0.3)',
  },
  {
    flag: 'rpn-batch-size-per-image',
    key: 'rpnBatchSizePerImage',
    kind: 'count',
    description: 'training: anchors sampled per image (default 256)',
  },
  {
    flag: 'rpn-positive-fraction',
    key: 'rpnPositiveFraction',
    kind: 'fraction',
    description: 'training: positive share of sampled anchors (default 0.5)',
  },
  {
    flag: 'rpn-score-thresh',
    key: 'rpnScoreThresh',
    kind: 'fraction',
    description: 'drop proposals scoring at or below this (default 0)',
  },
  {
    flag: 'box-score-thresh',
    key: 'boxScoreThresh',
    kind: 'fraction',
    description: 'keep detections scoring above this (default 0.05; 0 with --weights deterministic)',
  },
  {
    flag: 'box-nms-thresh',
    key: 'boxNmsThresh',
    kind: 'fraction',
    description: 'per-class NMS IoU (default 0.5)',
  },
  {
    flag: 'box-detections-per-img',
    key: 'boxDetectionsPerImg',
    kind: 'non-negative-int',
    description: 'detections kept per image (default 100; 10 with --weights deterministic)',
  },
  {
    flag: 'box-fg-iou-thresh',
    key: 'boxFgIouThresh',
    kind: 'fraction',
    description: 'training: RoI positive IoU (default 0.5)',
  },
  {
    flag: 'box-bg-iou-thresh',
    key: 'boxBgIouThresh',
    kind: 'fraction',
    description: 'training: RoI negative IoU (default 0.5)',
  },
  {
    flag: 'box-batch-size-per-image',
    key: 'boxBatchSizePerImage',
    kind: 'count',
    description: 'training: RoIs sampled per image (default 512)',
  },
  {
    flag: 'box-positive-fraction',
    key: 'boxPositiveFraction',
    kind: 'fraction',
    description: 'training: positive share of sampled RoIs (default 0.25)',
  },
  {
    flag: 'bbox-reg-weights',
    key: 'bboxRegWeights',
    kind: 'box-weights',
    description: 'second-stage box coder weights WX,WY,WW,WH (default 10,10,5,5)',
  },
];
