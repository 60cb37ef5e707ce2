import type { PredictStage } from '@rcnn/models';
import { shown } from './terminal-text';

/** The stages of `GeneralizedRcnn.predict`, in the order they run. */
export const PREDICT_STAGES: readonly PredictStage[] = [
  'transform',
  'backbone',
  'rpn',
  'roiHeads',
  'postprocess',
];

/** What `rcnn predict` reports while it works through its images. */
export interface PredictProgress {
  /** Image `index` (0-based) of the batch starts. */
  imageStarted(index: number, path: string): void;
  /** A stage of the current image finished. */
  stageDone(stage: PredictStage): void;
  /** A permanent line (ends with a newline): the image's summary, a failure, a note. */
  line(text: string): void;
  /** Removes the live status line, if any (before the command's last words). */
  finish(): void;
}

const BAR_WIDTH = 20;

/**
 * Progress for a terminal: one live status line on stderr, redrawn in place (`\r` + erase to the
 * end of the line), with a bar over the images and the stage running inside the current one:
 * `[2/10] ######.............. 14% street.jpg: backbone`. A permanent line replaces it until the
 * next stage redraws it.
 */
function terminalProgress(write: (text: string) => void, total: number): PredictProgress {
  let status = '';
  let index = 0;
  let path = '';
  const draw = (stage: PredictStage) => {
    const done = index + PREDICT_STAGES.indexOf(stage) / PREDICT_STAGES.length;
    const fraction = Math.min(1, done / total);
    const filled = Math.round(fraction * BAR_WIDTH);
    status = `[${index + 1}/${total}] ${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)} ${Math.floor(fraction * 100)}% ${path}: ${stage}`;
    write(`\r\x1b[K${status}`);
  };
  const clear = () => {
    if (status) write('\r\x1b[K');
    status = '';
  };
  return {
    imageStarted(at, name) {
      index = at;
      path = shown(name);
      draw(PREDICT_STAGES[0]!);
    },
    stageDone(stage) {
      const next = PREDICT_STAGES[PREDICT_STAGES.indexOf(stage) + 1];
      if (next) draw(next);
    },
    line(text) {
      clear(); // the next stage draws it again
      write(text);
    },
    finish: clear,
  };
}

/** Plain lines only (a pipe, a file, a test): nothing is redrawn. */
function lineProgress(write: (text: string) => void): PredictProgress {
  return { imageStarted() {}, stageDone() {}, line: write, finish() {} };
}

/**
 * The progress reporter for `rcnn predict`: a live bar and stage on a terminal, plain lines
 * otherwise, nothing but failures with `quiet`.
 * @param tty whether stderr is a terminal
 */
export function createProgress(
  write: (text: string) => void,
  { tty, quiet, total }: { tty: boolean; quiet: boolean; total: number },
): PredictProgress {
  if (quiet) return lineProgress(() => {});
  return tty ? terminalProgress(write, total) : lineProgress(write);
}
