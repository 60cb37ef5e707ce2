/** An RGBA8 image being drawn on: `data[(y * width + x) * 4 + channel]`. */
export interface RgbaCanvas {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** A colour as 0..255 red, green, blue. */
export type Rgb = readonly [red: number, green: number, blue: number];

/** Mixes `color` into pixel (x, y) with opacity `alpha` (0..1); pixels outside the canvas are ignored. */
export function blendPixel(canvas: RgbaCanvas, x: number, y: number, color: Rgb, alpha = 1): void {
  if (x < 0 || y < 0 || x >= canvas.width || y >= canvas.height) return;
  const at = (y * canvas.width + x) * 4;
  const { data } = canvas;
  for (let channel = 0; channel < 3; channel++) {
    data[at + channel] = Math.round(data[at + channel]! * (1 - alpha) + color[channel]! * alpha);
  }
  data[at + 3] = 255;
}

/** Fills the pixels with x in [x0, x1) and y in [y0, y1) (integer pixel coordinates, clipped). */
export function fillRect(
  canvas: RgbaCanvas,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  color: Rgb,
  alpha = 1,
): void {
  const left = Math.max(0, Math.floor(x0));
  const top = Math.max(0, Math.floor(y0));
  const right = Math.min(canvas.width, Math.floor(x1));
  const bottom = Math.min(canvas.height, Math.floor(y1));
  for (let y = top; y < bottom; y++)
    for (let x = left; x < right; x++) blendPixel(canvas, x, y, color, alpha);
}

/** Outlines the box [x1, y1, x2, y2] (pixel edges, as box coordinates are) with lines `thickness` pixels wide, inside the box. */
export function strokeRect(
  canvas: RgbaCanvas,
  box: readonly [number, number, number, number],
  color: Rgb,
  thickness: number,
): void {
  const [x1, y1, x2, y2] = box.map(Math.round) as [number, number, number, number];
  fillRect(canvas, x1, y1, x2, y1 + thickness, color);
  fillRect(canvas, x1, y2 - thickness, x2, y2, color);
  fillRect(canvas, x1, y1, x1 + thickness, y2, color);
  fillRect(canvas, x2 - thickness, y1, x2, y2, color);
}

/** A filled disc of `radius` pixels centred on (x, y) in continuous coordinates (pixel centres at +0.5). */
export function fillCircle(canvas: RgbaCanvas, x: number, y: number, radius: number, color: Rgb): void {
  const limit = radius * radius;
  for (let py = Math.floor(y - radius); py <= Math.ceil(y + radius); py++) {
    for (let px = Math.floor(x - radius); px <= Math.ceil(x + radius); px++) {
      const dx = px + 0.5 - x;
      const dy = py + 0.5 - y;
      if (dx * dx + dy * dy <= limit) blendPixel(canvas, px, py, color);
    }
  }
}

/** A line from (xa, ya) to (xb, yb) about `thickness` pixels wide: discs stamped every half pixel along it. */
export function drawLine(
  canvas: RgbaCanvas,
  xa: number,
  ya: number,
  xb: number,
  yb: number,
  color: Rgb,
  thickness: number,
): void {
  const length = Math.hypot(xb - xa, yb - ya);
  const steps = Math.max(1, Math.ceil(length * 2));
  const radius = Math.max(0.5, thickness / 2);
  for (let step = 0; step <= steps; step++) {
    const t = step / steps;
    fillCircle(canvas, xa + (xb - xa) * t, ya + (yb - ya) * t, radius, color);
  }
}
