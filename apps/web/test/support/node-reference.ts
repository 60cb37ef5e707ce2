import { readFile } from 'node:fs/promises';
import { type DetectedInstance, decodeImage, readSafetensors } from '@rcnn/core';
import { createDetector, labelNamesOf, type ModelRecord, modelRecordOf } from '@rcnn/models';
import { useBackend } from '@rcnn/test-utils';
import { buildDetector } from '../../src/build-detector';
import { detectInstances } from '../../src/detect-instances';
import type { DetectorSettings, LocalModelSource } from '../../src/protocol';

/**
 * The detector the page runs, run in Node on `backend` (wasm or cpu) on the same picture
 * (decoded by the same @rcnn/core decoder) and the same weights.
 */
export async function detectInNode(
  picture: string,
  source: LocalModelSource,
  settings: DetectorSettings,
  backend: 'wasm' | 'cpu' = 'wasm',
): Promise<DetectedInstance[]> {
  await useBackend(backend);
  const { model, report } = buildDetector(source, settings);
  const image = decodeImage(new Uint8Array(await readFile(picture)));
  try {
    return await detectInstances(model, image, undefined, report.categoryNames);
  } finally {
    image.dispose();
    model.dispose();
  }
}

/**
 * A weights file with a model record run as the CLI's `rcnn predict` runs it, with
 * `@rcnn/models` directly (not the page's `buildDetector`): the record's architecture and
 * options, its names for the labels, on `backend`.
 * @throws Error when the file has no model record
 */
export async function detectWithModelRecord(
  picture: string,
  weights: Uint8Array,
  backend: 'wasm' | 'cpu' = 'wasm',
): Promise<{ record: ModelRecord; instances: DetectedInstance[] }> {
  await useBackend(backend);
  const { tensors, metadata } = readSafetensors(weights);
  const record = modelRecordOf(metadata);
  if (!record) throw new Error('the weights have no model record');
  const model = createDetector(record.architecture, { ...record.options, weights: tensors });
  const image = decodeImage(new Uint8Array(await readFile(picture)));
  try {
    const names = labelNamesOf(record, record.architecture, model.roiHeads.box.predictor.numClasses);
    return { record, instances: await detectInstances(model, image, undefined, names) };
  } finally {
    image.dispose();
    model.dispose();
  }
}

/** An instance as the page's results panel lists it (exact values from the row's data attributes). */
export interface ListedInstance {
  readonly label: number;
  readonly score: number;
  readonly box: readonly number[];
}

/**
 * Pairs each of `expected` with a distinct listed instance of the same label whose box is
 * within `boxTolerance` px on every side and whose score is within `scoreTolerance` (order
 * free: near-equal scores may swap places across backends). Returns the pairing as indices
 * into `listed`, or a description of the first instance without a partner.
 */
export function matchInstances(
  expected: readonly DetectedInstance[],
  listed: readonly ListedInstance[],
  boxTolerance = 1e-2,
  scoreTolerance = 1e-4,
): { pairs: number[]; unmatched?: string } {
  const used = new Set<number>();
  const pairs: number[] = [];
  for (const [index, instance] of expected.entries()) {
    const partner = listed.findIndex(
      (candidate, j) =>
        !used.has(j) &&
        candidate.label === instance.label &&
        Math.abs(candidate.score - instance.score) <= scoreTolerance &&
        candidate.box.every((value, side) => Math.abs(value - instance.box[side]!) <= boxTolerance),
    );
    if (partner < 0) {
      const nearest = listed
        .filter((candidate) => candidate.label === instance.label)
        .map((candidate) => ({
          score: candidate.score - instance.score,
          box: Math.max(...candidate.box.map((value, side) => Math.abs(value - instance.box[side]!))),
        }))
        .sort((a, b) => a.box - b.box)[0];
      return {
        pairs,
        unmatched: `instance ${index} (label ${instance.label}, score ${instance.score}, box ${instance.box.join(', ')}) has no partner; nearest of that label: ${JSON.stringify(nearest)}`,
      };
    }
    used.add(partner);
    pairs.push(partner);
  }
  return { pairs };
}
