/** A label's rectangle in integer pixels: x in [left, right), y in [top, bottom). */
export interface LabelRect {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

/**
 * Places one label per box so that labels do not cover each other: each label tries, in
 * order, above its box, inside its top edge, below its box and inside its bottom edge, and
 * takes the first spot free of the labels placed before it; when every spot is taken it
 * slides down from above its box to the first free row, and only when none exists does it
 * take the spot it overlaps least. Place the most important labels (highest scores) first.
 *
 * @param boxes `[x1, y1, x2, y2]` per label, in pixels
 * @param sizes the label's `{ width, height }` in pixels, padding included
 * @returns one rectangle per box, clipped to the canvas
 */
export function placeLabels(
  boxes: readonly (readonly [number, number, number, number])[],
  sizes: readonly { readonly width: number; readonly height: number }[],
  canvas: { readonly width: number; readonly height: number },
): LabelRect[] {
  const placed: LabelRect[] = [];
  boxes.forEach((box, index) => {
    const { width, height } = sizes[index]!;
    const at = (x: number, y: number): LabelRect => {
      const left = clamp(Math.round(x), 0, canvas.width - width);
      const top = clamp(Math.round(y), 0, canvas.height - height);
      return { left, top, right: left + width, bottom: top + height };
    };
    const [x1, y1, , y2] = box;
    // Outside spots only where they fit; inside spots always (clipped).
    const spots = [
      ...(y1 - height >= 0 ? [at(x1, y1 - height)] : []),
      at(x1, y1),
      ...(y2 + height <= canvas.height ? [at(x1, y2)] : []),
      at(x1, y2 - height),
    ];
    const free = (rect: LabelRect) => placed.every((other) => overlap(rect, other) === 0);
    let chosen = spots.find(free);
    for (let top = spots[0]!.top; !chosen && top + height <= canvas.height; top++) {
      const slid = at(x1, top);
      if (free(slid)) chosen = slid;
    }
    chosen ??= spots.reduce((best, spot) =>
      coveredArea(spot, placed) < coveredArea(best, placed) ? spot : best,
    );
    placed.push(chosen);
  });
  return placed;
}

function clamp(value: number, low: number, high: number): number {
  return Math.max(low, Math.min(value, Math.max(low, high)));
}

function overlap(a: LabelRect, b: LabelRect): number {
  const width = Math.min(a.right, b.right) - Math.max(a.left, b.left);
  const height = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
  return width > 0 && height > 0 ? width * height : 0;
}

function coveredArea(rect: LabelRect, placed: readonly LabelRect[]): number {
  return placed.reduce((sum, other) => sum + overlap(rect, other), 0);
}
