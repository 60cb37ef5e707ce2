import * as tf from '@tensorflow/tfjs-core';
import { RcnnError } from '../errors/rcnn-error';

/** One kernel call as tfjs-core's engine records it while a tape is on. */
export interface RecordedOp {
  readonly id: number;
  readonly kernelName: string;
  readonly inputs: Readonly<Record<string, tf.Tensor>>;
  readonly outputs: readonly tf.Tensor[];
  /** Given the output gradients (zeros filled in for missing ones), one thunk per input. */
  readonly gradient?: (dys: tf.Tensor[]) => Record<string, () => tf.Tensor>;
  /** Tensors kept for `gradient`. */
  readonly saved?: readonly tf.Tensor[];
}

/**
 * Reverse-mode accumulation over a recorded tape, from `y` back to `xs`. Only ops on a path from
 * some x to y run their gradient. Each op's output gradients and saved tensors are released as
 * soon as the op has been processed, so the peak memory of the backward pass is the live
 * frontier, not every intermediate gradient at once.
 * @returns per x, `dy/dx` (caller owns) or null when y does not depend on x
 */
export function backpropagate(
  tape: readonly RecordedOp[],
  y: tf.Tensor,
  xs: readonly tf.Tensor[],
): (tf.Tensor | null)[] {
  const path = opsBetween(tape, xs, y);
  const fromX = new Set(xs.map((x) => x.id));
  for (const op of path) for (const output of op.outputs) fromX.add(output.id);
  const keep = new Set(xs.map((x) => x.id));
  const accumulated = new Map<number, tf.Tensor>();
  accumulated.set(y.id, tf.onesLike(y));
  try {
    for (let i = path.length - 1; i >= 0; i--) {
      const op = path[i]!;
      const dys = op.outputs.map((output) => accumulated.get(output.id) ?? null);
      if (dys.every((dy) => dy === null)) continue;
      if (!op.gradient) {
        throw new RcnnError('UNSUPPORTED', `no gradient is registered for the kernel ${op.kernelName}`);
      }
      // In a scope: the tape's gradient wrapper fills missing output gradients with new zeros.
      const gradient = op.gradient;
      tf.tidy(() => {
        const thunks = gradient(dys as tf.Tensor[]);
        for (const [name, input] of Object.entries(op.inputs)) {
          if (fromX.has(input.id)) accumulate(accumulated, input, op.kernelName, name, thunks[name], dys);
        }
      });
      for (const output of op.outputs) {
        if (keep.has(output.id)) continue;
        accumulated.get(output.id)?.dispose();
        accumulated.delete(output.id);
      }
      for (const tensor of op.saved ?? []) if (!tensor.isDisposed) tensor.dispose();
    }
    return xs.map((x) => {
      const grad = accumulated.get(x.id) ?? null;
      accumulated.delete(x.id);
      return grad;
    });
  } finally {
    for (const tensor of accumulated.values()) tensor.dispose();
  }
}

/** The ops that read (transitively) some x and whose outputs lead to y, in tape order. */
function opsBetween(tape: readonly RecordedOp[], xs: readonly tf.Tensor[], y: tf.Tensor): RecordedOp[] {
  const reached = new Set(xs.map((x) => x.id));
  const fromX = new Set<number>();
  for (const op of tape) {
    if (Object.values(op.inputs).some((input) => reached.has(input.id))) {
      fromX.add(op.id);
      for (const output of op.outputs) reached.add(output.id);
    }
  }
  const needed = new Set([y.id]);
  const toY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const op = tape[i]!;
    if (op.outputs.some((output) => needed.has(output.id))) {
      toY.add(op.id);
      for (const input of Object.values(op.inputs)) needed.add(input.id);
    }
  }
  return tape.filter((op) => fromX.has(op.id) && toY.has(op.id));
}

/**
 * Adds one input's gradient into its accumulator. Called inside a tidy: what is stored is kept
 * (the scope must not dispose it), everything else is left to the scope.
 */
function accumulate(
  accumulated: Map<number, tf.Tensor>,
  input: tf.Tensor,
  kernelName: string,
  inputName: string,
  thunk: (() => tf.Tensor) | undefined,
  dys: readonly (tf.Tensor | null)[],
): void {
  if (!thunk) {
    throw new RcnnError(
      'UNSUPPORTED',
      `the gradient of ${kernelName} gives nothing for its input ${inputName}`,
    );
  }
  const dx = thunk();
  if (dx.dtype !== 'float32' || !tf.util.arraysEqual(dx.shape, input.shape)) {
    throw new RcnnError(
      'INVALID_SHAPE',
      `the gradient of ${kernelName} for ${inputName} is ${dx.dtype} [${dx.shape.join(', ')}], expected float32 [${input.shape.join(', ')}]`,
    );
  }
  const previous = accumulated.get(input.id);
  if (previous) {
    accumulated.set(input.id, tf.keep(tf.add(previous, dx)));
    previous.dispose();
    return;
  }
  // Gradient functions may hand back a tensor they were given (an output gradient, or one
  // object for two inputs): every accumulator owns a distinct tensor.
  const shared = dys.includes(dx) || [...accumulated.values()].includes(dx);
  accumulated.set(input.id, tf.keep(shared ? dx.clone() : dx));
}
