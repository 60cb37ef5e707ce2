import { describe, expect, it } from 'vitest';
import { CocoFormatError } from '../errors';
import { rleFromPolygon } from '../mask/rle-from-polygon';
import { rleToString } from '../mask/rle-string';
import { CocoDataset } from './coco-dataset';

const groundTruth = () => ({
  images: [
    { id: 7, height: 20, width: 30 },
    { id: 3, height: 10, width: 10 },
  ],
  categories: [{ id: 2 }, { id: 1 }],
  annotations: [
    {
      id: 11,
      image_id: 7,
      category_id: 1,
      bbox: [1, 1, 5, 5],
      area: 25,
      iscrowd: 0,
      segmentation: [[1, 1, 6, 1, 6, 6, 1, 6]],
    },
    {
      id: 12,
      image_id: 7,
      category_id: 2,
      bbox: [10, 2, 4, 4],
      area: 16,
      iscrowd: 1,
      segmentation: { size: [20, 30], counts: [600] },
    },
    {
      id: 13,
      image_id: 3,
      category_id: 1,
      bbox: [0, 0, 2, 2],
      area: 4,
      iscrowd: 0,
      segmentation: [[0, 0, 2, 0, 2, 2]],
    },
  ],
});

describe('CocoDataset.fromJson (pycocotools COCO)', () => {
  it('indexes images, annotations and categories in file order', () => {
    const dataset = CocoDataset.fromJson(groundTruth());
    expect(dataset.getImageIds()).toEqual([7, 3]);
    expect(dataset.getCategoryIds()).toEqual([2, 1]);
    expect(dataset.getAnnotationIds({ imageIds: [3, 7] })).toEqual([13, 11, 12]);
    expect(dataset.getAnnotationIds({ categoryIds: [1] })).toEqual([11, 13]);
    expect(dataset.getAnnotationIds({ areaRange: [4, 20] })).toEqual([12]);
    expect(dataset.getAnnotationIds({ iscrowd: true })).toEqual([12]);
    expect(dataset.getImageIds({ categoryIds: [1, 2] })).toEqual([7]);
    expect(dataset.loadAnnotations([13])[0].area).toBe(4);
    expect(dataset.annotationsOfImage(7).map((a) => a.id)).toEqual([11, 12]);
  });

  it('rasterizes polygons at the image size and takes RLEs with their own size', () => {
    const dataset = CocoDataset.fromJson(groundTruth());
    const [polygon, crowd] = dataset.loadAnnotations([11, 12]);
    const mask = dataset.annotationToRle(polygon);
    expect([mask.height, mask.width]).toEqual([20, 30]);
    expect(rleToString(mask.counts)).toBe(
      rleToString(rleFromPolygon([1, 1, 6, 1, 6, 6, 1, 6], 20, 30).counts),
    );
    expect(dataset.annotationToRle(crowd).counts).toEqual(Uint32Array.from([600]));
  });

  it.each([
    [null, /dataset: expected an object/],
    [{}, /missing "images"/],
    [{ images: [{ id: 1 }, { id: 1 }] }, /images\[1\]: duplicate id 1/],
    [{ images: [{ id: '1' }] }, /images\[0\]: "id" must be a finite number/],
    [{ images: [{ id: 1, height: 0 }] }, /"height" must be a positive integer/],
    [{ images: [], annotations: [{ id: 1, image_id: 1 }] }, /annotations\[0\]: missing "category_id"/],
    [
      { images: [], annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [1, 2, 3] }] },
      /annotations\[0\].bbox: expected 4 numbers/,
    ],
    [
      { images: [], annotations: [{ id: 1, image_id: 1, category_id: 1, segmentation: 'x' }] },
      /"segmentation" must be/,
    ],
    [
      { images: [], annotations: [{ id: 1, image_id: 1, category_id: 1, keypoints: [1, 2] }] },
      /multiple of 3/,
    ],
  ])('rejects malformed ground truth: %j', (json, message) => {
    expect(() => CocoDataset.fromJson(json)).toThrow(CocoFormatError);
    expect(() => CocoDataset.fromJson(json)).toThrow(message);
  });

  it('explains segmentations pycocotools cannot read', () => {
    const json = groundTruth();
    json.annotations[0].segmentation = [[1, 1, 5, 5]];
    const dataset = CocoDataset.fromJson(json);
    expect(() => dataset.annotationToRle(dataset.annotations[0])).toThrow(
      /4 numbers; pycocotools reads that as a box/,
    );
    const noSize = CocoDataset.fromJson({
      images: [{ id: 1 }],
      annotations: [{ ...groundTruth().annotations[0], image_id: 1 }],
    });
    expect(() => noSize.annotationToRle(noSize.annotations[0])).toThrow(
      /need the image "height" and "width"/,
    );
  });
});

