import {
  type Backbone,
  disposeFeatureMaps,
  disposeGroundTruth,
  ensure,
  type FeatureMaps,
  type GroundTruth,
  type ImageBatch,
  type ImageTransform,
  type LossRecord,
  type ProposalGenerator,
  type Proposals,
  resizeGroundTruth,
  type StateDict,
} from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import { forwardInTrainingMode } from './backbones/forward-in-training-mode';
import { type DetectorInstances, disposeDetections } from './detector-instances';
import { type MaskPasting, toOriginalCoordinates } from './paste-instance-masks';
import type { RoiHeads } from './roi-heads/roi-heads';
import { mergeLosses } from './roi-heads/roi-heads-loss';
import { matchStateDict, type StateDictReport } from './weights/match-state-dict';
import { StateDictMismatchError } from './weights/state-dict-mismatch-error';
import { hasWeightSlots, type WeightSlot } from './weights/weight-slot';

/** The stages {@link GeneralizedRcnn.predict} reports timings for, in order. */
export type PredictStage = 'transform' | 'backbone' | 'rpn' | 'roiHeads' | 'postprocess';

/** Options of {@link GeneralizedRcnn.predict}. */
export interface PredictOptions {
  /**
   * Called after each stage with its wall time in milliseconds (`performance.now()` around the
   * stage's call; on asynchronous backends such as webgpu a stage without a read-back is
   * counted when the next read-back waits for it).
   */
  readonly onStage?: (stage: PredictStage, milliseconds: number) => void;
  /**
   * `true` (or a method) pastes each mask into its image: `masks` become `[N, H, W]`
   * probabilities at the original image size (threshold at 0.5 for torchvision's binary masks).
   * Default false: `masks` stay the per-RoI `[N, 28, 28]` probabilities (100 image-sized masks
   * of a 1333x800 image are ~430 MB of float32); paste later with `pasteInstanceMasks`.
   * `'perInstance'` (the default method) is fastest on cpu/wasm, `'dense'` on GPU backends.
   */
  readonly pasteMasks?: boolean | MaskPasting;
}

/** The parts of a {@link GeneralizedRcnn}, built and owned by it from here on. */
export interface GeneralizedRcnnOptions {
  /** Images -> padded normalized batch (core `ImageTransform`; holds no tensors). */
  readonly transform: ImageTransform;
  readonly backbone: Backbone;
  /** An RPN, or given boxes (`GivenProposals`) for Fast R-CNN. */
  readonly proposalGenerator: ProposalGenerator;
  readonly roiHeads: RoiHeads;
}

/** Options of {@link GeneralizedRcnn.loadStateDict}. */
export interface LoadStateDictOptions {
  /** Missing or unexpected entries throw `MISSING_KEYS` (torch's `strict=True`). Default true. */
  readonly strict?: boolean;
}

const PREFIX_HINT =
  "Entries are read by torchvision's names: backbone., rpn.head., roi_heads.box_head., roi_heads.box_predictor., roi_heads.mask_head., roi_heads.mask_predictor., roi_heads.keypoint_head., roi_heads.keypoint_predictor. Check the architecture (depth, numClasses, numKeypoints) against the checkpoint.";

/**
 * A two-stage detector composed from parts (torchvision
 * `models/detection/generalized_rcnn.py::GeneralizedRCNN` + `transform.py::postprocess`):
 * transform -> backbone -> proposal generator -> RoI heads -> back to original pixels.
 * Build one with a preset (`maskRcnnResnet50Fpn`, ...) or by hand from the packages.
 */
export class GeneralizedRcnn {
  readonly transform: ImageTransform;
  readonly backbone: Backbone;
  readonly proposalGenerator: ProposalGenerator;
  readonly roiHeads: RoiHeads;

  constructor({ transform, backbone, proposalGenerator, roiHeads }: GeneralizedRcnnOptions) {
    ensure(
      transform.sizeDivisibility % backbone.sizeDivisibility === 0,
      'INVALID_ARGUMENT',
      () =>
        `the transform pads to multiples of ${transform.sizeDivisibility}, the backbone needs multiples of ${backbone.sizeDivisibility}`,
    );
    this.transform = transform;
    this.backbone = backbone;
    this.proposalGenerator = proposalGenerator;
    this.roiHeads = roiHeads;
  }

