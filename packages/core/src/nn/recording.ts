import * as tf from '@tensorflow/tfjs-core';

/** What tfjs-core's engine exposes at run time (typed private in its declarations). */
interface EngineState {
  readonly state: { readonly gradientDepth: number };
}

/**
 * True while a gradient tape records (inside `tf.grads`/`tf.variableGrads`/core's
 * `variableGradsAsync`): modules then skip their inference caches, whose tensors are constants
 * to the tape, and compute every derived weight from its variables.
 */
export function isRecordingGradients(): boolean {
  return (tf.engine() as unknown as EngineState).state.gradientDepth > 0;
}
