/**
 * A synthetic street scene drawn with simple shapes (sky, sun, clouds, hills, road, a house, a
 * tree, a car, two people), 2x2 supersampled: the demo picture for `rcnn predict`, made here so
 * nothing is downloaded. Regenerate apps/cli/assets/demo.png with
 * `npx vite-node --config vitest.config.ts scripts/make-demo-image.ts` (from apps/cli).
 */
import { encodePng } from '@rcnn/core';

type Rgb = readonly [number, number, number];
/** The colour of a shape at a point of the 640x480 scene, or undefined outside it. */
type Shape = (x: number, y: number) => Rgb | undefined;

const circle =
  (cx: number, cy: number, r: number, color: Rgb): Shape =>
  (x, y) =>
    (x - cx) ** 2 + (y - cy) ** 2 <= r * r ? color : undefined;
const ellipse =
  (cx: number, cy: number, rx: number, ry: number, color: Rgb): Shape =>
  (x, y) =>
    ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1 ? color : undefined;
const rect =
  (x1: number, y1: number, x2: number, y2: number, color: Rgb): Shape =>
  (x, y) =>
    x >= x1 && x <= x2 && y >= y1 && y <= y2 ? color : undefined;
/** A triangle by its corners (same-side test). */
const triangle = (a: [number, number], b: [number, number], c: [number, number], color: Rgb): Shape => {
  const side = (p: [number, number], q: [number, number], x: number, y: number) =>
    (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0]);
  return (x, y) => {
    const s1 = side(a, b, x, y);
    const s2 = side(b, c, x, y);
    const s3 = side(c, a, x, y);
    return (s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0) ? color : undefined;
  };
};
/** A thick line segment (capsule). */
const limb = (x1: number, y1: number, x2: number, y2: number, width: number, color: Rgb): Shape => {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const length2 = dx * dx + dy * dy;
  return (x, y) => {
    const t = Math.max(0, Math.min(1, ((x - x1) * dx + (y - y1) * dy) / length2));
    return (x - x1 - t * dx) ** 2 + (y - y1 - t * dy) ** 2 <= (width / 2) ** 2 ? color : undefined;
  };
};

function person(x: number, feet: number, height: number, shirt: Rgb, trousers: Rgb): Shape[] {
  const skin: Rgb = [224, 172, 138];
  const unit = height / 7; // a head is about 1/7 of a body
  const hip = feet - 3.3 * unit;
  const shoulder = feet - 5.8 * unit;
  return [
    limb(x - 0.35 * unit, hip, x - 0.6 * unit, feet, 0.55 * unit, trousers),
    limb(x + 0.35 * unit, hip, x + 0.6 * unit, feet, 0.55 * unit, trousers),
    rect(x - 0.8 * unit, shoulder, x + 0.8 * unit, hip + 0.2 * unit, shirt),
    limb(x - 0.8 * unit, shoulder + 0.2 * unit, x - 1.3 * unit, hip, 0.4 * unit, shirt),
    limb(x + 0.8 * unit, shoulder + 0.2 * unit, x + 1.4 * unit, shoulder + 1.6 * unit, 0.4 * unit, shirt),
    circle(x, shoulder - 0.6 * unit, 0.55 * unit, skin),
    ellipse(x, shoulder - 1.0 * unit, 0.55 * unit, 0.25 * unit, [60, 40, 30]),
  ];
}

/** Back to front. */
const SHAPES: readonly Shape[] = [
  circle(540, 80, 34, [255, 221, 120]),
  ellipse(150, 85, 60, 20, [245, 247, 250]),
  ellipse(190, 72, 45, 24, [250, 251, 253]),
  ellipse(420, 120, 50, 15, [240, 243, 248]),
  ellipse(160, 330, 260, 80, [104, 160, 92]),
  ellipse(520, 320, 240, 60, [96, 150, 84]),
  rect(0, 300, 640, 480, [112, 170, 96]),
  triangle([230, 480], [410, 480], [330, 300], [120, 120, 125]),
  rect(0, 392, 640, 480, [118, 118, 124]),
  rect(0, 436, 640, 440, [230, 230, 230]),
  // house
  rect(60, 220, 210, 330, [205, 132, 96]),
  triangle([45, 222], [225, 222], [135, 150], [140, 62, 52]),
  rect(118, 270, 150, 330, [92, 60, 40]),
  rect(78, 240, 108, 266, [170, 210, 235]),
  rect(162, 240, 192, 266, [170, 210, 235]),
  // tree
  rect(462, 250, 478, 340, [110, 76, 48]),
  circle(470, 225, 42, [52, 120, 58]),
  circle(446, 246, 28, [60, 132, 64]),
  circle(494, 244, 30, [56, 126, 60]),
  // car
  rect(300, 405, 470, 445, [200, 36, 40]),
  triangle([330, 406], [350, 378], [350, 406], [200, 36, 40]),
  rect(350, 378, 420, 406, [200, 36, 40]),
  triangle([420, 378], [445, 406], [420, 406], [200, 36, 40]),
  rect(356, 383, 384, 403, [180, 215, 240]),
  rect(390, 383, 416, 403, [180, 215, 240]),
  circle(340, 446, 15, [30, 30, 32]),
  circle(435, 446, 15, [30, 30, 32]),
  circle(340, 446, 6, [150, 150, 155]),
  circle(435, 446, 6, [150, 150, 155]),
  // people
  ...person(250, 392, 110, [40, 90, 170], [40, 40, 60]),
  ...person(560, 400, 120, [230, 180, 40], [70, 60, 50]),
];

function sky(y: number): Rgb {
  const t = Math.min(1, y / 300);
  return [110 + 90 * t, 165 + 60 * t, 230 + 20 * t];
}

function colorAt(x: number, y: number): Rgb {
  let color = sky(y);
  for (const shape of SHAPES) color = shape(x, y) ?? color;
  return color;
}

/**
 * Renders the scene at any size (stretched from its 640x480 layout).
 * @returns `height * width * 3` RGB bytes, row-major
 */
export function renderDemoScene(width: number, height: number): Uint8Array {
  const pixels = new Uint8Array(width * height * 3);
  const scaleX = 640 / width;
  const scaleY = 480 / height;
  for (let row = 0; row < height; row++) {
    for (let column = 0; column < width; column++) {
      const sum = [0, 0, 0];
      for (const [dx, dy] of [
        [0.25, 0.25],
        [0.75, 0.25],
        [0.25, 0.75],
        [0.75, 0.75],
      ] as const) {
        const color = colorAt((column + dx) * scaleX, (row + dy) * scaleY);
        for (let c = 0; c < 3; c++) sum[c]! += color[c];
      }
      for (let c = 0; c < 3; c++) pixels[(row * width + column) * 3 + c] = Math.round(sum[c]! / 4);
    }
  }
  return pixels;
}

/** The scene as PNG file bytes. */
export function demoScenePng(width: number, height: number): Uint8Array {
  return encodePng(renderDemoScene(width, height), width, height);
}