  /**
   * Detects objects in each image.
   * @param images `[H, W, 3]` RGB, float32 in 0..1 or int32 in 0..255 (core `decodeImage` gives
   *   int32), one tensor or a list (sizes may differ); not disposed
   * @returns one record per image, in original-image pixels: boxes `[N, 4]` xyxy, scores `[N]`
   *   decreasing, labels `[N]` int32 (1..numClasses-1), and by preset `masks` (`[N, 28, 28]`, or
   *   `[N, H, W]` with `pasteMasks`), `keypoints [N, K, 3]` (x, y, 1), `keypointScores [N, K]`;
   *   `imageSize` is the original size. Caller owns every tensor (`disposeDetections`).
   */
  async predict(
    images: tf.Tensor3D | readonly tf.Tensor3D[],
    { onStage, pasteMasks = false }: PredictOptions = {},
  ): Promise<DetectorInstances[]> {
    const list = images instanceof tf.Tensor ? [images] : images;
    const timed = async <T>(stage: PredictStage, run: () => T | Promise<T>): Promise<T> => {
      const start = performance.now();
      const result = await run();
      onStage?.(stage, performance.now() - start);
      return result;
    };
    const batch: ImageBatch = await timed('transform', () => this.transform.toBatch(list));
    let features: FeatureMaps | undefined;
    let proposals: Proposals[] | undefined;
    let detections: DetectorInstances[] | undefined;
    try {
      features = await timed('backbone', () => this.backbone.forward(batch.tensor));
      const pyramid = features;
      proposals = await timed('rpn', () => this.proposalGenerator.predict(batch, pyramid));
      const boxes = proposals.map((p) => p.boxes);
      detections = await timed('roiHeads', () => this.roiHeads.predict(pyramid, boxes, batch.imageSizes));
      const resized = detections;
      const method = pasteMasks === true ? 'perInstance' : pasteMasks;
      const results = await timed('postprocess', () => toOriginalCoordinates(resized, batch, method));
      detections = undefined; // moved into the results
      return results;
    } finally {
      batch.tensor.dispose();
      if (features) disposeFeatureMaps(features);
      if (proposals) tf.dispose(proposals.flatMap((p) => [p.boxes, p.scores]));
      if (detections) disposeDetections(detections);
    }
  }

  /**
   * The training losses of one forward pass (torchvision `GeneralizedRCNN.forward` in training):
   * images and targets resized by the transform, the backbone (in training mode: BatchNorm on batch
   * statistics, running statistics updated; see `forwardInTrainingMode`), the proposal generator's losses
   * and (detached) training proposals, then the RoI heads' losses on sampled proposals. Run it
   * inside core's `variableGradsAsync` for gradients (matching and sampling read values back, so
   * it is asynchronous); the keys are namespaced (`rpn/objectness`, `rpn/boxRegression`,
   * `roiHeads/classification`, `roiHeads/boxRegression`, `mask/bce`, `keypoint/crossEntropy`, ...).
   * @param images `[H, W, 3]` RGB, float32 0..1 or int32 0..255; not disposed
   * @param targets per image, in that image's own pixels: boxes `[N, 4]` xyxy, labels `[N]` int32
   *   (1..numClasses-1), masks `[N, H, W]` 0/1 and keypoints `[N, K, 3]` where the model has those
   *   branches (crowd regions excluded by the caller, as torchvision's references do); not disposed
   * @param options.minSize this step's short side (multi-scale training picks one per step);
   *   default the transform's inference size
   * @returns loss scalars; caller owns
   * @throws RcnnError `INVALID_ARGUMENT` when images and targets differ in number, `UNSUPPORTED`
   *   when the proposal generator cannot train (given proposals)
   */
  async loss(
    images: tf.Tensor3D | readonly tf.Tensor3D[],
    targets: GroundTruth | readonly GroundTruth[],
    { minSize }: { readonly minSize?: number } = {},
  ): Promise<LossRecord> {
    const imageList = images instanceof tf.Tensor ? [images] : images;
    const targetList = Array.isArray(targets)
      ? (targets as readonly GroundTruth[])
      : [targets as GroundTruth];
    ensure(
      imageList.length === targetList.length,
      'INVALID_ARGUMENT',
      () => `loss: ${imageList.length} images but ${targetList.length} targets`,
    );
    const proposalLoss = this.proposalGenerator.loss?.bind(this.proposalGenerator);
    ensure(
      proposalLoss !== undefined,
      'UNSUPPORTED',
      () => 'loss: the proposal generator has no loss (given proposals)',
    );
    const batch = this.transform.toBatch(imageList, minSize === undefined ? {} : { minSize });
    const resized: GroundTruth[] = [];
    let features: FeatureMaps | undefined;
    let proposals: Proposals[] | undefined;
    const losses: LossRecord = {};
    try {
      targetList.forEach((target, i) => {
        resized.push(resizeGroundTruth(target, batch.originalSizes[i]!, batch.imageSizes[i]!));
      });
      features = forwardInTrainingMode(this.backbone, batch.tensor);
      const rpn = await proposalLoss(batch, features, resized);
      proposals = rpn.proposals;
      mergeLosses(losses, rpn.losses);
      const boxes = proposals.map((p) => p.boxes);
      mergeLosses(losses, await this.roiHeads.loss(features, boxes, resized));
      return losses;
    } catch (error) {
      tf.dispose(Object.values(losses));
      throw error;
    } finally {
      batch.tensor.dispose();
      for (const target of resized) disposeGroundTruth(target);
      if (features) disposeFeatureMaps(features);
      if (proposals) tf.dispose(proposals.flatMap((p) => [p.boxes, p.scores]));
    }
  }

