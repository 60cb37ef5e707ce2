import { access } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { type DetectedInstance, encodePng } from '@rcnn/core';
import { COCO_PERSON_SKELETON, drawInstances } from '@rcnn/postprocess';
import { activateBackend } from '../activate-backend';
import { categoryNamesFor } from '../category-names';
import { CliError, type CliIo, type CommandModule } from '../command';
import { detectImage } from '../detect-image';
import { BACKEND_AND_MODEL_OPTION_SPECS, DETECTOR_OPTION_SPECS, describeDetector } from '../detector-options';
import { architectureFrom, type LoadedDetector, loadDetector } from '../load-detector';
import { parseModelOptions } from '../model-options';
import type { ParsedArguments } from '../parse-arguments';
import { imageTensor, readImage } from '../read-image';
import { type ImageResult, toImageResult } from './predict-json';

const COMMAND = 'rcnn predict';

/**
 * `rcnn predict --arch NAME --weights FILE --image FILE [--image FILE ...] --out-json FILE
 * [--out-image FILE]`: detections per image as JSON (boxes in original pixels, masks as COCO RLE,
 * keypoints), optionally drawn onto the images as PNGs.
 */
export const predictCommand: CommandModule = {
  name: 'predict',
  summary: 'Detect objects in images; write JSON (boxes, RLE masks, keypoints) and optionally drawn PNGs.',
  usage:
    '--arch NAME --weights FILE|deterministic --image FILE [--image FILE ...] --out-json FILE [--out-image FILE ...] [model options]',
  options: {
    ...DETECTOR_OPTION_SPECS,
    image: {
      type: 'string',
      value: 'FILE',
      required: true,
      multiple: true,
      description: 'PNG or JPEG to detect in; images run one at a time',
    },
    'out-json': {
      type: 'string',
      value: 'FILE',
      required: true,
      description: 'write [{ image, width, height, instances: [{ box, score, label, mask?, keypoints? }] }]',
    },
    'out-image': {
      type: 'string',
      value: 'FILE',
      multiple: true,
      description:
        'draw the detections into a PNG: one per --image, or one name for several images, written as NAME-1.png, NAME-2.png, ...',
    },
    quiet: { type: 'boolean', description: 'no progress lines on stderr' },
    verbose: { type: 'boolean', description: "also print each image's stage times on stderr" },
    ...BACKEND_AND_MODEL_OPTION_SPECS,
  },
  run: runPredict,
};

/** Where each image's drawing goes: none, one per image, or `<stem>-<n><ext>` from one name. */
export function outImagePaths(
  images: readonly string[],
  outImages: readonly string[],
): (string | undefined)[] {
  if (outImages.length === 0) return images.map(() => undefined);
  if (outImages.length === images.length) return [...outImages];
  if (outImages.length === 1) {
    const [path] = outImages as [string];
    const extension = extname(path) || '.png';
    const stem = basename(path, extname(path));
    return images.map((_, i) => join(dirname(path), `${stem}-${i + 1}${extension}`));
  }
  throw new CliError(
    `${COMMAND}: give one --out-image per --image (${images.length}) or a single one, got ${outImages.length}`,
    2,
  );
}

async function checkReadable(paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    try {
      await access(path);
    } catch (error) {
      throw new CliError(`${COMMAND}: cannot read image ${path}: ${(error as Error).message}`, 1);
    }
  }
}

async function drawTo(
  io: CliIo,
  path: string,
  image: Awaited<ReturnType<typeof readImage>>,
  instances: readonly DetectedInstance[],
  loaded: LoadedDetector,
): Promise<void> {
  const keypointCount = instances[0]?.keypoints?.length ?? 0;
  const rgba = drawInstances(image, instances, {
    ...(keypointCount === COCO_PERSON_SKELETON_KEYPOINTS ? { skeleton: COCO_PERSON_SKELETON } : {}),
    ...namesOption(loaded),
  });
  try {
    await io.writeBytes(path, encodePng(rgba, image.width, image.height));
  } catch (error) {
    throw new CliError(`${COMMAND}: cannot write --out-image ${path}: ${(error as Error).message}`, 1);
  }
}

const COCO_PERSON_SKELETON_KEYPOINTS = 17;

function namesOption(loaded: LoadedDetector): { categoryNames?: readonly string[] } {
  const numClasses = loaded.model.roiHeads.box.predictor.numClasses;
  const names = categoryNamesFor(numClasses, loaded.architecture.startsWith('keypointrcnn'));
  return names ? { categoryNames: names } : {};
}

async function runPredict(args: ParsedArguments, io: CliIo): Promise<number> {
  const options = args.options as Record<string, string | boolean | undefined>;
  if (args.positionals.length > 0) {
    throw new CliError(
      `${COMMAND}: unexpected argument '${args.positionals[0]}' (images go after --image)`,
      2,
    );
  }
  const architecture = architectureFrom(options.arch as string, COMMAND);
  const modelOptions = parseModelOptions(options, COMMAND);
  const images = args.lists.image ?? [];
  const drawings = outImagePaths(images, args.lists['out-image'] ?? []);
  const outJson = options['out-json'] as string;
  const progress = options.quiet ? () => {} : (text: string) => io.stderr(text);
  await checkReadable(images);

  const backend = await activateBackend(options.backend as string | undefined);
  const loaded = await loadDetector(io, architecture, options.weights as string, modelOptions, COMMAND);
  try {
    if (!options.quiet) describeDetector(io, COMMAND, loaded, backend);
    const results: ImageResult[] = [];
    for (const [i, path] of images.entries()) {
      const start = performance.now();
      const image = await readImage(io, path, COMMAND);
      const input = imageTensor(image);
      const stages: string[] = [];
      let instances: DetectedInstance[];
      try {
        instances = await detectImage(loaded.model, input, {
          onStage: (stage, milliseconds) => stages.push(`${stage} ${(milliseconds / 1000).toFixed(2)} s`),
        });
      } finally {
        input.dispose();
      }
      results.push(toImageResult(path, image, instances));
      const drawing = drawings[i];
      if (drawing) await drawTo(io, drawing, image, instances, loaded);
      const seconds = ((performance.now() - start) / 1000).toFixed(1);
      progress(`[${i + 1}/${images.length}] ${path}: ${instances.length} instances, ${seconds} s\n`);
      if (options.verbose && !options.quiet) io.stderr(`  ${stages.join(', ')}\n`);
    }
    try {
      await io.writeFile(outJson, `${JSON.stringify(results)}\n`);
    } catch (error) {
      throw new CliError(`${COMMAND}: cannot write --out-json ${outJson}: ${(error as Error).message}`, 1);
    }
    return 0;
  } finally {
    loaded.model.dispose();
  }
}
