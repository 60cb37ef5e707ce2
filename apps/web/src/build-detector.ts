import { RcnnError, readStateDict, type StateDict } from '@rcnn/core';
import {
  architectureParts,
  type CreateDetectorOptions,
  createDetector,
  deterministicWeightsFor,
  type GeneralizedRcnn,
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

function readCheckpoint(source: Extract<LocalModelSource, { kind: 'checkpoint' }>): StateDict {
  try {
    return readStateDict(new Uint8Array(source.bytes));
  } catch (error) {
    if (error instanceof RcnnError) {
      throw new RcnnError(
        error.code,
        `${source.fileName} is not a readable .pth or .safetensors state_dict: ${error.message}`,
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * Builds `source.architecture` and loads its weights: a torchvision checkpoint, loaded
 * strictly (missing, unexpected or mis-shaped entries are an error naming them), or core's
 * deterministic test weights. Runs on whatever tfjs backend is active (worker or Node).
 * @throws RcnnError for an unreadable or mismatched checkpoint
 */
export function buildDetector(source: LocalModelSource, settings: DetectorSettings = {}): BuiltDetector {
  const start = performance.now();
  const options = presetOptions(source, settings);
  const weights = source.kind === 'checkpoint' ? readCheckpoint(source) : undefined;
  const model = createDetector(source.architecture, weights ? { ...options, weights } : options);
  try {
    if (!weights) model.loadStateDict(deterministicWeightsFor(model));
  } catch (error) {
    model.dispose();
    throw error;
  }
  const { family } = architectureParts(source.architecture);
  const classes = model
    .stateDictShapes()
    .find(([name]) => name === 'roi_heads.box_predictor.cls_score.weight')?.[1];
  const description =
    source.kind === 'checkpoint'
      ? `${source.architecture} from ${source.fileName}`
      : `${source.architecture}, deterministic test weights (untrained)`;
  return {
    model,
    report: {
      description,
      numClasses: classes?.[0] ?? 0,
      keypoints: family === 'keypointrcnn',
      masks: family === 'maskrcnn',
      loadMs: performance.now() - start,
    },
  };
}
