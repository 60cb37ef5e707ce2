import type { CommandModule } from '../command';

/**
 * Every `rcnn` subcommand: name -> loader of its module (src/commands/<name>.ts).
 * Loaded on demand so `rcnn eval` never loads TensorFlow.js. To add a command, add
 * a file exporting a CommandModule and one line here.
 */
export const commandLoaders: Readonly<Record<string, () => Promise<CommandModule>>> = {
  predict: async () => (await import('./predict')).predictCommand,
  eval: async () => (await import('./eval')).evalCommand,
  bench: async () => (await import('./bench')).benchCommand,
  convert: async () => (await import('./convert')).convertCommand,
  dataset: async () => (await import('./dataset')).datasetCommand,
  train: async () => (await import('./train')).trainCommand,
};

/** One-line summaries for `rcnn --help`, without loading the modules. */
export const commandSummaries: Readonly<Record<string, string>> = {
  predict: 'detect objects in images: JSON with boxes, RLE masks and keypoints, optionally drawn PNGs',
  eval: 'COCO evaluation of a results file against ground truth (bbox, segm, keypoints), as pycocotools',
  bench: 'time predict on one image after a warm-up, per stage',
  convert: 'check a torchvision checkpoint against an architecture and save it as .safetensors',
  dataset:
    'synth: write a seeded synthetic COCO dataset (shapes with masks and keypoints) to train and test on',
  train:
    'train a detector on a COCO-format dataset (torchvision train.py flags), checkpoints, exact --resume',
};
