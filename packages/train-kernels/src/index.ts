export {
  registerTrainingKernels,
  type TrainingKernelsBackendName,
  type TrainingKernelsOptions,
  type TrainingKernelsRegistration,
  unregisterTrainingKernels,
} from './register-training-kernels';
