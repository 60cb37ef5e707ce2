/**
 * Side-effect entry `@rcnn/train-kernels/register-gradients`: registers tfjs-core 4.22's
 * gradient configs (every kernel's `GradConfig`) in the global gradient registry, so
 * `tf.grads`, `tf.variableGrads` and `variableGradsAsync` work, plus the few a detector needs
 * that tfjs-core lacks (zero gradients of comparison / logical kernels, GatherNd). tfjs-core's
 * Node entry ships none, and its ESM `dist/register_all_gradients.js` uses extensionless imports
 * that only bundlers resolve; the build bundles those files (their tfjs-core imports kept as the
 * one external `@tensorflow/tfjs-core`), so this entry also loads in plain Node, ESM and CJS.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { registerExtraGradients } from './gradients/register-extra-gradients';

registerExtraGradients();
