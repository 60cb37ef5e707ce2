import type { SeededRandom } from './random';
import { type Fill, randomFill, shadePixel, shadeSpan } from './style';

/** Fills a background may use: every kind, objects and background share the vocabulary. */
const BACKGROUND_KINDS = ['solid', 'linear', 'linear', 'radial', 'stripes', 'blocks', 'speckle'] as const;

/**
 * Paints the background of a `width` x `height` RGB image: a gradient or texture over the
 * whole image, then `clutter` things that are not objects (thin lines, zigzags and rods:
 * capsules whose shape is none of the classes), which objects drawn later may cover.
 * @returns the background fill (objects pick colours that stand out from it)
 */
export function paintBackground(
  random: SeededRandom,
  pixels: Uint8Array,
  width: number,
  height: number,
  clutter: number,
): Fill {
  const extent = Math.max(width, height) / 2;
  const fill = randomFill(random, BACKGROUND_KINDS, width / 2, height / 2, extent, [0, 0.6], [0.15, 0.95]);
  if (fill.kind === 'stripes' || fill.kind === 'blocks') {
    // Keep background patterns low-contrast so they do not compete with the objects.
    fill.to = fill.from.map((c, i) => c + (fill.to[i] - c) * 0.35) as Fill['to'];
  }
  for (let y = 0; y < height; y++) shadeSpan(fill, y, 0, width - 1, pixels, y * width * 3);
  for (let i = 0; i < clutter; i++) paintClutter(random, pixels, width, height);
  return fill;
}

/** One piece of clutter: a polyline of 1 to 4 capsule segments. */
function paintClutter(random: SeededRandom, pixels: Uint8Array, width: number, height: number): void {
  const kind = random.pick(['line', 'zigzag', 'rod'] as const);
  const fill = randomFill(
    random,
    ['solid', 'speckle', 'linear'],
    width / 2,
    height / 2,
    20,
    [0, 1],
    [0.1, 1],
  );
  const thickness = kind === 'rod' ? random.uniform(3, 8) : random.uniform(1, 3);
  const segments = kind === 'zigzag' ? random.integer(2, 4) : 1;
  const length =
    kind === 'rod' ? random.uniform(3, 6) * thickness : random.uniform(15, Math.max(width, height) / 2);
  let x = random.uniform(0, width);
  let y = random.uniform(0, height);
  let angle = random.uniform(0, 2 * Math.PI);
  for (let s = 0; s < segments; s++) {
    const nextX = x + Math.cos(angle) * length;
    const nextY = y + Math.sin(angle) * length;
    paintCapsule(fill, pixels, width, height, [x, y, nextX, nextY], thickness / 2);
    x = nextX;
    y = nextY;
    angle += random.pick([-1, 1]) * random.uniform(1.8, 2.6);
  }
}

/** Paints every pixel whose centre is within `halfWidth` of the segment [x1, y1, x2, y2]. */
function paintCapsule(
  fill: Fill,
  pixels: Uint8Array,
  width: number,
  height: number,
  [x1, y1, x2, y2]: [number, number, number, number],
  halfWidth: number,
): void {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const length2 = dx * dx + dy * dy || 1;
  const limit = halfWidth * halfWidth;
  const xStart = Math.max(0, Math.floor(Math.min(x1, x2) - halfWidth));
  const xEnd = Math.min(width - 1, Math.ceil(Math.max(x1, x2) + halfWidth));
  const yStart = Math.max(0, Math.floor(Math.min(y1, y2) - halfWidth));
  const yEnd = Math.min(height - 1, Math.ceil(Math.max(y1, y2) + halfWidth));
  for (let y = yStart; y <= yEnd; y++) {
    for (let x = xStart; x <= xEnd; x++) {
      const px = x + 0.5 - x1;
      const py = y + 0.5 - y1;
      const t = Math.min(1, Math.max(0, (px * dx + py * dy) / length2));
      const ex = px - t * dx;
      const ey = py - t * dy;
      if (ex * ex + ey * ey <= limit) shadePixel(fill, x, y, pixels, (y * width + x) * 3);
    }
  }
}
