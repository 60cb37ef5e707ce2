import { RcnnError } from '@rcnn/core';
import {
  architectureParts,
  type Checkpoint,
  type CreateDetectorOptions,
  createDetector,
  deterministicWeightsFor,
  type GeneralizedRcnn,
  labelNamesOf,
  type ModelRecord,
  readCheckpoint,
} from '@rcnn/models';
import * as tf from '@tensorflow/tfjs-core';
import type { DetectorSettings, LocalModelSource, ModelReport } from './protocol';

/**
 * Settings of the built-in demo model (deterministic weights): a small input and few
 * proposals keep it quick on every backend. Untrained class scores sit near 1 / numClasses,
 * so the score threshold is 0 and the ten best detections are kept (as the CLI's
 * `--weights deterministic`), which exercises every stage.
 */
export const DEMO_SETTINGS: Readonly<Required<DetectorSettings>> = {
  minSize: 128,
  maxSize: 128,
  detectionsPerImage: 10,
  proposals: 100,
};

/**
 * On webgpu the RoI heads pad each image's proposals to a multiple of 32 and its detections to a
 * multiple of 4 (`roiPadding` of `@rcnn/models`): the box, mask and keypoint heads then see the
 * same few shapes whatever the counts, so no shaders are compiled for a new count, for at most
 * 31 proposals and 3 detections of extra work. Results are those without padding.
 */
export const WEBGPU_ROI_PADDING = { proposals: 32, detections: 4 } as const;

/** A detector built from a {@link LocalModelSource}; caller owns `model` (`dispose()`). */
export interface BuiltDetector {
  readonly model: GeneralizedRcnn;
  readonly report: ModelReport;
}

function presetOptions(source: LocalModelSource, settings: DetectorSettings): CreateDetectorOptions {
  const deterministic = source.kind === 'deterministic';
  return {
    ...(settings.minSize === undefined ? {} : { minSize: settings.minSize }),
    ...(settings.maxSize === undefined ? {} : { maxSize: settings.maxSize }),
    ...(settings.detectionsPerImage === undefined
      ? {}
      : { boxDetectionsPerImg: settings.detectionsPerImage }),
    ...(settings.proposals === undefined
      ? {}
      : { rpnPostNmsTopNTest: settings.proposals, rpnPreNmsTopNTest: Math.max(settings.proposals, 200) }),
    // Untrained scores are all below torchvision's 0.05; the page's slider filters instead.
    ...(deterministic ? { boxScoreThresh: 0 } : {}),
    ...(tf.getBackend() === 'webgpu' ? { roiPadding: WEBGPU_ROI_PADDING } : {}),
  };
}

/** A checkpoint the page was given, read once. @throws RcnnError naming the file */
function readSourceCheckpoint(source: Extract<LocalModelSource, { kind: 'checkpoint' }>): Checkpoint {
  try {
    return readCheckpoint(new Uint8Array(source.bytes));
  } catch (error) {
    if (!(error instanceof RcnnError)) throw error;
    throw new RcnnError(error.code, `${source.fileName}: ${error.message}`, { cause: error });
  }
}

function describeModel(
  source: LocalModelSource,
  architecture: string,
  record: ModelRecord | undefined,
): string {
  if (source.kind === 'deterministic') return `${architecture}, deterministic test weights (untrained)`;
  const classes = record ? `, ${record.categoryNames.length} classes by its model record` : '';
  return `${architecture} from ${source.fileName}${classes}`;
}

/**
 * Builds the model and loads its weights: a torchvision checkpoint, loaded strictly (missing,
 * unexpected or mis-shaped entries are an error naming them), or core's deterministic test
 * weights. A checkpoint's model record (`rcnn.model`) gives the architecture, the preset options
 * (`settings` go on top) and the class names, as in the CLI. Runs on the active tfjs backend
 * (worker or Node).
 * @throws RcnnError for an unreadable or mismatched checkpoint, or one with neither a record nor an architecture
 */
export function buildDetector(source: LocalModelSource, settings: DetectorSettings = {}): BuiltDetector {
  const start = performance.now();
  const checkpoint = source.kind === 'checkpoint' ? readSourceCheckpoint(source) : undefined;
  const record = checkpoint?.record;
  const architecture = record?.architecture ?? source.architecture;
  if (architecture === undefined) {
    throw new RcnnError(
      'INVALID_ARGUMENT',
      `${source.kind === 'checkpoint' ? source.fileName : 'the weights'} have no "rcnn.model" record saying what model they are: choose the architecture`,
    );
  }
  const options = { ...record?.options, ...presetOptions(source, settings) };
  const model = createDetector(
    architecture,
    checkpoint ? { ...options, weights: checkpoint.stateDict } : options,
  );
  try {
    if (!checkpoint) model.loadStateDict(deterministicWeightsFor(model));
  } catch (error) {
    model.dispose();
    throw error;
  }
  const { family } = architectureParts(architecture);
  const numClasses = model.roiHeads.box.predictor.numClasses;
  const categoryNames = labelNamesOf(record, architecture, numClasses);
  return {
    model,
    report: {
      description: describeModel(source, architecture, record),
      architecture,
      ...(categoryNames ? { categoryNames } : {}),
      numClasses,
      keypoints: family === 'keypointrcnn',
      masks: family === 'maskrcnn',
      loadMs: performance.now() - start,
    },
  };
}
