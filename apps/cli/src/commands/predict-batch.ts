import { RcnnError, type RgbImage } from '@rcnn/core';
import { CliError, type CliIo } from '../command';
import { detectImage } from '../detect-image';
import type { LoadedDetector } from '../load-detector';
import type { StagedOutputs } from '../output-files';
import type { PlainDetection } from '../plain-detections';
import { describeFailure, type ImageFailure } from '../predict-inputs';
import type { PredictProgress } from '../progress';
import { decodeForModel, imageTensor } from '../read-image';
import { shown } from '../terminal-text';
import { toDecodedPixels } from '../to-decoded-pixels';
import { type ImageResult, toImageResult } from './predict-json';

/** What {@link predictImages} needs. */
export interface PredictBatch {
  readonly command: string;
  readonly io: CliIo;
  readonly loaded: LoadedDetector;
  readonly images: readonly string[];
  /** Indices already known to fail (checked before the model was built): skipped. */
  readonly skip: ReadonlySet<number>;
  /** Where each image's drawing goes, if anywhere. */
  readonly drawings: readonly (string | undefined)[];
  /** Drawings are staged here, written only if the run succeeds. */
  readonly staged: StagedOutputs;
  readonly progress: PredictProgress;
  /** Go on after an image fails (input errors only: an internal error always stops). */
  readonly keepGoing: boolean;
  readonly verbose: boolean;
  /** Class names by label (0 = background), when known: in the JSON and the per-image lines. */
  readonly names?: readonly string[] | undefined;
  /** The per-image line counts by class the detections scoring at least this (those drawn). */
  readonly summaryScoreThreshold: number;
  /** Draws an image's detections (in that image's pixels) as PNG bytes. */
  draw(image: RgbImage, detections: readonly PlainDetection[]): Uint8Array;
}

/**
 * What follows an image's instance count and time: `: 2 disc, 1 square` (most frequent class
 * first), or with a threshold `; scoring >= 0.5: 2 disc` (none: `; none scoring >= 0.5`);
 * classes only when their names are known.
 */
function classSummary(
  detections: readonly PlainDetection[],
  names: readonly string[] | undefined,
  threshold: number,
): string {
  if (threshold <= 0) return countsByName(detections, names, ': ');
  const counted = detections.filter((detection) => (detection.scores as number) >= threshold);
  if (counted.length === 0) return `; none scoring >= ${threshold}`;
  return (
    countsByName(counted, names, `; scoring >= ${threshold}: `) ||
    `; ${counted.length} scoring >= ${threshold}`
  );
}

function countsByName(
  detections: readonly PlainDetection[],
  names: readonly string[] | undefined,
  prefix: string,
): string {
  if (!names || detections.length === 0) return '';
  const counts = new Map<string, number>();
  for (const detection of detections) {
    const label = detection.labels as number;
    const name = names[label] ?? String(label);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const sorted = [...counts].sort((a, b) => b[1] - a[1]);
  return `${prefix}${sorted.map(([name, count]) => `${count} ${name}`).join(', ')}`;
}

function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

/**
 * Decodes, detects and (if asked) draws each image, one at a time. A failing image is
 * reported on stderr naming the file; the batch stops there unless `keepGoing`, and always
 * stops after an error that is not about the input (the backend may be unusable then).
 * @returns the results of the images that worked, and the images that failed
 */
export async function predictImages(batch: PredictBatch): Promise<{
  results: ImageResult[];
  /** The index in `images` of each result. */
  indices: number[];
  failures: ImageFailure[];
}> {
  const { command, io, loaded, images, progress } = batch;
  const results: ImageResult[] = [];
  const indices: number[] = [];
  const failures: ImageFailure[] = [];
  for (const [index, path] of images.entries()) {
    if (batch.skip.has(index)) continue;
    progress.imageStarted(index, path);
    const start = performance.now();
    const stages: string[] = [];
    try {
      // Above 16 MP shrunk while decoding; detections come back in the file's pixels.
      const image = decodeForModel(await io.readBytes(path), loaded.model);
      const fileSize: [number, number] = [image.originalHeight, image.originalWidth];
      const input = imageTensor(image);
      let detections: PlainDetection[];
      try {
        detections = await detectImage(loaded.model, input, {
          fileSize,
          onStage: (stage, milliseconds) => {
            stages.push(`${stage} ${(milliseconds / 1000).toFixed(2)} s`);
            progress.stageDone(stage);
          },
        });
      } finally {
        input.dispose();
      }
      results.push(toImageResult(path, { width: fileSize[1], height: fileSize[0] }, detections, batch.names));
      indices.push(index);
      const drawing = batch.drawings[index];
      if (drawing) {
        // Drawn on the decoded pixels: the file's size, or the shrunk size of a huge image.
        const drawn = batch.draw(image, toDecodedPixels(detections, image));
        await batch.staged.stage({ option: '--out-image', path: drawing }, drawn);
      }
      const seconds = ((performance.now() - start) / 1000).toFixed(1);
      const shrunk =
        image.width === fileSize[1] && image.height === fileSize[0]
          ? ''
          : ` (${fileSize[1]}x${fileSize[0]} decoded at ${image.width}x${image.height})`;
      progress.line(
        `[${index + 1}/${images.length}] ${shown(path)}: ${detections.length} instances, ${seconds} s${shrunk}${classSummary(detections, batch.names, batch.summaryScoreThreshold)}\n`,
      );
      if (batch.verbose) progress.line(`  ${stages.join(', ')}\n`);
    } catch (error) {
      if (error instanceof CliError) throw error; // an output that cannot be written: the whole run fails
      const failure = { index, path, reason: reasonOf(error) };
      failures.push(failure);
      progress.finish();
      io.stderr(`${describeFailure(command, failure)}\n`);
      const internal = !(
        error instanceof RcnnError || typeof (error as { code?: unknown }).code === 'string'
      );
      if (internal) {
        io.stderr(`${command}: stopped: that was not an input error, so the backend may be unusable\n`);
      }
      if (internal || !batch.keepGoing) break;
    }
  }
  progress.finish();
  return { results, indices, failures };
}
