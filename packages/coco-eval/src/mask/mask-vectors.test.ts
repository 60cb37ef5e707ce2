import { describe, expect, it } from 'vitest';
import { readFixture } from '../../test/read-fixture';
import {
  bboxIou,
  createRle,
  decodeMask,
  encodeMask,
  mergeRles,
  type Rle,
  rleArea,
  rleFromBbox,
  rleFromPolygon,
  rleFromString,
  rleIou,
  rleToBbox,
  rleToString,
  segmentationToRle,
} from './index';

interface Vectors {
  polygons: {
    name: string;
    h: number;
    w: number;
    polygons: number[][];
    per_polygon: { counts: string; area: number; toBbox: number[] }[];
    merged: { counts: string; area: number; toBbox: number[] };
  }[];
  bboxes: { h: number; w: number; bbox: number[]; counts: string; area: number; toBbox: number[] }[];
  uncompressed: {
    h: number;
    w: number;
    uncompressed_counts: number[];
    counts: string;
    area: number;
    toBbox: number[];
  }[];
  masks: {
    name: string;
    h: number;
    w: number;
    mask: number[][];
    counts: string;
    uncompressed_counts: number[];
    area: number;
    toBbox: number[];
  }[];
  iou_pairs: { name: string; h: number; w: number; dt: string; gt: string; iou: number; iou_crowd: number }[];
  bbox_iou_pairs: { dt: number[]; gt: number[]; iou: number; iou_crowd: number }[];
  merge_pairs: {
    name: string;
    h: number;
    w: number;
    a: string;
    b: string;
    intersection: string;
    union: string;
    area_intersection: number;
    area_union: number;
  }[];
  masks_large: {
    h: number;
    w: number;
    rects_on: number[][];
    rects_off: number[][];
    counts: string;
    area: number;
    toBbox: number[];
  }[];
  iou_matrix: { h: number; w: number; dt: string[]; gt: string[]; iscrowd: number[]; iou: number[][] };
}

const vectors = readFixture<Vectors>('rle-vectors.json');
const fromString = (counts: string, h: number, w: number): Rle => createRle(h, w, rleFromString(counts));

describe('mask ops match pycocotools rle-vectors.json exactly', () => {
  it.each(vectors.polygons.map((c) => [c.name, c] as const))('rleFromPolygon: %s', (_, c) => {
    c.polygons.forEach((polygon, i) => {
      const rle = rleFromPolygon(polygon, c.h, c.w);
      expect(rleToString(rle.counts)).toBe(c.per_polygon[i].counts);
      expect(rleArea(rle)).toBe(c.per_polygon[i].area);
      expect(rleToBbox(rle)).toEqual(c.per_polygon[i].toBbox);
    });
    const merged = segmentationToRle(c.polygons, c.h, c.w);
    expect(rleToString(merged.counts)).toBe(c.merged.counts);
    expect(rleArea(merged)).toBe(c.merged.area);
    expect(rleToBbox(merged)).toEqual(c.merged.toBbox);
  });

  it('rleFromBbox', () => {
    for (const c of vectors.bboxes) {
      const rle = rleFromBbox(c.bbox, c.h, c.w);
      expect(rleToString(rle.counts)).toBe(c.counts);
      expect(rleArea(rle)).toBe(c.area);
      expect(rleToBbox(rle)).toEqual(c.toBbox);
    }
  });

  it('uncompressed RLE -> string, area, toBbox', () => {
    for (const c of vectors.uncompressed) {
      const rle = segmentationToRle({ size: [c.h, c.w], counts: c.uncompressed_counts }, 1, 1);
      expect(rleToString(rle.counts)).toBe(c.counts);
      expect(Array.from(rleFromString(c.counts))).toEqual(c.uncompressed_counts);
      expect(rleArea(rle)).toBe(c.area);
      expect(rleToBbox(rle)).toEqual(c.toBbox);
    }
  });

  it.each(vectors.masks.map((c) => [c.name, c] as const))('encode/decode: %s', (_, c) => {
    const rowMajor = c.mask.flat();
    const rle = encodeMask(rowMajor, c.h, c.w);
    expect(Array.from(rle.counts)).toEqual(c.uncompressed_counts);
    expect(rleToString(rle.counts)).toBe(c.counts);
    expect(rleArea(rle)).toBe(c.area);
    expect(rleToBbox(rle)).toEqual(c.toBbox);
    expect(Array.from(decodeMask(fromString(c.counts, c.h, c.w)))).toEqual(rowMajor);
    const columnMajor = decodeMask(rle, 'column-major');
    expect(Array.from(encodeMask(columnMajor, c.h, c.w, 'column-major').counts)).toEqual(
      c.uncompressed_counts,
    );
  });

  it('large mask (big counts, negative deltas)', () => {
    for (const c of vectors.masks_large) {
      const mask = new Uint8Array(c.h * c.w);
      const paint = (rects: number[][], value: number) => {
        for (const [y0, y1, x0, x1] of rects) {
          for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) mask[y * c.w + x] = value;
        }
      };
      paint(c.rects_on, 1);
      paint(c.rects_off, 0);
      const rle = encodeMask(mask, c.h, c.w);
      expect(rleToString(rle.counts)).toBe(c.counts);
      expect(rleArea(rle)).toBe(c.area);
      expect(rleToBbox(rle)).toEqual(c.toBbox);
      expect(Array.from(rleFromString(c.counts))).toEqual(Array.from(rle.counts));
    }
  });

  it('rleIou, plain and crowd', () => {
    for (const c of vectors.iou_pairs) {
      const dt = fromString(c.dt, c.h, c.w);
      const gt = fromString(c.gt, c.h, c.w);
      expect(rleIou([dt], [gt], [0])[0]).toBe(c.iou);
      expect(rleIou([dt], [gt], [1])[0]).toBe(c.iou_crowd);
    }
  });

  it('rleIou matrix with mixed crowd flags ([D, G] layout)', () => {
    const m = vectors.iou_matrix;
    const dts = m.dt.map((s) => fromString(s, m.h, m.w));
    const gts = m.gt.map((s) => fromString(s, m.h, m.w));
    const ious = rleIou(dts, gts, m.iscrowd);
    expect(Array.from(ious)).toEqual(m.iou.flat());
  });

  it('bboxIou, plain and crowd', () => {
    for (const c of vectors.bbox_iou_pairs) {
      expect(bboxIou([c.dt], [c.gt], [0])[0]).toBe(c.iou);
      expect(bboxIou([c.dt], [c.gt], [1])[0]).toBe(c.iou_crowd);
    }
  });

  it('merge: union and intersection', () => {
    for (const c of vectors.merge_pairs) {
      const a = fromString(c.a, c.h, c.w);
      const b = fromString(c.b, c.h, c.w);
      const union = mergeRles([a, b]);
      const intersection = mergeRles([a, b], true);
      expect(rleToString(union.counts)).toBe(c.union);
      expect(rleToString(intersection.counts)).toBe(c.intersection);
      expect(rleArea(union)).toBe(c.area_union);
      expect(rleArea(intersection)).toBe(c.area_intersection);
    }
  });
});
