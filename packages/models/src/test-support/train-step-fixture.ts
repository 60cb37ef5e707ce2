import { readFileSync } from 'node:fs';
import {
  asBoxes,
  deterministicTensor,
  type GroundTruth,
  type PositiveNegativeSampler,
  readSafetensors,
  type StateDict,
} from '@rcnn/core';
import {
  FastRcnnPredictor,
  KeypointRcnnHead,
  KeypointRcnnPredictor,
  MaskRcnnHead,
  MaskRcnnPredictor,
  matcherRoiSampler,
  type RoiSampler,
  TwoMlpHead,
} from '@rcnn/heads';
import * as tf from '@tensorflow/tfjs-core';
import type { GeneralizedRcnn } from '../generalized-rcnn';
import type { RcnnFamily } from '../presets/build-resnet-fpn-rcnn';
import { fasterRcnnResnetFpn, keypointRcnnResnetFpn, maskRcnnResnetFpn } from '../presets/resnet-fpn-presets';

/** What tools/reference/gen_train_step.py recorded for one family. */
export interface TrainStepFixture {
  readonly family: RcnnFamily;
  readonly tensors: StateDict;
  readonly options: {
    min_size: number;
    max_size: number;
    box_batch_size_per_image: number;
    rpn_batch_size_per_image: number;
    num_classes: number;
    num_keypoints: number;
    box_representation: number;
    head_layers: number[];
    trainable_layers: number;
  };
  readonly imageShapesChw: [number, number, number][];
  readonly imageKeys: string[];
  readonly boxes: number[][][];
  readonly labels: number[][];
  /** torchvision's loss values by its key (`loss_classifier`, ...). */
  readonly losses: Record<string, number>;
  /** Per parameter with a gradient: L2 norm and two projections on `projection{k}/<name>` tensors. */
  readonly gradients: Record<string, { norm: number; projections: [number, number] }>;
}

/** torchvision's loss keys -> ours. */
export const TORCHVISION_LOSS_KEYS: Record<string, string> = {
  loss_objectness: 'rpn/objectness',
  loss_rpn_box_reg: 'rpn/boxRegression',
  loss_classifier: 'roiHeads/classification',
  loss_box_reg: 'roiHeads/boxRegression',
  loss_mask: 'mask/bce',
  loss_keypoint: 'keypoint/crossEntropy',
};

export function trainStepFixture(family: RcnnFamily): TrainStepFixture {
  const url = new URL(`../__fixtures__/train-step-${family}.safetensors`, import.meta.url);
  const { tensors, metadata } = readSafetensors(new Uint8Array(readFileSync(url)));
  const json = (key: string) => JSON.parse(metadata[key]!);
  return {
    family,
    tensors,
    options: json('options'),
    imageShapesChw: json('image_shapes_chw'),
    imageKeys: json('image_keys'),
    boxes: json('boxes'),
    labels: json('labels'),
    losses: json('losses'),
    gradients: json('gradients'),
  };
}

/** The fixture's images, HWC float32 0..1. Caller owns. */
export function trainStepImages(fixture: TrainStepFixture): tf.Tensor3D[] {
  return fixture.imageShapesChw.map((shape, i) =>
    tf.tidy(() =>
      tf.transpose(tf.tensor3d(deterministicTensor(fixture.imageKeys[i]!, shape, 0, 1), shape), [1, 2, 0]),
    ),
  );
}

/** The fixture's targets in original pixels (keypoint R-CNN: every label 1). Caller owns. */
export function trainStepTargets(fixture: TrainStepFixture): GroundTruth[] {
  return fixture.boxes.map((boxes, i) => {
    const labels = fixture.family === 'keypointrcnn' ? boxes.map(() => 1) : fixture.labels[i]!;
    const entry = (key: string) => fixture.tensors.get(`target${i}/${key}`);
    const masks = entry('masks');
    const keypoints = entry('keypoints');
    return {
      boxes: asBoxes(tf.tensor2d(boxes)),
      labels: tf.tensor1d(labels, 'int32'),
      ...(masks
        ? { masks: tf.tensor3d(Float32Array.from(masks.data), masks.shape as [number, number, number]) }
        : {}),
      ...(keypoints
        ? {
            keypoints: tf.tensor3d(
              keypoints.data as Float32Array,
              keypoints.shape as [number, number, number],
            ),
          }
        : {}),
    };
  });
}

/** torchvision's draws of one sampler, per image (ascending indices). */
function drawn(fixture: TrainStepFixture, stage: 'rpn' | 'roi') {
  return fixture.boxes.map((_, i) => ({
    positive: Int32Array.from(fixture.tensors.get(`${stage}/image${i}/positive`)!.data),
    negative: Int32Array.from(fixture.tensors.get(`${stage}/image${i}/negative`)!.data),
  }));
}

/** Replays torchvision's anchor draws (the labels are ours: a mismatch fails in target assignment). */
export function replayRpnSampler(fixture: TrainStepFixture): PositiveNegativeSampler {
  const draws = drawn(fixture, 'rpn');
  return { sample: (labels) => labels.map((_, i) => draws[i]!) };
}

/** Our matching with torchvision's RoI draws; checks that the candidate counts agree. */
export function replayRoiSampler(fixture: TrainStepFixture): RoiSampler {
  const draws = drawn(fixture, 'roi');
  const matcher = matcherRoiSampler();
  return {
    async matchAndSample(proposals, targets) {
      const matches = await matcher.matchAndSample(proposals, targets);
      return matches.map((match, i) => ({
        matchedGtIndices: match.matchedGtIndices,
        sampledPositive: draws[i]!.positive,
        sampledNegative: draws[i]!.negative,
      }));
    },
  };
}

/** The fixture's detector: ResNet-18-FPN, narrow heads, torchvision's samplers replayed. Not loaded. */
export function trainStepModel(fixture: TrainStepFixture): GeneralizedRcnn {
  const { options } = fixture;
  const [first, second] = options.head_layers;
  const representation = options.box_representation;
  const common = {
    depth: 18 as const,
    minSize: options.min_size,
    maxSize: options.max_size,
    trainableBackboneLayers: options.trainable_layers,
    boxBatchSizePerImage: options.box_batch_size_per_image,
    rpnBatchSizePerImage: options.rpn_batch_size_per_image,
    rpnSampler: replayRpnSampler(fixture),
    boxSampler: replayRoiSampler(fixture),
    boxHead: new TwoMlpHead({ representationSize: representation }),
    boxPredictor: new FastRcnnPredictor({ inChannels: representation, numClasses: options.num_classes }),
  };
  if (fixture.family === 'fasterrcnn') return fasterRcnnResnetFpn(common);
  if (fixture.family === 'maskrcnn') {
    return maskRcnnResnetFpn({
      ...common,
      maskHead: new MaskRcnnHead({ layers: [first!, second!] }),
      maskPredictor: new MaskRcnnPredictor({
        inChannels: second!,
        dimReduced: 64,
        numClasses: options.num_classes,
      }),
    });
  }
  return keypointRcnnResnetFpn({
    ...common,
    keypointHead: new KeypointRcnnHead({ layers: [first!, second!] }),
    keypointPredictor: new KeypointRcnnPredictor({
      inChannels: second!,
      numKeypoints: options.num_keypoints,
    }),
  });
}
