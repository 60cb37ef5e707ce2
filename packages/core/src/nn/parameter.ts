import * as tf from '@tensorflow/tfjs-core';
import { RcnnError } from '../errors/rcnn-error';
import { type FlattenedFrom, tfjsToTorchLayout, torchToTfjsLayout } from '../weights/torch-layout';

/** How a parameter starts before weights are loaded (the torchvision module's own init, where it matters). */
export type Initializer =
  | { readonly kind: 'zeros' }
  | { readonly kind: 'ones' }
  | { readonly kind: 'uniform'; readonly bound: number; readonly seed?: number }
  | { readonly kind: 'normal'; readonly std: number; readonly seed?: number };

/** Options of {@link Parameter}. */
export interface ParameterOptions {
  /** Local torchvision name inside its module, e.g. `weight`, `running_var`. */
  readonly name: string;
  /** torch shape as checkpoints store it (conv OIHW, linear `[out, in]`). */
  readonly torchShape: readonly number[];
  /** Older names of the entry accepted on load, local to the same module (never written). */
  readonly aliases?: readonly string[];
  /** A buffer (torch `register_buffer`: BatchNorm statistics, FrozenBatchNorm's affine): saved, never trained. */
  readonly buffer?: boolean;
  /** Whether an optimizer updates it. Default true for parameters; always false for buffers. */
  readonly trainable?: boolean;
  /** For a linear layer reading CHW-flattened features: see core's `torchToTfjsLayout`. */
  readonly flattenedFrom?: FlattenedFrom;
  /** Default zeros. */
  readonly init?: Initializer;
}

/** tfjs layout of a torch shape: rank 4 `[A, B, kH, kW]` -> `[kH, kW, B, A]`, rank 2 `[out, in]` -> `[in, out]`. */
export function tfjsShapeOf(torchShape: readonly number[]): number[] {
  if (torchShape.length === 4) {
    const [a, b, height, width] = torchShape as [number, number, number, number];
    return [height, width, b, a];
  }
  if (torchShape.length === 2) return [torchShape[1]!, torchShape[0]!];
  return [...torchShape];
}

function initialValue(shape: number[], init: Initializer): tf.Tensor {
  switch (init.kind) {
    case 'zeros':
      return tf.zeros(shape);
    case 'ones':
      return tf.ones(shape);
    case 'uniform':
      return tf.randomUniform(shape, -init.bound, init.bound, 'float32', init.seed);
    case 'normal':
      return tf.randomNormal(shape, 0, init.std, 'float32', init.seed);
  }
}

/**
 * One state_dict entry of a module: its local torchvision name, the torch shape it is saved
 * with, and the `tf.Variable` holding it in the layout kernels read (conv HWIO, linear
 * `[in, out]`), converted once on load and back on save. Owns its variable (`dispose()`).
 */
export class Parameter {
  readonly name: string;
  readonly torchShape: readonly number[];
  readonly aliases: readonly string[];
  readonly isBuffer: boolean;
  readonly flattenedFrom: FlattenedFrom | undefined;
  /** How it starts (and restarts: {@link Parameter.reinitialize}). */
  readonly init: Initializer;
  readonly variable: tf.Variable;

  constructor(options: ParameterOptions) {
    this.name = options.name;
    this.torchShape = [...options.torchShape];
    this.aliases = options.aliases ?? [];
    this.isBuffer = options.buffer ?? false;
    this.flattenedFrom = options.flattenedFrom;
    const trainable = !this.isBuffer && (options.trainable ?? true);
    this.init = options.init ?? { kind: 'zeros' };
    const shape = tfjsShapeOf(this.torchShape);
    this.variable = tf.tidy(() => tf.variable(initialValue(shape, this.init), trainable));
  }

  /**
   * Draws the value again from its initializer; `seed` (an integer) replaces the
   * initializer's own seed, so a random init becomes reproducible.
   */
  reinitialize(seed?: number): void {
    const init =
      seed === undefined || this.init.kind === 'zeros' || this.init.kind === 'ones'
        ? this.init
        : { ...this.init, seed };
    const value = initialValue([...this.variable.shape], init);
    this.variable.assign(value);
    value.dispose();
  }

  /** Whether an optimizer updates it (always false for buffers). */
  get trainable(): boolean {
    return this.variable.trainable;
  }

  /** Marks it trainable or frozen; buffers stay frozen. */
  setTrainable(trainable: boolean): void {
    this.variable.trainable = trainable && !this.isBuffer;
  }

  /**
   * Assigns torch-layout data (length `prod(torchShape)`), converted to the tfjs layout.
   * @throws RcnnError INVALID_WEIGHTS on a length mismatch
   */
  loadTorch(data: Float32Array): void {
    const count = this.variable.size;
    if (data.length !== count) {
      throw new RcnnError(
        'INVALID_WEIGHTS',
        `${this.name}: ${data.length} values for torch shape [${this.torchShape.join(', ')}]`,
      );
    }
    const converted = torchToTfjsLayout(data, this.torchShape, this.flattenedFrom);
    const value = tf.tensor(converted, this.variable.shape, 'float32');
    this.variable.assign(value);
    value.dispose();
  }

  /** The value in torch layout (one async read-back); a new array, caller owns. */
  async saveTorch(): Promise<Float32Array> {
    const data = (await this.variable.data()) as Float32Array;
    return tfjsToTorchLayout(data, this.torchShape, this.flattenedFrom);
  }

  dispose(): void {
    this.variable.dispose();
  }
}
