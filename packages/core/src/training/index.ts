export { type AsyncGrads, variableGradsAsync } from './variable-grads-async';
