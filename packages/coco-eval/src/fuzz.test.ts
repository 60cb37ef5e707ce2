import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CocoDataset } from './dataset/coco-dataset';
import { CocoFormatError } from './errors';
import { CocoEval } from './eval/coco-eval';
import { rleFromPolygon } from './mask/rle-from-polygon';
import { rleFromJson, rleToJson } from './mask/rle-json';
import { rleFromString } from './mask/rle-string';
import { segmentationToRle } from './mask/segmentation-to-rle';

/** Runs `action`; it must return or throw a CocoFormatError, never anything else, and quickly. */
function expectResultOrFormatError(action: () => unknown): 'result' | 'error' {
  const started = performance.now();
  let outcome: 'result' | 'error' = 'result';
  try {
    action();
  } catch (error) {
    if (!(error instanceof CocoFormatError)) throw error;
    expect(error.message.length).toBeGreaterThan(0);
    outcome = 'error';
  }
  expect(performance.now() - started).toBeLessThan(2000);
  return outcome;
}

const anyNumber = fc.oneof(
  fc.double(),
  fc.integer({ min: -5, max: 1000 }),
  fc.constantFrom(0, -0, 1, Number.NaN, Number.POSITIVE_INFINITY, 1e300, 2 ** 32, 0.5),
);
const junk = fc.oneof(
  anyNumber,
  fc.string({ maxLength: 5 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);

describe('fuzz: RLE string decoder', () => {
  it('any string decodes or is rejected with a CocoFormatError', () => {
    const alphabet = fc.string({
      unit: fc.integer({ min: 40, max: 120 }).map((c) => String.fromCharCode(c)),
      maxLength: 60,
    });
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), alphabet), (text) => {
        expectResultOrFormatError(() => {
          const runs = rleFromString(text);
          for (const run of runs) expect(run).toBeGreaterThanOrEqual(0);
        });
      }),
      { numRuns: 3000 },
    );
  });

  it('RLE objects with random sizes and counts load or fail clearly', () => {
    const counts = fc.oneof(fc.string({ maxLength: 30 }), fc.array(junk, { maxLength: 8 }), junk);
    const size = fc.oneof(fc.tuple(anyNumber, anyNumber), fc.array(junk, { maxLength: 3 }), junk);
    fc.assert(
      fc.property(size, counts, (rleSize, rleCounts) => {
        expectResultOrFormatError(() => {
          const rle = rleFromJson({ size: rleSize, counts: rleCounts });
          expect(rle.counts.reduce((a, b) => a + b, 0)).toBe(rle.height * rle.width);
        });
      }),
      { numRuns: 2000 },
    );
  });
});

describe('fuzz: polygon rasterizer', () => {
  it('any coordinates give a valid mask or a CocoFormatError, without hanging', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -2, max: 50 }),
        fc.integer({ min: -2, max: 50 }),
        fc.array(fc.oneof(anyNumber, fc.double({ min: -1e9, max: 1e9 })), { maxLength: 14 }),
        (height, width, polygon) => {
          expectResultOrFormatError(() => {
            const rle = rleFromPolygon(polygon, height, width);
            expect(rle.counts.reduce((a, b) => a + b, 0)).toBe(height * width);
          });
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('segmentations of any shape load or fail clearly', () => {
    const segmentation = fc.oneof(
      fc.array(fc.array(anyNumber, { maxLength: 10 }), { maxLength: 3 }),
      fc.array(junk, { maxLength: 3 }),
      fc.record({ size: fc.array(junk, { maxLength: 3 }), counts: junk }),
      junk,
    );
    fc.assert(
      fc.property(segmentation, fc.option(fc.integer({ min: 1, max: 30 })), (value, size) => {
        expectResultOrFormatError(() => segmentationToRle(value, size ?? undefined, size ?? undefined));
      }),
      { numRuns: 2000 },
    );
  });
});

/** COCO-shaped objects whose fields are sometimes missing, mistyped or out of range. */
const fuzzedImage = fc.record(
  {
    id: fc.oneof(fc.integer({ min: 1, max: 4 }), junk),
    height: fc.oneof(fc.integer({ min: 1, max: 40 }), junk),
    width: fc.oneof(fc.integer({ min: 1, max: 40 }), junk),
  },
  { requiredKeys: [] },
);
const fuzzedAnnotation = fc.record(
  {
    id: fc.oneof(fc.integer({ min: 0, max: 50 }), junk),
    image_id: fc.oneof(fc.integer({ min: 1, max: 4 }), junk),
    category_id: fc.oneof(fc.integer({ min: 1, max: 3 }), junk),
    bbox: fc.oneof(fc.tuple(anyNumber, anyNumber, anyNumber, anyNumber), fc.array(junk, { maxLength: 5 })),
    area: fc.oneof(fc.double({ min: 0, max: 2000, noNaN: true }), junk),
    iscrowd: fc.oneof(fc.constantFrom(0, 1), junk),
    segmentation: fc.oneof(
      fc.array(fc.array(fc.double({ min: -5, max: 45, noNaN: true }), { minLength: 6, maxLength: 10 }), {
        maxLength: 2,
      }),
      fc.record({
        size: fc.constant([8, 8]),
        counts: fc.oneof(fc.constant('0`1'), fc.string({ maxLength: 6 })),
      }),
      junk,
    ),
    keypoints: fc.oneof(
      fc.array(anyNumber, { minLength: 51, maxLength: 51 }),
      fc.array(junk, { maxLength: 4 }),
    ),
    num_keypoints: fc.oneof(fc.integer({ min: 0, max: 17 }), junk),
    score: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), junk),
  },
  { requiredKeys: [] },
);
const fuzzedDataset = fc.record(
  {
    images: fc.oneof(fc.array(fuzzedImage, { maxLength: 4 }), junk),
    annotations: fc.oneof(fc.array(fuzzedAnnotation, { maxLength: 6 }), junk),
    categories: fc.oneof(
      fc.array(fc.record({ id: fc.oneof(fc.integer({ min: 1, max: 3 }), junk) }), { maxLength: 3 }),
      junk,
    ),
  },
  { requiredKeys: [] },
);