  /**
   * The variables an optimizer updates, by torchvision state_dict name (tfjs layouts), in
   * `state_dict()` order. Frozen parts (constants, e.g. FrozenBatchNorm statistics, or a backbone
   * without trainable layers) are absent.
   */
  trainableVariables(): Map<string, tf.Variable> {
    return new Map(this.weightSlots().flatMap((slot) => [...(slot.trainable?.() ?? [])]));
  }

  /**
   * Draws every weight again from torchvision's initializers, seeded by `seed` and each
   * entry's name: training from scratch with the same seed starts from the same weights.
   * @throws RcnnError UNSUPPORTED when a part cannot be re-initialized
   */
  resetParameters(seed: number): void {
    for (const slot of this.weightSlots()) {
      ensure(
        slot.reset !== undefined,
        'UNSUPPORTED',
        () => `resetParameters: ${slot.prefix} cannot be re-initialized`,
      );
      slot.reset?.(seed);
    }
  }

  /** Every weighted part as the state_dict sees it, in torchvision's order. */
  weightSlots(): WeightSlot[] {
    const slots: WeightSlot[] = [];
    if (hasWeightSlots(this.backbone)) slots.push(...this.backbone.weightSlots());
    if (hasWeightSlots(this.proposalGenerator)) slots.push(...this.proposalGenerator.weightSlots());
    slots.push(...this.roiHeads.weightSlots());
    return slots;
  }

  /**
   * The entries this detector reads, with torch-layout shapes, in torchvision's `state_dict()`
   * order (without BatchNorm's `num_batches_tracked` counters). Feed to core's
   * `deterministicStateDict` for test weights.
   */
  stateDictShapes(): [name: string, shape: number[]][] {
    return this.weightSlots().flatMap((slot) =>
      slot.expectedEntries().map((entry): [string, number[]] => [entry.name, [...entry.shape]]),
    );
  }

  /**
   * Loads a torchvision checkpoint (`readStateDict` / `readPth` / `readSafetensors` of core),
   * dispatching by prefix: `backbone.`, `rpn.head.`, `roi_heads.box_head.`, `roi_heads.box_predictor.`,
   * `roi_heads.mask_head.`, `roi_heads.mask_predictor.`, `roi_heads.keypoint_head.`,
   * `roi_heads.keypoint_predictor.` (older torchvision names accepted too). Everything is checked
   * before anything is loaded. Non-strict: absent entries keep their values, unexpected ones are
   * ignored (a part with no entry at all is left untouched). Arrays are read into variables, not
   * retained.
   * @returns the report (empty lists after a clean strict load)
   * @throws StateDictMismatchError (an RcnnError) `INVALID_WEIGHTS` on mis-shaped entries; `MISSING_KEYS`
   *   in strict mode on missing or unexpected ones; the error carries the whole report
   */
  loadStateDict(stateDict: StateDict, { strict = true }: LoadStateDictOptions = {}): StateDictReport {
    const { report, perSlot } = matchStateDict(stateDict, this.weightSlots());
    if (report.misshaped.length > 0) throw new StateDictMismatchError('INVALID_WEIGHTS', report, PREFIX_HINT);
    if (strict && (report.missing.length > 0 || report.unexpected.length > 0)) {
      throw new StateDictMismatchError('MISSING_KEYS', report, PREFIX_HINT);
    }
    for (const { slot, entries, complete } of perSlot) {
      if (entries.size > 0) slot.load(entries, complete);
    }
    return report;
  }

  /**
   * The weights in torchvision's names and torch layouts (conv OIHW, linear `[out, in]`), ready for
   * core's `writeSafetensors` and loadable by torchvision. Asynchronous because trainable weights
   * are read back from the backend (every part, the backbone included, holds its weights as
   * variables in tfjs layouts; frozen BatchNorm is folded only into cached inference filters).
   * Caller owns the arrays.
   */
  async saveStateDict(): Promise<StateDict> {
    const parts = await Promise.all(this.weightSlots().map((slot) => slot.save()));
    return new Map(parts.flatMap((part) => [...part]));
  }

  /** Releases every part's weights. */
  dispose(): void {
    this.backbone.dispose();
    this.proposalGenerator.dispose();
    this.roiHeads.dispose();
  }
}
