export { detached, stopGradient } from './stop-gradient';
export { type AsyncGrads, variableGradsAsync } from './variable-grads-async';
