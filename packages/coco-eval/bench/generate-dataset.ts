/**
 * Deterministic COCO-like benchmark data (no randomness between runs): ground truth
 * shaped like COCO val2017 (5,000 images, ~7 objects each, 80 categories with COCO's
 * ids, polygons, ~1 % crowd regions as uncompressed RLE) and 20 detections per image
 * (100,000): jittered copies of the objects plus false positives, each with a box and a
 * compressed-RLE mask, scores with 4 decimals (so there are ties).
 */
import { encodeCrowdCounts, polygonMask } from './synthetic-shapes';

export interface BenchmarkSet {
  groundTruth: Record<string, unknown>;
  results: Record<string, unknown>[];
}

const COCO_CATEGORY_IDS = [
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 31, 32, 33,
  34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61,
  62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90,
];

/** mulberry32: a small seeded generator, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Shape {
  centerX: number;
  centerY: number;
  radiusX: number;
  radiusY: number;
  wobble: number[];
}

export function generateBenchmarkSet(images = 5000, detectionsPerImage = 20, seed = 7): BenchmarkSet {
  const random = seededRandom(seed);
  const between = (low: number, high: number) => low + (high - low) * random();
  const pickCategory = () => {
    // Person-heavy like COCO: 25 % person, the rest spread over the other 79.
    if (random() < 0.25) return 1;
    return COCO_CATEGORY_IDS[1 + Math.floor(random() * (COCO_CATEGORY_IDS.length - 1))];
  };
  const imageList: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];
  const results: Record<string, unknown>[] = [];
  let annotationId = 1;
  for (let i = 0; i < images; i++) {
    const id = 100000 + i * 7;
    const width = Math.round(between(480, 640));
    const height = Math.round(between(360, 640));
    imageList.push({ id, width, height, file_name: `${String(id).padStart(12, '0')}.jpg` });
    const objects: { shape: Shape; category: number }[] = [];
    const objectCount = Math.floor(between(0, 15));
    for (let o = 0; o < objectCount; o++) {
      const shape = randomShape(between, width, height);
      const category = pickCategory();
      objects.push({ shape, category });
      const crowd = random() < 0.01;
      const mask = polygonMask(shape, width, height);
      annotations.push({
        id: annotationId++,
        image_id: id,
        category_id: category,
        iscrowd: crowd ? 1 : 0,
        area: mask.polygonArea,
        bbox: mask.bbox,
        segmentation: crowd ? { size: [height, width], counts: encodeCrowdCounts(mask.rle) } : [mask.polygon],
      });
    }
    for (let d = 0; d < detectionsPerImage; d++) {
      const source =
        objects.length > 0 && random() < 0.7 ? objects[Math.floor(random() * objects.length)] : undefined;
      const shape = source ? jitter(source.shape, between) : randomShape(between, width, height);
      const category = source && random() < 0.9 ? source.category : pickCategory();
      const mask = polygonMask(shape, width, height);
      results.push({
        image_id: id,
        category_id: category,
        bbox: mask.bbox,
        score: Math.round(between(source ? 0.3 : 0.05, source ? 1 : 0.7) * 1e4) / 1e4,
        segmentation: { size: [height, width], counts: mask.counts },
      });
    }
  }
  const categories = COCO_CATEGORY_IDS.map((id) => ({ id, name: `category ${id}`, supercategory: 'thing' }));
  return { groundTruth: { images: imageList, annotations, categories }, results };
}

function randomShape(between: (low: number, high: number) => number, width: number, height: number): Shape {
  // Log-uniform sizes so small, medium and large objects all occur.
  const radius = Math.exp(between(Math.log(4), Math.log(Math.min(width, height) / 2.5)));
  return {
    centerX: between(0, width),
    centerY: between(0, height),
    radiusX: radius * between(0.6, 1.4),
    radiusY: radius * between(0.6, 1.4),
    wobble: Array.from({ length: 16 }, () => between(0.8, 1.2)),
  };
}

function jitter(shape: Shape, between: (low: number, high: number) => number): Shape {
  const size = Math.min(shape.radiusX, shape.radiusY);
  return {
    centerX: shape.centerX + between(-0.3, 0.3) * size,
    centerY: shape.centerY + between(-0.3, 0.3) * size,
    radiusX: shape.radiusX * between(0.75, 1.25),
    radiusY: shape.radiusY * between(0.75, 1.25),
    wobble: shape.wobble.map((w) => w * between(0.9, 1.1)),
  };
}
