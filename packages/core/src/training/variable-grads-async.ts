import * as tf from '@tensorflow/tfjs-core';
import { RcnnError } from '../errors/rcnn-error';
import { backpropagate, type RecordedOp } from './backpropagate';

/** What tfjs-core's engine exposes at run time (typed private in its declarations). */
interface EngineTapeAccess {
  readonly state: { activeTape: RecordedOp[] | null; gradientDepth: number };
  startTape(): void;
  endTape(): void;
}

/** Result of {@link variableGradsAsync}. */
export interface AsyncGrads {
  /** The scalar `f` returned; caller owns. */
  readonly value: tf.Scalar;
  /**
   * One entry per variable, in order: `d value / d variable` (same shape), or `null` where the value
   * does not depend on the variable (torch leaves `.grad` as None there, and SGD skips it). Caller owns.
   */
  readonly grads: (tf.Tensor | null)[];
}

/**
 * The asynchronous counterpart of `tf.variableGrads`: records every kernel `f` runs, across its
 * `await`s, then back-propagates from the scalar it returns. Two-stage detectors need this
 * because target assignment (matching anchors and proposals to ground truth) reads values back
 * in the middle of the forward pass, and `tf.variableGrads` only accepts synchronous functions;
 * without it the forward would run twice. Gradients are the ones tfjs registers for each kernel.
 *
 * `f` owns its intermediate tensors as any async code does (dispose them; the tape keeps its own
 * references to what the backward pass needs, released before this returns). Tensors `f` creates
 * from host data (`tf.tensor(...)`) are constants, which is how read-back results are detached.
 *
 * Not re-entrant: no other gradient computation and no other tfjs work may run while `f` is
 * pending (their kernels would be recorded on this tape). Works on every backend whose kernels
 * have gradients registered (`@tensorflow/tfjs-core/dist/register_all_gradients`, imported by the
 * caller, never by this library).
 *
 * @param variables the weights to differentiate against (e.g. a detector's trainable variables)
 * @throws RcnnError `UNSUPPORTED` when called inside another gradient computation, when `f` does not
 *   return a scalar, or when an op on the path has no registered gradient
 */
export async function variableGradsAsync(
  f: () => Promise<tf.Scalar>,
  variables: readonly tf.Variable[],
): Promise<AsyncGrads> {
  const engine = tf.engine() as unknown as EngineTapeAccess;
  if (engine.state.gradientDepth !== 0) {
    throw new RcnnError('UNSUPPORTED', 'variableGradsAsync cannot run inside another gradient computation');
  }
  const takeTape = (): RecordedOp[] => {
    engine.endTape();
    const recorded = engine.state.activeTape ?? [];
    engine.state.activeTape = null;
    return recorded;
  };
  engine.startTape();
  let value: tf.Scalar;
  try {
    value = await f();
  } catch (error) {
    releaseSaved(takeTape());
    throw error;
  }
  const tape = takeTape();
  try {
    if (!(value instanceof tf.Tensor) || value.rank !== 0) {
      throw new RcnnError('UNSUPPORTED', 'variableGradsAsync: f must resolve to a scalar tensor');
    }
    return { value, grads: backpropagate(tape, value, variables) };
  } catch (error) {
    if (value instanceof tf.Tensor) value.dispose();
    throw error;
  } finally {
    releaseSaved(tape);
  }
}

/** Disposes the tensors the tape kept for the backward pass (each kept once per op). */
function releaseSaved(tape: readonly RecordedOp[]): void {
  for (const op of tape) {
    for (const tensor of op.saved ?? []) if (!tensor.isDisposed) tensor.dispose();
  }
}
