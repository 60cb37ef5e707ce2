import {
  asBoxes,
  type Boxes,
  ensure,
  type FeatureMaps,
  type GroundTruth,
  type ImageBatch,
  type LossRecord,
  type ProposalGenerator,
  type Proposals,
} from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Supplies the boxes of a batch: one `[N_i, 4]` xyxy tensor per image, in resized-image pixels
 * (the coordinates of `batch.imageSizes`). The tensors stay owned by the source (never disposed here).
 */
export type ProposalSource = (batch: ImageBatch) => readonly Boxes[] | Promise<readonly Boxes[]>;

/**
 * A {@link ProposalGenerator} that passes externally computed boxes through unchanged (Fast R-CNN
 * style: selective search, precomputed proposals, another detector's output), so a detector can
 * swap its proposal source without other changes. Named after what it returns (the given boxes),
 * as detectron2's `forward_with_given_boxes`. Scores are 1; `loss` returns no losses (nothing to train).
 */
export class GivenProposals implements ProposalGenerator {
  readonly specificationVersion = 'v1' as const;
  readonly #source: ProposalSource;

  /** @param source the boxes of each batch, or a fixed list (one entry per image) used for every batch. */
  constructor(source: ProposalSource | readonly Boxes[]) {
    this.#source = typeof source === 'function' ? source : () => source;
  }

  /** @returns copies of the given boxes (caller owns), scores all 1. Features are not read. */
  async predict(batch: ImageBatch, _features: FeatureMaps): Promise<Proposals[]> {
    const given = await this.#source(batch);
    const numImages = batch.tensor.shape[0];
    ensure(
      given.length === numImages,
      'INVALID_ARGUMENT',
      () => `the proposal source gave ${given.length} box sets for a batch of ${numImages} images`,
    );
    const checked = given.map((boxes) => asBoxes(boxes));
    return checked.map((boxes) => ({
      boxes: asBoxes(boxes.clone()),
      scores: tf.ones([boxes.shape[0]], 'float32') as tf.Tensor1D,
    }));
  }

  /** The given proposals and an empty loss record. */
  async loss(
    batch: ImageBatch,
    features: FeatureMaps,
    _targets: readonly GroundTruth[],
  ): Promise<{ proposals: Proposals[]; losses: LossRecord }> {
    return { proposals: await this.predict(batch, features), losses: {} };
  }

  /** Holds no tensors; nothing to release. */
  dispose(): void {}
}
