import { type DetectedInstance, ensure, measureText } from '@rcnn/core';
import { decodeRleRowMajor } from '../masks/coco-rle';
import { drawText } from './draw-text';
import { placeLabels } from './label-placement';
import { drawLine, fillCircle, fillRect, type Rgb, type RgbaCanvas, strokeRect } from './rgba-canvas';

/** An 8-bit image in memory: `width * height` pixels of RGB (3 bytes) or RGBA (4 bytes), row-major. */
export interface RasterImage {
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
}

/** Options of {@link drawInstances}. */
export interface DrawInstancesOptions {
  /** Names indexed by label, used when an instance has no `categoryName`. */
  readonly categoryNames?: readonly string[];
  /** Keypoint index pairs (0-based) joined by lines, e.g. {@link COCO_PERSON_SKELETON}. */
  readonly skeleton?: readonly (readonly [number, number])[];
  /** Instances scoring below this are not drawn (default 0: all). */
  readonly scoreThreshold?: number;
  /** Keypoints scoring below this are not drawn (default: all; keypoint R-CNN scores are logits). */
  readonly keypointThreshold?: number;
  /** Opacity of the mask overlay (0.5). */
  readonly maskAlpha?: number;
  /** Box and skeleton line width in pixels (default grows with the image: 2 up to 600 px). */
  readonly lineWidth?: number;
  /** Integer size of a font pixel (default grows with the image: 1 below 600 px, 2 from 600 px). */
  readonly fontScale?: number;
  /** Draw the "name score" labels (true). */
  readonly labels?: boolean;
}

/**
 * Draws detections onto a copy of an image, in pure JavaScript: per-instance colours,
 * masks blended at `maskAlpha`, box outlines, keypoints with their skeleton, and a
 * "name 0.97" label per box in this package's 5x7 bitmap font.
 * Encode the result with @rcnn/core's `encodePng` to write a PNG.
 *
 * @param image RGB or RGBA bytes (not modified)
 * @param instances detections in the image's pixels (see {@link toDetectedInstances});
 *   masks must be COCO RLEs of the image's size
 * @returns a new RGBA buffer of `width * height * 4` bytes
 */
export function drawInstances(
  image: RasterImage,
  instances: readonly DetectedInstance[],
  options: DrawInstancesOptions = {},
): Uint8Array {
  const { width, height, data } = image;
  ensure(
    Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0,
    'INVALID_IMAGE',
    () => `image size must be positive integers, got ${width}x${height}`,
  );
  const channels = data.length / (width * height);
  ensure(
    channels === 3 || channels === 4,
    'INVALID_IMAGE',
    () => `image data has ${data.length} bytes: expected ${width}x${height} RGB (x3) or RGBA (x4)`,
  );
  const canvas: RgbaCanvas = { data: toRgba(data, channels), width, height };
  const shortSide = Math.min(width, height);
  const {
    categoryNames,
    skeleton = [],
    scoreThreshold = 0,
    keypointThreshold = Number.NEGATIVE_INFINITY,
    maskAlpha = 0.5,
    lineWidth = Math.max(2, Math.round(shortSide / 300)),
    fontScale = Math.max(1, Math.round(shortSide / 400)),
    labels = true,
  } = options;
  const shown = instances
    .map((instance, index) => ({ instance, color: instanceColor(index) }))
    .filter(({ instance }) => instance.score >= scoreThreshold);
  for (const { instance, color } of shown) {
    if (instance.mask) drawMask(canvas, decodeMask(instance.mask, width, height), color, maskAlpha);
  }
  for (const { instance, color } of shown) {
    strokeRect(canvas, instance.box, color, lineWidth);
    if (instance.keypoints)
      drawKeypoints(canvas, instance.keypoints, skeleton, keypointThreshold, color, lineWidth);
  }
  if (labels) drawLabels(canvas, shown, categoryNames, fontScale);
  return canvas.data;
}

function toRgba(data: Uint8Array | Uint8ClampedArray, channels: number): Uint8Array {
  if (channels === 4) return Uint8Array.from(data);
  const out = new Uint8Array((data.length / 3) * 4);
  for (let source = 0, target = 0; source < data.length; source += 3, target += 4) {
    out[target] = data[source]!;
    out[target + 1] = data[source + 1]!;
    out[target + 2] = data[source + 2]!;
    out[target + 3] = 255;
  }
  return out;
}

