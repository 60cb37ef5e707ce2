import { forEachTextPixel } from '@rcnn/core';
import { blendPixel, type Rgb, type RgbaCanvas } from './rgba-canvas';

/** Draws `text` in core's 5x7 bitmap font with its top-left corner at (x, y), each font pixel a `scale x scale` square; clipped to the canvas. */
export function drawText(
  canvas: RgbaCanvas,
  text: string,
  x: number,
  y: number,
  color: Rgb,
  scale = 1,
): void {
  forEachTextPixel(text, x, y, scale, (px, py) => blendPixel(canvas, px, py, color));
}