/** Mostly valid COCO data: a valid dataset and results, then now and then one field broken. */
const coordinate = fc.double({ min: -5, max: 45, noNaN: true }).map((v) => Math.round(v * 4) / 4);
const polygon = fc
  .array(coordinate, { minLength: 6, maxLength: 12 })
  .map((p) => (p.length % 2 ? p.slice(1) : p));
const keypoints = fc
  .array(fc.tuple(coordinate, coordinate, fc.constantFrom(0, 1, 2)), { minLength: 17, maxLength: 17 })
  .map((points) => points.flat());
const box = fc.tuple(
  coordinate,
  coordinate,
  fc.double({ min: 0, max: 30, noNaN: true }),
  fc.double({ min: 0, max: 30, noNaN: true }),
);
const validDataset = fc.record({
  images: fc.constant([1, 2, 3].map((id) => ({ id, height: 40, width: 40 }))),
  categories: fc.constant([{ id: 1 }, { id: 2 }, { id: 5 }]),
  annotations: fc.array(
    fc.record({
      image_id: fc.constantFrom(1, 2, 3),
      category_id: fc.constantFrom(1, 2, 5),
      bbox: box,
      area: fc.double({ min: 0, max: 2000, noNaN: true }),
      iscrowd: fc.constantFrom(0, 0, 0, 1),
      segmentation: fc.array(polygon, { minLength: 1, maxLength: 2 }),
      keypoints,
      num_keypoints: fc.integer({ min: 0, max: 17 }),
    }),
    { maxLength: 12 },
  ),
});
const validResults = fc.array(
  fc.record({
    image_id: fc.constantFrom(1, 2, 3),
    category_id: fc.constantFrom(1, 2, 5, 7),
    bbox: box,
    score: fc.double({ min: 0, max: 1, noNaN: true }).map((v) => Math.round(v * 20) / 20),
    segmentation: fc.array(polygon, { minLength: 1, maxLength: 2 }),
    keypoints,
  }),
  { maxLength: 16 },
);
const mutation = fc.oneof(
  { weight: 6, arbitrary: fc.constant(null) },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.nat(),
      fc.constantFrom(
        'id',
        'image_id',
        'bbox',
        'area',
        'segmentation',
        'keypoints',
        'score',
        'iscrowd',
        'num_keypoints',
      ),
      junk,
    ),
  },
);

function mutate<T extends Record<string, unknown>>(list: T[], change: [number, string, unknown] | null): T[] {
  if (!change || list.length === 0) return list;
  const [index, field, value] = change;
  return list.map((item, i) => (i === index % list.length ? { ...item, [field]: value } : item));
}

describe('fuzz: JSON loaders and the whole evaluation', () => {
  it('CocoDataset.fromJson accepts or rejects any JSON value with a CocoFormatError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fuzzedDataset), (json) => {
        expectResultOrFormatError(() => CocoDataset.fromJson(json));
      }),
      { numRuns: 1500 },
    );
  });

  it('loadResults + evaluate + accumulate + summarize: a result or a CocoFormatError, stats in [0, 1] or -1', () => {
    const outcomes = { result: 0, error: 0 };
    const resultShape = fc.constantFrom('as is', 'no bbox (segm branch)', 'keypoints only');
    fc.assert(
      fc.property(
        fc.oneof({ weight: 4, arbitrary: validDataset }, { weight: 1, arbitrary: fuzzedDataset }),
        fc.oneof(
          { weight: 4, arbitrary: validResults },
          { weight: 1, arbitrary: fc.array(fuzzedAnnotation, { maxLength: 8 }) },
        ),
        resultShape,
        fc.constantFrom('bbox', 'segm', 'keypoints'),
        mutation,
        mutation,
        (dataset, resultList, shape, iouType, datasetChange, resultChange) => {
          const annotations = Array.isArray(dataset.annotations)
            ? mutate(
                (dataset.annotations as Record<string, unknown>[]).map((a, i) => ({ id: i + 1, ...a })),
                datasetChange,
              )
            : dataset.annotations;
          const outcome = expectResultOrFormatError(() => {
            let results = mutate(resultList as Record<string, unknown>[], resultChange);
            if (shape === 'no bbox (segm branch)') {
              results = results.map(({ bbox: _, segmentation, ...rest }) => ({
                ...rest,
                segmentation:
                  Array.isArray(segmentation) && Array.isArray(segmentation[0])
                    ? rleToJson(segmentationToRle(segmentation, 40, 40))
                    : segmentation,
              }));
            } else if (shape === 'keypoints only') {
              results = results.map(({ image_id, category_id, keypoints, score }) => ({
                image_id,
                category_id,
                keypoints,
                score,
              }));
            }
            const gt = CocoDataset.fromJson({ ...dataset, annotations });
            const evaluator = new CocoEval(gt, gt.loadResults(results), iouType);
            if (iouType === 'keypoints') evaluator.params.catIds = [1];
            evaluator.evaluate();
            evaluator.accumulate();
            const { stats } = evaluator.summarize();
            for (const value of stats) expect(value === -1 || (value >= 0 && value <= 1)).toBe(true);
          });
          outcomes[outcome]++;
        },
      ),
      { numRuns: 1500 },
    );
    // Most runs must reach the end, or the property would only exercise the validators.
    expect(outcomes.result).toBeGreaterThan(outcomes.error);
  });
});
