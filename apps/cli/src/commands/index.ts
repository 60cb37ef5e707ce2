import type { CommandModule } from '../command';

/**
 * Every `rcnn` subcommand: name -> loader of its module (src/commands/<name>.ts).
 * Loaded on demand so `rcnn eval` never loads TensorFlow.js. To add a command, add
 * a file exporting a CommandModule and one line here.
 */
export const commandLoaders: Readonly<Record<string, () => Promise<CommandModule>>> = {
  eval: async () => (await import('./eval')).evalCommand,
};

/** One-line summaries for `rcnn --help`, without loading the modules. */
export const commandSummaries: Readonly<Record<string, string>> = {
  eval: 'COCO evaluation of a results file against ground truth (bbox, segm, keypoints), as pycocotools',
};
