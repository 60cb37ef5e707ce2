export {
  type CheckpointPaths,
  type LoadedCheckpoint,
  loadCheckpoint,
  resumeFromCheckpoint,
  saveCheckpoint,
  type TrainingState,
  writeFileAtomic,
} from './checkpoint/checkpoint';
export { createLabelMap, type LabelMap, labelsByCategoryId } from './data/label-map';
export { disposeSampleTensors, sampleToTensors, type TrainingSample } from './data/training-sample';
export { CsvLog, readCsvLog } from './log/csv-log';
export { lossSeries, type PlotSeries, renderLossCurvePng, SERIES_COLORS } from './log/loss-curve-png';
export { type LossGradients, lossGradients, type SyncLossDetector } from './loop/loss-gradients';
export { formatProgress, type ProgressRecord, StepTimer } from './loop/progress';
export { stopOnInterrupt } from './loop/stop-on-interrupt';
export { type BatchSource, type TrainOptions, type TrainResult, train } from './loop/train';
export { clipGradNorm } from './optim/clip-grad-norm';
export { type LrScheduleOptions, learningRateAt } from './optim/lr-schedule';
export { Sgd, type SgdOptions } from './optim/sgd';
export { SeededRng } from './random/seeded-rng';
export type { GradientFunction, TrainableDetector } from './trainable-detector';
