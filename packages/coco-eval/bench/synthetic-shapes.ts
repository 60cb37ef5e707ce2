import { type Rle, rleFromPolygon, rleToString } from '../src/index';

export interface ShapeMask {
  polygon: number[];
  polygonArea: number;
  bbox: [number, number, number, number];
  rle: Rle;
  counts: string;
}

/** A wobbly ellipse as a 16-vertex polygon (2 decimals), rasterized with rleFromPolygon. */
export function polygonMask(
  shape: { centerX: number; centerY: number; radiusX: number; radiusY: number; wobble: number[] },
  width: number,
  height: number,
): ShapeMask {
  const polygon: number[] = [];
  shape.wobble.forEach((wobble, v) => {
    const angle = (2 * Math.PI * v) / shape.wobble.length;
    const x = Math.min(width, Math.max(0, shape.centerX + shape.radiusX * wobble * Math.cos(angle)));
    const y = Math.min(height, Math.max(0, shape.centerY + shape.radiusY * wobble * Math.sin(angle)));
    polygon.push(Math.round(x * 100) / 100, Math.round(y * 100) / 100);
  });
  let twiceArea = 0;
  for (let v = 0; v < polygon.length; v += 2) {
    const next = (v + 2) % polygon.length;
    twiceArea += polygon[v] * polygon[next + 1] - polygon[next] * polygon[v + 1];
  }
  const rle = rleFromPolygon(polygon, height, width);
  const xs = polygon.filter((_, i) => i % 2 === 0);
  const ys = polygon.filter((_, i) => i % 2 === 1);
  const x0 = Math.min(...xs);
  const y0 = Math.min(...ys);
  const bbox: [number, number, number, number] = [
    x0,
    y0,
    Math.round((Math.max(...xs) - x0) * 100) / 100,
    Math.round((Math.max(...ys) - y0) * 100) / 100,
  ];
  return { polygon, polygonArea: Math.abs(twiceArea) / 2, bbox, rle, counts: rleToString(rle.counts) };
}

/** Uncompressed counts (a crowd region's RLE form). */
export function encodeCrowdCounts(rle: Rle): number[] {
  return Array.from(rle.counts);
}
