import type { ResnetDepth } from '@rcnn/backbone-resnet-fpn';
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

/**
 * The fixtures of tools/reference/gen_train_step.py (its `VARIANTS`): one per family on
 * ResNet-18-FPN with frozen BN, then Mask R-CNN R18-FPN with trainable BatchNorm (trainable
 * layers 3) and with GroupNorm (5), and the three families on R50-FPN with frozen BN.
 */
export type TrainStepVariant =
  | RcnnFamily
  | 'maskrcnn-r18-bn'
  | 'maskrcnn-r18-gn'
  | 'fasterrcnn-r50'
  | 'maskrcnn-r50'
  | 'keypointrcnn-r50';

/** Per tensor: L2 norm and two projections on `projection{k}/<name>` tensors (float64 sums). */
export interface TensorSummary {
  readonly norm: number;
  readonly projections: [number, number];
}

/** What tools/reference/gen_train_step.py recorded for one variant. */
export interface TrainStepFixture {
  readonly variant: TrainStepVariant;
  readonly family: RcnnFamily;
  readonly depth: ResnetDepth;
  readonly norm: 'frozen-bn' | 'bn' | 'gn';
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
  /** Per parameter with a gradient, its gradient's summary. */
  readonly gradients: Record<string, TensorSummary>;
  /** Per running statistic the step changed (BatchNorm on batch statistics), the change's summary. */
  readonly buffers: Record<string, TensorSummary>;
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

/** A fixture from its safetensors bytes (Node: `trainStepFixture` in train-step-fixture-file.ts; browser: fetched). */
export function parseTrainStepFixture(variant: TrainStepVariant, bytes: Uint8Array): TrainStepFixture {
  const { tensors, metadata } = readSafetensors(bytes);
  const json = (key: string) => JSON.parse(metadata[key]!);
  return {
    variant,
    family: metadata.family as RcnnFamily,
    depth: json('depth'),
    norm: metadata.norm as TrainStepFixture['norm'],
    tensors,
    options: json('options'),
    imageShapesChw: json('image_shapes_chw'),
    imageKeys: json('image_keys'),
    boxes: json('boxes'),
    labels: json('labels'),
    losses: json('losses'),
    gradients: json('gradients'),
    buffers: json('buffers'),
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

/**
 * Our row for each of torchvision's candidate rows (its proposals, then the ground truth): the
 * same row where the boxes agree, else the row holding the same box. Proposals whose scores
 * (nearly) tie may come out of top-k / NMS in the other order: BatchNorm or GroupNorm on the
 * padding's constant features gives many anchors equal objectness.
 */
function rowsOf(theirs: Float32Array, ours: Float32Array): Int32Array {
  const count = theirs.length / 4;
  const distance = (r: number, o: number) =>
    Math.max(...[0, 1, 2, 3].map((c) => Math.abs(theirs[r * 4 + c]! - ours[o * 4 + c]!)));
  return Int32Array.from({ length: count }, (_, r) => {
    if (distance(r, r) < 1e-2) return r;
    let best = -1;
    for (let o = 0; o < ours.length / 4; o++) if (best < 0 || distance(r, o) < distance(r, best)) best = o;
    return distance(r, best) < 1e-2 ? best : -1;
  });
}

/**
 * Our matching with torchvision's RoI draws, taken by box (see {@link rowsOf}; ascending, as
 * torchvision's); checks that every drawn box is among ours.
 */
export function replayRoiSampler(fixture: TrainStepFixture): RoiSampler {
  const draws = drawn(fixture, 'roi');
  const matcher = matcherRoiSampler();
  return {
    async matchAndSample(proposals, targets) {
      const matches = await matcher.matchAndSample(proposals, targets);
      const result = [];
      for (const [i, match] of matches.entries()) {
        const theirs = fixture.tensors.get(`roi/image${i}/proposals`)!;
        const gt = (await targets[i]!.boxes.data()) as Float32Array;
        const rows = rowsOf(
          Float32Array.of(...(theirs.data as Float32Array), ...gt),
          (await proposals[i]!.data()) as Float32Array,
        );
        const ours = (drawnRows: Int32Array) =>
          Int32Array.from(drawnRows, (row) => {
            if (rows[row]! < 0)
              throw new Error(`image ${i}: torchvision's candidate ${row} is not among ours`);
            return rows[row]!;
          }).sort();
        result.push({
          matchedGtIndices: match.matchedGtIndices,
          sampledPositive: ours(draws[i]!.positive),
          sampledNegative: ours(draws[i]!.negative),
        });
      }
      return result;
    },
  };
}

/** The fixture's detector: its ResNet-FPN and norm, narrow heads, torchvision's samplers replayed. Not loaded. */
export function trainStepModel(fixture: TrainStepFixture): GeneralizedRcnn {
  const { options } = fixture;
  const [first, second] = options.head_layers;
  const representation = options.box_representation;
  const common = {
    depth: fixture.depth,
    normLayer: fixture.norm,
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