describe('loadResults (pycocotools COCO.loadRes)', () => {
  const gt = CocoDataset.fromJson(groundTruth());

  it('bbox branch: area = w*h, box polygon as segmentation, ids from 1, inputs untouched', () => {
    const results = [
      { image_id: 7, category_id: 1, bbox: [1, 2, 3, 4], score: 0.5 },
      {
        image_id: 3,
        category_id: 2,
        bbox: [0, 0, 2, 2.5],
        score: 0.25,
        segmentation: { size: [10, 10], counts: 'T3' },
      },
    ];
    const copy = structuredClone(results);
    const dt = gt.loadResults(results);
    expect(dt.resultsKind).toBe('bbox');
    expect(dt.annotations.map((a) => [a.id, a.area, a.iscrowd])).toEqual([
      [1, 12, 0],
      [2, 5, 0],
    ]);
    expect(dt.annotations[0].segmentation).toEqual([[1, 2, 1, 6, 4, 6, 4, 2]]);
    expect(dt.annotations[1].segmentation).toEqual({ size: [10, 10], counts: 'T3' });
    expect(results).toEqual(copy);
  });

  it('segm branch (first result without bbox): area and bbox from the mask', () => {
    const counts = rleToString(rleFromPolygon([2, 2, 6, 2, 6, 5, 2, 5], 10, 10).counts);
    const dt = gt.loadResults([
      { image_id: 3, category_id: 1, segmentation: { size: [10, 10], counts }, score: 1 },
    ]);
    expect(dt.resultsKind).toBe('segm');
    expect(dt.annotations[0].area).toBe(12);
    expect(dt.annotations[0].bbox).toEqual([2, 2, 4, 3]);
  });

  it('keypoints branch: box and area from the extent of all keypoints, whatever v is', () => {
    const dt = gt.loadResults([
      { image_id: 7, category_id: 1, keypoints: [5, 6, 2, 1, 9, 0, 3, 2, 1], score: 1 },
    ]);
    expect(dt.resultsKind).toBe('keypoints');
    expect(dt.annotations[0].bbox).toEqual([1, 2, 4, 7]);
    expect(dt.annotations[0].area).toBe(28);
  });

  it('an empty list loads as no detections', () => {
    expect(gt.loadResults([]).annotations).toEqual([]);
  });

  it.each([
    [{}, /results: expected a list/],
    [
      [{ image_id: 99, category_id: 1, bbox: [0, 0, 1, 1], score: 1 }],
      /results\[0\]: image_id 99 is not an image/,
    ],
    [[{ image_id: 7, category_id: 1, bbox: [0, 0, 1, 1] }], /results\[0\]: missing "score"/],
    [
      [
        { image_id: 7, category_id: 1, bbox: [0, 0, 1, 1], score: 1 },
        { image_id: 7, category_id: 1, score: 1 },
      ],
      /results\[1\].bbox: expected a list/,
    ],
    [[{ image_id: 7, category_id: 1, score: 1 }], /none of "bbox", "segmentation", "keypoints"/],
    [
      [{ image_id: 7, category_id: 1, score: 1, segmentation: { size: [10, 10], counts: 'z' } }],
      /results\[0\].segmentation.counts: RLE string has "z"/,
    ],
    [
      [{ image_id: 7, category_id: 1, score: 1, segmentation: { size: [10, 10], counts: '0' } }],
      /RLE runs sum to 0 but the mask size 10x10/,
    ],
  ])('rejects malformed results: %j', (results, message) => {
    expect(() => gt.loadResults(results)).toThrow(CocoFormatError);
    expect(() => gt.loadResults(results)).toThrow(message);
  });
});
