import type { CreateDetectorOptions } from '@rcnn/models';
import { CliError } from './command';
import type { OptionSpecs } from './parse-arguments';

/** How a flag's text becomes a value. */
type ValueKind =
  | 'count' // positive integer
  | 'non-negative-int'
  | 'layers' // integer 0..5
  | 'fraction' // number in [0, 1]
  | 'sizes' // one or more positive integers, comma-separated
  | 'triple' // three numbers
  | 'height-width' // two positive integers
  | 'box-weights'; // four positive numbers

interface ModelFlag {
  /** The flag without `--`: torchvision's argument name in kebab-case. */
  readonly flag: string;
  /** The preset option it sets (torchvision's name in camelCase). */
  readonly key: keyof CreateDetectorOptions;
  readonly kind: ValueKind;
  readonly description: string;
}

/**
 * The torchvision builder and `FasterRCNN`/`MaskRCNN`/`KeypointRCNN` arguments the commands take,
 * as `--kebab-case` flags. Help text, parsing and the mapping to preset options all come from
 * this one list, so they cannot drift apart.
 */
const MODEL_FLAGS: readonly ModelFlag[] = [
  {
    flag: 'num-classes',
    key: 'numClasses',
    kind: 'count',
    description: "classes incl. background (default: the checkpoint's, else 91; keypointrcnn 2)",
  },
  {
    flag: 'num-keypoints',
    key: 'numKeypoints',
    kind: 'count',
    description: "keypointrcnn: keypoints per instance (default: the checkpoint's, else 17)",
  },
  {
    flag: 'trainable-backbone-layers',
    key: 'trainableBackboneLayers',
    kind: 'layers',
    description: 'ResNet stages marked trainable, 0..5 (recorded for training; no effect on predict)',
  },
  {
    flag: 'min-size',
    key: 'minSize',
    kind: 'sizes',
    description: 'short side after resizing; a list is for training, predict uses the last (default 800)',
  },
  { flag: 'max-size', key: 'maxSize', kind: 'count', description: 'long side cap (default 1333)' },
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
    description: 'resize to exactly HEIGHT,WIDTH (torchvision fixed_size, which is width, height)',
  },
  {
    flag: 'size-divisible',
    key: 'sizeDivisible',
    kind: 'count',
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

const PLACEHOLDERS: Record<ValueKind, string> = {
  count: 'N',
  'non-negative-int': 'N',
  layers: 'N',
  fraction: 'X',
  sizes: 'N[,N...]',
  triple: 'R,G,B',
  'height-width': 'H,W',
  'box-weights': 'WX,WY,WW,WH',
};

/** The model flags as option declarations for a command (help text and parsing). */
export const MODEL_OPTION_SPECS: OptionSpecs = Object.fromEntries(
  MODEL_FLAGS.map((entry) => [
    entry.flag,
    { type: 'string' as const, value: PLACEHOLDERS[entry.kind], description: entry.description },
  ]),
);

function numbers(text: string, flag: string, command: string): number[] {
  const parts = text.split(',').map((part) => part.trim());
  const values = parts.map(Number);
  if (parts.some((part) => part === '') || values.some((value) => !Number.isFinite(value))) {
    throw new CliError(`${command}: --${flag} must be a number or comma-separated numbers, got '${text}'`, 2);
  }
  return values;
}

/** Parses one flag's text; a CliError (exit 2) naming the flag and what it expects otherwise. */
function parseValue(kind: ValueKind, text: string, flag: string, command: string): unknown {
  const values = numbers(text, flag, command);
  const fail = (expected: string): never => {
    throw new CliError(`${command}: --${flag} must be ${expected}, got '${text}'`, 2);
  };
  const single = (): number => (values.length === 1 ? values[0]! : fail('a single number'));
  const isCount = (value: number) => Number.isInteger(value) && value > 0;
  switch (kind) {
    case 'count':
      return isCount(single()) ? values[0] : fail('a positive integer');
    case 'non-negative-int':
      return Number.isInteger(single()) && values[0]! >= 0 ? values[0] : fail('a non-negative integer');
    case 'layers':
      return Number.isInteger(single()) && values[0]! >= 0 && values[0]! <= 5
        ? values[0]
        : fail('an integer from 0 to 5');
    case 'fraction':
      return single() >= 0 && values[0]! <= 1 ? values[0] : fail('a number from 0 to 1');
    case 'sizes':
      if (!values.every(isCount)) fail('positive integers');
      return values.length === 1 ? values[0] : values;
    case 'triple':
      return values.length === 3 ? values : fail('three comma-separated numbers');
    case 'height-width':
      return values.length === 2 && values.every(isCount) ? values : fail('HEIGHT,WIDTH in pixels');
    case 'box-weights':
      return values.length === 4 && values.every((value) => value > 0)
        ? values
        : fail('four positive comma-separated numbers');
    default: {
      const unknown: never = kind;
      throw new Error(`unhandled value kind ${String(unknown)}`);
    }
  }
}

/**
 * The preset options given on the command line (only those given: the preset keeps
 * torchvision's defaults for the rest).
 * @throws CliError exit code 2 for a malformed value
 */
export function parseModelOptions(
  values: Readonly<Record<string, string | boolean | undefined>>,
  command: string,
): CreateDetectorOptions {
  const options: Record<string, unknown> = {};
  for (const entry of MODEL_FLAGS) {
    const text = values[entry.flag];
    if (typeof text === 'string') options[entry.key] = parseValue(entry.kind, text, entry.flag, command);
  }
  return options as CreateDetectorOptions;
}
