import { deterministicTensor } from '@rcnn/core';
import {
  FastRcnnPredictor,
  KeypointRcnnHead,
  KeypointRcnnPredictor,
  MaskRcnnHead,
  MaskRcnnPredictor,
  TwoMlpHead,
} from '@rcnn/heads';
import * as tf from '@tensorflow/tfjs-core';
import { deterministicWeightsFor } from '../deterministic-weights-for';
import type { GeneralizedRcnn } from '../generalized-rcnn';
import type { RcnnFamily } from '../presets/build-resnet-fpn-rcnn';
import type { KeypointRcnnOptions, MaskRcnnOptions } from '../presets/preset-options';
import { fasterRcnnResnetFpn, keypointRcnnResnetFpn, maskRcnnResnetFpn } from '../presets/resnet-fpn-presets';

export const SMALL_CLASSES = 3;
export const SMALL_KEYPOINTS = 4;

/**
 * A cheap detector of `family` for tests that do not compare with torchvision: ResNet-18-FPN,
 * images resized to at most 32 pixels (a 32x32 padded batch), 30 proposals, narrow heads. Not loaded (no weights).
 */
export function smallModelUnloaded(
  family: RcnnFamily,
  overrides: MaskRcnnOptions & KeypointRcnnOptions = {},
) {
  const options = {
    depth: 18 as const,
    minSize: 24,
    maxSize: 32,
    rpnPreNmsTopNTest: 60,
    rpnPostNmsTopNTest: 30,
    boxDetectionsPerImg: 6,
    boxHead: new TwoMlpHead({ representationSize: 32, seed: 1 }),
    boxPredictor: new FastRcnnPredictor({ inChannels: 32, numClasses: SMALL_CLASSES, seed: 2 }),
    ...overrides,
  };
  if (family === 'fasterrcnn') return fasterRcnnResnetFpn(options);
  if (family === 'maskrcnn') {
    return maskRcnnResnetFpn({
      maskHead: new MaskRcnnHead({ layers: [8, 8], seed: 3 }),
      maskPredictor: new MaskRcnnPredictor({
        inChannels: 8,
        dimReduced: 8,
        numClasses: SMALL_CLASSES,
        seed: 4,
      }),
      ...options,
    });
  }
  return keypointRcnnResnetFpn({
    keypointHead: new KeypointRcnnHead({ layers: [8, 8], seed: 5 }),
    keypointPredictor: new KeypointRcnnPredictor({ inChannels: 8, numKeypoints: SMALL_KEYPOINTS, seed: 6 }),
    ...options,
  });
}

/** {@link smallModelUnloaded} with deterministic weights. Caller owns. */
export function smallModel(
  family: RcnnFamily,
  overrides: MaskRcnnOptions & KeypointRcnnOptions = {},
): GeneralizedRcnn {
  const model = smallModelUnloaded(family, overrides);
  model.loadStateDict(deterministicWeightsFor(model));
  return model;
}

/** Two small images of different sizes: float32 0..1 `[40, 56, 3]` and int32 0..255 `[50, 30, 3]`. Caller owns. */
export function smallImages(): tf.Tensor3D[] {
  return [
    tf.tensor3d(deterministicTensor('models/small0', [40, 56, 3], 0, 1), [40, 56, 3]),
    tf.tidy(() =>
      tf.cast(
        tf.floor(tf.tensor3d(deterministicTensor('models/small1', [50, 30, 3], 0, 256), [50, 30, 3])),
        'int32',
      ),
    ) as tf.Tensor3D,
  ];
}
