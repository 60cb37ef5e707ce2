import { type CompressedRle, encodeMask, rleToJson } from '@rcnn/coco-eval';
import { paintBackground } from './background';
import { categoryIdOf, type ShapeName } from './categories';
import { placeObjects } from './layout';
import type { ResolvedSyntheticOptions } from './options';
import { mixSeed, SeededRandom } from './random';
import { type PlacedShape, starKeypoints } from './shapes';
import {
  colorDistance,
  type Fill,
  type FillKind,
  meanColor,
  type Rgb,
  randomFill,
  shadePixel,
  shadeSpan,
} from './style';

const OBJECT_KINDS: readonly FillKind[] = [
  'solid',
  'linear',
  'linear',
  'radial',
  'radial',
  'stripes',
  'speckle',
  'blocks',
];
const SPLIT_TAGS = { train: 1, val: 2 } as const;

/** One annotated object of a synthetic image (its visible part). */
export interface SyntheticObject {
  shape: ShapeName;
  categoryId: number;
  /** Geometry before occlusion. */
  placed: PlacedShape;
  /** How its pixels are coloured: `shadePixel(fill, x, y, ...)` gives each visible pixel. */
  fill: Fill;
  /** Tight box of the visible pixels, COCO `[x, y, width, height]`, integers. */
  bbox: [number, number, number, number];
  /** Visible pixel count. */
  area: number;
  /** Visible pixels as a COCO compressed RLE (column-major runs, `size` [height, width]). */
  segmentation: CompressedRle;
  /** Star only: `[x1, y1, v1, ...]` in `STAR_KEYPOINT_NAMES` order; v 2 visible, 1 covered, 0 outside. */
  keypoints?: number[];
  numKeypoints?: number;
}

/** A synthetic image: RGB pixels and its objects in drawing order (later ones in front). */
export interface SyntheticImage {
  width: number;
  height: number;
  /** `height * width * 3` bytes, row-major RGB. */
  pixels: Uint8Array;
  /** Which object each pixel shows (`y * width + x`): index into `objects`, -1 for background. */
  instanceMap: Int16Array;
  objects: SyntheticObject[];
}

/**
 * Generates image `index` of a split. It depends only on (seed, split, index) and the
 * options, never on other images, so images can be made in any order or in parallel.
 * @param options resolved options (`resolveSyntheticOptions`)
 * @returns fresh arrays the caller owns
 */
export function generateSyntheticImage(options: ResolvedSyntheticOptions, index: number): SyntheticImage {
  const random = new SeededRandom(mixSeed(options.seed, SPLIT_TAGS[options.split], index));
  const width = random.integer(options.minImageSize, options.maxImageSize);
  const height = random.integer(options.minImageSize, options.maxImageSize);
  const pixels = new Uint8Array(width * height * 3);
  const background = paintBackground(random, pixels, width, height, random.integer(0, options.maxClutter));
  const layout = placeObjects(random, {
    width,
    height,
    targetObjects: random.integer(options.minObjects, options.maxObjects),
    minObjectSize: options.minObjectSize,
    maxObjectSize: options.maxObjectFraction * Math.min(width, height),
    minVisibleArea: options.minVisibleArea,
    minVisibleFraction: options.minVisibleFraction,
  });
  const fills = chooseFills(random, layout.objects, background);
  const { owner } = layout;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; ) {
      const o = owner[row + x];
      let end = x;
      while (end + 1 < width && owner[row + end + 1] === o) end++;
      if (o >= 0) shadeSpan(fills[o], y, x, end, pixels, (row + x) * 3);
      x = end + 1;
    }
  }
  const mask = new Uint8Array(width * height); // column-major, reused per object
  const objects = layout.objects.map((placed, k): SyntheticObject => {
    const [x0, y0, x1, y1] = circleBounds(placed, width, height);
    let minX = width;
    let minY = height;
    let maxX = -1;
    let maxY = -1;
    let area = 0;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0, i = y * width + x0; x <= x1; x++, i++) {
        if (owner[i] !== k) continue;
        mask[x * height + y] = 1;
        area++;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
    const segmentation = rleToJson(encodeMask(mask, height, width, 'column-major'));
    for (let x = x0; x <= x1; x++) mask.fill(0, x * height + y0, x * height + y1 + 1);
    const object: SyntheticObject = {
      shape: placed.shape,
      categoryId: categoryIdOf(placed.shape),
      placed,
      fill: fills[k],
      bbox: [minX, minY, maxX - minX + 1, maxY - minY + 1],
      area,
      segmentation,
    };
    if (placed.shape === 'star') {
      object.keypoints = keypointTriplets(placed, k, owner, width, height);
      object.numKeypoints = object.keypoints.filter((_, j) => j % 3 === 2 && object.keypoints![j] > 0).length;
    }
    return object;
  });
  return { width, height, pixels, instanceMap: owner, objects };
}

