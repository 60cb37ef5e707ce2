import { hashNoise, type SeededRandom } from './random';

/** An RGB colour, 0..255 per channel. */
export type Rgb = [number, number, number];

/** How a region is filled: flat, a gradient (shading), stripes, blocks or speckle noise. */
export type FillKind = 'solid' | 'linear' | 'radial' | 'stripes' | 'blocks' | 'speckle';

/**
 * A fill as a pure function of the pixel position (see `shadePixel`), so any pixel's colour
 * can be recomputed from the annotations' side: colour = mix(from, to, t(x, y)) + noise.
 */
export interface Fill {
  kind: FillKind;
  from: Rgb;
  to: Rgb;
  /** Gradient origin (linear: where t = 0; radial: the highlight), pixels. */
  originX: number;
  originY: number;
  /** Linear: direction / length; stripes: direction / period; radial: 1 / radius. */
  stepX: number;
  stepY: number;
  /** Block side for `blocks`, pixels. */
  cell: number;
  /** Amplitude of per-pixel noise added to every channel (+-noise). */
  noise: number;
  noiseSeed: number;
}

/** HSV (h in [0, 1), s, v in [0, 1]) to RGB 0..255. */
export function hsvToRgb(h: number, s: number, v: number): Rgb {
  const i = Math.floor(h * 6) % 6;
  const f = h * 6 - Math.floor(h * 6);
  const p = v * (1 - s);
  const q = v * (1 - f * s);
  const t = v * (1 - (1 - f) * s);
  const [r, g, b] = [
    [v, t, p],
    [q, v, p],
    [p, v, t],
    [p, q, v],
    [t, p, v],
    [v, p, q],
  ][i];
  return [Math.round(r * 255), Math.round(g * 255), Math.round(b * 255)];
}

/** Euclidean distance of two colours. */
export function colorDistance(a: Rgb, b: Rgb): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

/** The colour halfway between a fill's two colours (what it looks like from afar). */
export function meanColor(fill: Fill): Rgb {
  return [(fill.from[0] + fill.to[0]) / 2, (fill.from[1] + fill.to[1]) / 2, (fill.from[2] + fill.to[2]) / 2];
}

/**
 * Draws a fill for a region centred at (`centerX`, `centerY`) of about `extent` pixels
 * radius: a random colour from hue/saturation/value ranges, a second colour for the
 * gradient or pattern, the kind from `kinds`.
 */
export function randomFill(
  random: SeededRandom,
  kinds: readonly FillKind[],
  centerX: number,
  centerY: number,
  extent: number,
  saturation: [number, number],
  value: [number, number],
): Fill {
  const kind = random.pick(kinds);
  const hue = random.next();
  const s = random.uniform(saturation[0], saturation[1]);
  const v = random.uniform(value[0], value[1]);
  const from = hsvToRgb(hue, s, v);
  // The second colour: same hue family, darker or lighter (shading), or another hue (patterns).
  const pattern = kind === 'stripes' || kind === 'blocks';
  const to = pattern
    ? hsvToRgb(
        (hue + random.uniform(-0.15, 0.15) + 1) % 1,
        s,
        Math.min(1, Math.max(0, v + random.pick([-1, 1]) * random.uniform(0.2, 0.45))),
      )
    : hsvToRgb(hue, s * random.uniform(0.5, 1), Math.min(1, Math.max(0.05, v * random.uniform(0.35, 0.8))));
  const angle = random.uniform(0, 2 * Math.PI);
  const originOffset = kind === 'radial' ? random.uniform(0.2, 0.6) * extent : extent;
  const originX = centerX - Math.cos(angle) * originOffset;
  const originY = centerY - Math.sin(angle) * originOffset;
  let scale = 1 / Math.max(1, 2 * extent); // linear: 0 -> 1 across the region
  if (kind === 'radial') scale = 1 / Math.max(1, extent * random.uniform(1.2, 2));
  if (kind === 'stripes') scale = 1 / random.uniform(3, Math.max(4, Math.min(14, extent / 2)));
  return {
    kind,
    from,
    to,
    originX,
    originY,
    stepX: Math.cos(angle) * scale,
    stepY: Math.sin(angle) * scale,
    cell: random.integer(4, 16),
    // Light sensor-like noise on a third of the other fills (noise costs PNG size and speed).
    noise: kind === 'speckle' ? random.uniform(18, 40) : random.chance(0.35) ? random.uniform(2, 8) : 0,
    noiseSeed: random.seed(),
  };
}

/**
 * Writes the fill's colour at pixel (x, y) into `pixels[offset .. offset + 3)` (RGB bytes).
 * A pure function of (fill, x, y): tests recompute object pixels with it.
 */
export function shadePixel(fill: Fill, x: number, y: number, pixels: Uint8Array, offset: number): void {
  shadeSpan(fill, y, x, x, pixels, offset);
}

/**
 * `shadePixel` for the pixels x0..x1 (inclusive) of row y, written from `offset` on: the
 * fill kind is resolved once per span rather than per pixel.
 */
export function shadeSpan(
  fill: Fill,
  y: number,
  x0: number,
  x1: number,
  pixels: Uint8Array,
  offset: number,
): void {
  const { from, to, noise, noiseSeed, stepX, stepY } = fill;
  const py = y + 0.5 - fill.originY;
  const radialScale = Math.hypot(stepX, stepY);
  const blockSeed = noiseSeed ^ 0x5bd1e995;
  const blockY = Math.floor(y / fill.cell);
  for (let x = x0, o = offset; x <= x1; x++, o += 3) {
    const px = x + 0.5 - fill.originX;
    let t = 0;
    switch (fill.kind) {
      case 'linear':
        t = px * stepX + py * stepY;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        break;
      case 'radial':
        t = Math.min(1, radialScale * Math.sqrt(px * px + py * py));
        break;
      case 'stripes':
        t = Math.floor(px * stepX + py * stepY) & 1;
        break;
      case 'blocks':
        t = hashNoise(blockSeed, Math.floor(x / fill.cell), blockY);
        break;
    }
    const n = noise === 0 ? 0 : (hashNoise(noiseSeed, x, y) * 2 - 1) * noise;
    for (let c = 0; c < 3; c++) {
      const value = from[c] + (to[c] - from[c]) * t + n;
      pixels[o + c] = value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
    }
  }
}
