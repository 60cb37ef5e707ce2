import { RcnnError } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';

/** Hyperparameters of {@link Sgd}, named as torch.optim.SGD's (dampening is always 0). */
export interface SgdOptions {
  /** Momentum factor (torch `momentum`); 0 disables the buffers. Default 0.9 (torchvision references). */
  readonly momentum?: number;
  /** L2 penalty added to the gradient (torch `weight_decay`). Default 1e-4 (torchvision references). */
  readonly weightDecay?: number;
  /** Nesterov momentum (torch `nesterov`). Default false. */
  readonly nesterov?: boolean;
}

/**
 * Stochastic gradient descent with exactly torch.optim.SGD's update (torch 1.13,
 * `_single_tensor_sgd`, dampening 0): for each parameter `p` with gradient `g`,
 * `d = g + weightDecay * p`; `buf = d` on its first step, else `buf = momentum * buf + d`;
 * `d = nesterov ? d + momentum * buf : buf`; `p -= lr * d`. A parameter whose gradient is
 * `null` is skipped, buffer untouched, as torch skips `p.grad is None`.
 * Momentum buffers are keyed by parameter name (the model's state_dict names), in the
 * variables' own (tfjs) layout. Holds tensors: call {@link Sgd.dispose}.
 */
export class Sgd {
  readonly momentum: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  private readonly buffers = new Map<string, tf.Tensor>();

  constructor(options: SgdOptions = {}) {
    this.momentum = options.momentum ?? 0.9;
    this.weightDecay = options.weightDecay ?? 1e-4;
    this.nesterov = options.nesterov ?? false;
    if (!(this.momentum >= 0) || !(this.weightDecay >= 0)) {
      throw new RcnnError('INVALID_ARGUMENT', 'SGD momentum and weight decay must be >= 0');
    }
    if (this.nesterov && this.momentum <= 0) {
      throw new RcnnError('INVALID_ARGUMENT', 'Nesterov momentum requires momentum > 0 (as torch)');
    }
  }

  /**
   * One update of every named variable with its gradient, at learning rate `lr`.
   * @param variables name -> variable (updated in place with `assign`)
   * @param grads name -> gradient (same shape) or null; read, never disposed (caller owns)
   */
  step(
    variables: ReadonlyMap<string, tf.Variable>,
    grads: ReadonlyMap<string, tf.Tensor | null>,
    lr: number,
  ): void {
    for (const [name, variable] of variables) {
      const grad = grads.get(name);
      if (grad === null || grad === undefined) continue;
      const previous = this.buffers.get(name);
      const [update, buffer] = tf.tidy(() => {
        let d: tf.Tensor = this.weightDecay !== 0 ? tf.add(grad, tf.mul(variable, this.weightDecay)) : grad;
        let newBuffer: tf.Tensor | undefined;
        if (this.momentum !== 0) {
          newBuffer = previous ? tf.add(tf.mul(previous, this.momentum), d) : tf.clone(d);
          d = this.nesterov ? tf.add(d, tf.mul(newBuffer, this.momentum)) : newBuffer;
        }
        return [tf.sub(variable, tf.mul(d, lr)), newBuffer] as const;
      });
      variable.assign(update);
      update.dispose();
      if (buffer) {
        previous?.dispose();
        this.buffers.set(name, tf.keep(buffer));
      }
    }
  }

  /** Momentum buffers as plain arrays keyed by parameter name (tfjs layout). */
  async stateDict(): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
    const out = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [name, buffer] of this.buffers) {
      out.set(name, { shape: buffer.shape.slice(), data: (await buffer.data()) as Float32Array });
    }
    return out;
  }

  /** Replaces the momentum buffers (from {@link stateDict} or a checkpoint). */
  loadStateDict(state: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array }>): void {
    this.disposeBuffers();
    for (const [name, { shape, data }] of state)
      this.buffers.set(name, tf.tensor(data, shape.slice(), 'float32'));
  }

  /** Number of momentum buffers held (one per parameter that has had a gradient). */
  get bufferCount(): number {
    return this.buffers.size;
  }

  dispose(): void {
    this.disposeBuffers();
  }

  private disposeBuffers(): void {
    for (const buffer of this.buffers.values()) buffer.dispose();
    this.buffers.clear();
  }
}
