import { SHAPE_NAMES } from './categories';
import type { SeededRandom } from './random';
import { type PlacedShape, rasterizeShape, STAR_MAX_ROTATION, unitShapeArea } from './shapes';

/** What `placeObjects` needs: image size, how many objects, their sizes and visibility rules. */
export interface LayoutSettings {
  width: number;
  height: number;
  /** Objects to try to place (fewer when the image fills up). */
  targetObjects: number;
  /** Circumscribed diameter range of the objects, pixels. */
  minObjectSize: number;
  maxObjectSize: number;
  /** Every kept object keeps at least this many visible pixels... */
  minVisibleArea: number;
  /** ...and at least this fraction of its whole (unoccluded, untruncated) area. */
  minVisibleFraction: number;
}

/**
 * Objects in drawing order (later ones in front) and which one each pixel shows:
 * `owner[y * width + x]` is the object index, -1 for background. The visible mask of
 * object k is exactly `owner == k`.
 */
export interface Layout {
  objects: PlacedShape[];
  owner: Int16Array;
  /** Visible pixel count per object. */
  visibleArea: number[];
}

/**
 * Places objects one at a time in front of the earlier ones. A candidate is rejected when
 * it would itself be too small or too truncated to keep, or when covering pixels would
 * leave an earlier object under its visible minimum, so every placed object stays
 * annotatable and nothing drawn goes unannotated.
 */
export function placeObjects(random: SeededRandom, settings: LayoutSettings): Layout {
  const { width, height, targetObjects } = settings;
  const owner = new Int16Array(width * height).fill(-1);
  const objects: PlacedShape[] = [];
  const visibleArea: number[] = [];
  const required: number[] = [];
  const candidate = new Int32Array(width * height);
  const lost = new Int32Array(Math.max(1, targetObjects));
  const maxSize = Math.max(settings.minObjectSize, settings.maxObjectSize);
  for (let attempt = 0; attempt < targetObjects * 4 && objects.length < targetObjects; attempt++) {
    const shape = random.pick(SHAPE_NAMES);
    const radius = random.logUniform(settings.minObjectSize, maxSize) / 2;
    const placed: PlacedShape = {
      shape,
      centerX: random.uniform(0, width),
      centerY: random.uniform(0, height),
      radius,
      angle:
        shape === 'star'
          ? random.uniform(-STAR_MAX_ROTATION, STAR_MAX_ROTATION)
          : random.uniform(0, 2 * Math.PI),
      innerRatio: shape === 'ring' ? random.uniform(0.45, 0.7) : 0,
    };
    let count = 0;
    rasterizeShape(placed, width, height, (index) => {
      candidate[count++] = index;
    });
    const fullArea = unitShapeArea(shape, placed.innerRatio) * radius * radius;
    const need = Math.max(settings.minVisibleArea, settings.minVisibleFraction * fullArea);
    if (count < need) continue;
    lost.fill(0, 0, objects.length);
    for (let i = 0; i < count; i++) {
      const o = owner[candidate[i]];
      if (o >= 0) lost[o]++;
    }
    let fits = true;
    for (let o = 0; o < objects.length && fits; o++) fits = visibleArea[o] - lost[o] >= required[o];
    if (!fits) continue;
    const index = objects.length;
    for (let o = 0; o < index; o++) visibleArea[o] -= lost[o];
    for (let i = 0; i < count; i++) owner[candidate[i]] = index;
    objects.push(placed);
    visibleArea.push(count);
    required.push(need);
  }
  return { objects, owner, visibleArea };
}