function decodeMask(mask: NonNullable<DetectedInstance['mask']>, width: number, height: number): Uint8Array {
  ensure(
    mask.size[0] === height && mask.size[1] === width,
    'INVALID_ARGUMENT',
    () => `a mask is ${mask.size[0]}x${mask.size[1]} but the image is ${height}x${width}`,
  );
  return decodeRleRowMajor(mask);
}

function drawMask(canvas: RgbaCanvas, mask: Uint8Array, color: Rgb, alpha: number): void {
  const { data } = canvas;
  for (let pixel = 0; pixel < mask.length; pixel++) {
    if (!mask[pixel]) continue;
    const at = pixel * 4;
    for (let channel = 0; channel < 3; channel++) {
      data[at + channel] = Math.round(data[at + channel]! * (1 - alpha) + color[channel]! * alpha);
    }
  }
}

function drawKeypoints(
  canvas: RgbaCanvas,
  keypoints: readonly (readonly [number, number, number])[],
  skeleton: readonly (readonly [number, number])[],
  threshold: number,
  color: Rgb,
  lineWidth: number,
): void {
  const visible = (index: number) => keypoints[index] !== undefined && keypoints[index]![2] >= threshold;
  for (const [from, to] of skeleton) {
    if (!visible(from) || !visible(to)) continue;
    const [xa, ya] = keypoints[from]!;
    const [xb, yb] = keypoints[to]!;
    drawLine(canvas, xa, ya, xb, yb, color, lineWidth);
  }
  const radius = lineWidth + 1;
  keypoints.forEach(([x, y], index) => {
    if (!visible(index)) return;
    fillCircle(canvas, x, y, radius + 1, [0, 0, 0]);
    fillCircle(canvas, x, y, radius, color);
  });
}

/** "name 0.97" per instance, best scores placed first so theirs sit right above their boxes. */
function drawLabels(
  canvas: RgbaCanvas,
  shown: readonly { readonly instance: DetectedInstance; readonly color: Rgb }[],
  categoryNames: readonly string[] | undefined,
  scale: number,
): void {
  const padding = scale;
  const ranked = [...shown].sort((a, b) => b.instance.score - a.instance.score);
  const texts = ranked.map(({ instance }) => {
    const name = instance.categoryName ?? categoryNames?.[instance.label] ?? String(instance.label);
    return `${name} ${instance.score.toFixed(2)}`;
  });
  const sizes = texts.map((text) => {
    const size = measureText(text, scale);
    return { width: size.width + 2 * padding, height: size.height + 2 * padding };
  });
  const rects = placeLabels(
    ranked.map(({ instance }) => instance.box),
    sizes,
    canvas,
  );
  ranked.forEach(({ color }, index) => {
    const { left, top, right, bottom } = rects[index]!;
    fillRect(canvas, left, top, right, bottom, color);
    const luminance = 0.299 * color[0] + 0.587 * color[1] + 0.114 * color[2];
    drawText(
      canvas,
      texts[index]!,
      left + padding,
      top + padding,
      luminance > 140 ? [0, 0, 0] : [255, 255, 255],
      scale,
    );
  });
}

/** Distinct, stable colours: hues a golden-ratio turn apart, fairly saturated and bright. */
export function instanceColor(index: number): Rgb {
  const hue = (index * 0.618033988749895 + 0.12) % 1;
  const saturation = 0.75;
  const value = 0.95;
  const sector = Math.floor(hue * 6);
  const fraction = hue * 6 - sector;
  const p = value * (1 - saturation);
  const q = value * (1 - fraction * saturation);
  const t = value * (1 - (1 - fraction) * saturation);
  const rgb = [
    [value, t, p],
    [q, value, p],
    [p, value, t],
    [p, q, value],
    [t, p, value],
    [value, p, q],
  ][sector % 6]!;
  return rgb.map((channel) => Math.round(channel * 255)) as unknown as Rgb;
}