/** Pixel bounds [x0, y0, x1, y1] (inclusive) of an object's circumscribed circle, clipped to the image. */
function circleBounds(placed: PlacedShape, width: number, height: number): [number, number, number, number] {
  return [
    Math.max(0, Math.floor(placed.centerX - placed.radius)),
    Math.max(0, Math.floor(placed.centerY - placed.radius)),
    Math.min(width - 1, Math.ceil(placed.centerX + placed.radius)),
    Math.min(height - 1, Math.ceil(placed.centerY + placed.radius)),
  ];
}

/**
 * A fill per object that stands out from the background at its centre and from earlier
 * objects it may overlap (a few redraws; a low-contrast object now and then is kept).
 */
function chooseFills(random: SeededRandom, objects: PlacedShape[], background: Fill): Fill[] {
  const fills: Fill[] = [];
  const probe = new Uint8Array(3);
  for (const placed of objects) {
    shadePixel(background, Math.floor(placed.centerX), Math.floor(placed.centerY), probe, 0);
    const behind: Rgb = [probe[0], probe[1], probe[2]];
    let fill = randomFill(
      random,
      OBJECT_KINDS,
      placed.centerX,
      placed.centerY,
      placed.radius,
      [0.25, 1],
      [0.25, 1],
    );
    for (let retry = 0; retry < 8 && !standsOut(fill, behind, placed, objects, fills); retry++) {
      fill = randomFill(
        random,
        OBJECT_KINDS,
        placed.centerX,
        placed.centerY,
        placed.radius,
        [0.25, 1],
        [0.25, 1],
      );
    }
    fills.push(fill);
  }
  return fills;
}

function standsOut(
  fill: Fill,
  behind: Rgb,
  placed: PlacedShape,
  objects: PlacedShape[],
  fills: Fill[],
): boolean {
  const mean = meanColor(fill);
  if (colorDistance(mean, behind) < 90) return false;
  for (let o = 0; o < fills.length; o++) {
    const other = objects[o];
    const near =
      Math.hypot(other.centerX - placed.centerX, other.centerY - placed.centerY) <
      other.radius + placed.radius;
    if (near && colorDistance(mean, meanColor(fills[o])) < 70) return false;
  }
  return true;
}

/** COCO keypoint triplets of star `k`: v = 0 outside the image, 1 where another object covers it, else 2. */
function keypointTriplets(
  placed: PlacedShape,
  k: number,
  owner: Int16Array,
  width: number,
  height: number,
): number[] {
  const triplets: number[] = [];
  for (const [x, y] of starKeypoints(placed)) {
    if (x < 0 || y < 0 || x >= width || y >= height) {
      triplets.push(0, 0, 0);
      continue;
    }
    const o = owner[Math.floor(y) * width + Math.floor(x)];
    triplets.push(Math.round(x * 100) / 100, Math.round(y * 100) / 100, o >= 0 && o !== k ? 1 : 2);
  }
  return triplets;
}
