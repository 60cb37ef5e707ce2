import { decodeMask, encodeMask, rleFromJson, rleToJson } from '@rcnn/coco-eval';
import type { CompressedRle } from '@rcnn/core';

/**
 * The seam to @rcnn/coco-eval's mask codec (maskApi.c semantics), so RLE is written once
 * in the repository. Masks here are column-major bytes, COCO's own order.
 */
export function encodeColumnMajorMask(mask: Uint8Array, height: number, width: number): CompressedRle {
  return rleToJson(encodeMask(mask, height, width, 'column-major'));
}

/** Expands a compressed COCO RLE to a row-major `height * width` 0/1 byte mask. */
export function decodeRleRowMajor(rle: CompressedRle): Uint8Array {
  return decodeMask(rleFromJson(rle), 'row-major');
}
