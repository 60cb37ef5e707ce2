export { type AugmentOptions, augmentSample } from './augment/augment-sample';
export { flipHorizontal, keypointFlipMap } from './augment/horizontal-flip';
export { type RandomCropOptions, randomCrop } from './augment/random-crop';
export { resizeSample, shortestSideSize } from './augment/resize-sample';
export {
  type CheckpointPaths,
  type LoadedCheckpoint,
  loadCheckpoint,
  resumeFromCheckpoint,
  saveCheckpoint,
  type TrainingState,
  writeFileAtomic,
} from './checkpoint/checkpoint';
export { type FineTuneMerge, fineTuneStateDict } from './checkpoint/fine-tune-state-dict';
export { checkImageFiles, type ImageCheck } from './data/check-image-files';
export { CocoDataLoader, type CocoDataLoaderOptions } from './data/coco-data-loader';
export {
  type CocoTrainingSet,
  readCocoTrainingSet,
  type TrainingImage,
  type TrainingInstance,
} from './data/coco-training-set';
export { DecodePool } from './data/decode-pool';
export { aspectRatioGroups, GroupedBatchSampler } from './data/grouped-batch-sampler';
export { readImageHeader } from './data/image-header';
export { createLabelMap, type LabelMap, labelsByCategoryId } from './data/label-map';
export { loadSample, type SampleContents } from './data/load-sample';
export { prepareSample, type SampleTask } from './data/prepare-sample';
export { disposeSampleTensors, sampleToTensors, type TrainingSample } from './data/training-sample';
export { CsvLog, readCsvLog } from './log/csv-log';
export { lossSeries, type PlotSeries, renderLossCurvePng, SERIES_COLORS } from './log/loss-curve-png';
export { type LossGradients, lossGradients } from './loop/loss-gradients';
export { formatProgress, type ProgressRecord, StepTimer } from './loop/progress';
export { stopOnInterrupt } from './loop/stop-on-interrupt';
export { type BatchSource, type TrainOptions, type TrainResult, train } from './loop/train';
export { clipGradNorm } from './optim/clip-grad-norm';
export { type LrScheduleOptions, learningRateAt } from './optim/lr-schedule';
export { Sgd, type SgdOptions } from './optim/sgd';
export { SeededRng } from './random/seeded-rng';
export { type ModelSpec, type RunTrainingOptions, runTraining, schedule } from './run/run-training';
export {
  camelCase,
  kebabCase,
  resolveTrainingConfig,
  TRAINING_CONFIG_FLAGS,
  TRAINING_DEFAULTS,
  type TrainingConfig,
} from './run/training-config';
export type { GradientFunction, TrainableDetector } from './trainable-detector';
