import type { TrainingSample } from '../data/training-sample';
import { SeededRng } from '../random/seeded-rng';

/** One drawn object: a filled rectangle (label 1) or ellipse (label 2), inside `box` (xyxy, pixel edges). */
interface DrawnObject {
  readonly label: 1 | 2;
  readonly box: readonly [number, number, number, number];
}

interface DrawnImage {
  readonly width: number;
  readonly height: number;
  readonly objects: readonly DrawnObject[];
}

/** Two images, each with one rectangle and one ellipse at other places and sizes (boxes xyxy). */
const IMAGES: readonly DrawnImage[] = [
  {
    width: 128,
    height: 128,
    objects: [
      { label: 1, box: [10, 12, 66, 84] },
      { label: 2, box: [70, 50, 122, 120] },
    ],
  },
  {
    width: 144,
    height: 128,
    objects: [
      { label: 2, box: [12, 10, 80, 66] },
      { label: 1, box: [84, 52, 136, 118] },
    ],
  },
];

const COLORS: Record<1 | 2, readonly [number, number, number]> = { 1: [215, 60, 45], 2: [45, 95, 210] };

/** Whether pixel (x, y)'s centre lies inside the object. */
function covers({ label, box }: DrawnObject, x: number, y: number): boolean {
  const [x1, y1, x2, y2] = box;
  const px = x + 0.5;
  const py = y + 0.5;
  if (px < x1 || px > x2 || py < y1 || py > y2) return false;
  if (label === 1) return true;
  const u = (px - (x1 + x2) / 2) / ((x2 - x1) / 2);
  const v = (py - (y1 + y2) / 2) / ((y2 - y1) / 2);
  return u * u + v * v <= 1;
}

/**
 * The overfit test's two images (128x128 and 144x128) as training samples: a colour gradient
 * with seeded noise (±20) behind a red rectangle (label 1) and a blue ellipse (label 2), 52 to 72
 * pixels a side, each with ±12 noise. Boxes are the tight boxes of the drawn pixels, masks the
 * drawn pixels (the objects do not overlap).
 */
export function twoShapeSamples(seed = 1): TrainingSample[] {
  return IMAGES.map(({ width, height, objects }, index) => {
    const rng = SeededRng.derive(seed, 0x5a4e, index);
    const pixels = new Uint8Array(width * height * 3);
    const masks = new Uint8Array(objects.length * width * height);
    const boxes = new Float32Array(objects.length * 4);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const k = objects.findIndex((o) => covers(o, x, y));
        const base =
          k >= 0
            ? COLORS[objects[k]!.label]
            : ([110 + (60 * x) / width, 120, 130 - (50 * y) / height] as const);
        for (let c = 0; c < 3; c++) {
          const noise = (rng.next() - 0.5) * (k >= 0 ? 24 : 40);
          pixels[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(base[c]! + noise)));
        }
        if (k >= 0) masks[k * width * height + y * width + x] = 1;
      }
    }
    objects.forEach((_, k) => {
      let [minX, minY, maxX, maxY] = [width, height, -1, -1];
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          if (!masks[k * width * height + y * width + x]) continue;
          minX = Math.min(minX, x);
          minY = Math.min(minY, y);
          maxX = Math.max(maxX, x + 1);
          maxY = Math.max(maxY, y + 1);
        }
      }
      boxes.set([minX, minY, maxX, maxY], k * 4);
    });
    return {
      imageId: index + 1,
      width,
      height,
      pixels,
      boxes,
      labels: Int32Array.from(objects.map((o) => o.label)),
      masks,
    };
  });
}
