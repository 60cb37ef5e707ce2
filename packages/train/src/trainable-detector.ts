import type { GroundTruth, StateDict } from '@rcnn/core';
import type * as tf from '@tensorflow/tfjs-core';

/**
 * What the training loop needs of a model (structural; `@rcnn/core` will export the same
 * contract and this declaration then becomes a re-export).
 */
export interface TrainableDetector {
  /**
   * Losses of one forward pass under namespaced keys (`'rpn/objectness'`, `'roiHeads/classification'`, ...);
   * scalars, caller owns.
   * @param images `[H, W, 3]` RGB, float32 0..1 or int32 0..255 (not disposed)
   * @param targets per image, in that image's own pixels: boxes xyxy `[N, 4]`, labels int32 `[N]`,
   *   masks `[N, H, W]` 0/1 optional, keypoints `[N, K, 3]` optional (not disposed)
   * @param options.minSize this step's short side (multi-scale training, torchvision
   *   GeneralizedRCNNTransform's random `min_size` choice); the model's own size when absent
   */
  loss(
    images: readonly tf.Tensor3D[],
    targets: readonly GroundTruth[],
    options?: { readonly minSize?: number },
  ): Promise<Record<string, tf.Scalar>>;
  /** Trainable variables keyed by torchvision state_dict name (e.g. `'roi_heads.box_head.fc6.weight'`), tfjs layout. */
  trainableVariables(): ReadonlyMap<string, tf.Variable>;
  /** Every parameter and buffer in torch layout under torchvision names (loadable by torchvision). */
  saveStateDict(): Promise<StateDict>;
  /** Loads weights saved by {@link saveStateDict} or by torchvision. */
  loadStateDict(stateDict: StateDict, options?: { strict?: boolean }): unknown;
}

/**
 * An async gradient function with the signature of `@rcnn/core`'s `variableGradsAsync`: runs `f`,
 * returns its scalar and `d f / d variable` per variable (`null` where `f` does not depend on it);
 * caller owns all returned tensors.
 */
export type GradientFunction = (
  f: () => Promise<tf.Scalar>,
  variables: readonly tf.Variable[],
) => Promise<{ value: tf.Scalar; grads: (tf.Tensor | null)[] }>;
