import { decodeMask, encodeMask, rleFromJson, rleToJson } from '@rcnn/coco-eval';
import type { CompressedRle, DecodedImage } from '@rcnn/core';
import { DETECTION_FIELD_NAMES, DETECTION_FIELDS } from '@rcnn/models';
import type { PlainDetection } from './plain-detections';

/** `rle` (at the file's size) sampled at the centres of the decoded image's pixels (nearest). */
function shrinkRle(rle: CompressedRle, width: number, height: number): CompressedRle {
  const decoded = rleFromJson(rle);
  const full = decodeMask(decoded, 'column-major');
  const rows = Uint32Array.from({ length: height }, (_, y) =>
    Math.min(decoded.height - 1, Math.floor(((y + 0.5) * decoded.height) / height)),
  );
  const small = new Uint8Array(width * height);
  for (let x = 0; x < width; x++) {
    const column = Math.min(decoded.width - 1, Math.floor(((x + 0.5) * decoded.width) / width));
    const from = column * decoded.height;
    for (let y = 0; y < height; y++) small[x * height + y] = full[from + rows[y]!]!;
  }
  return rleToJson(encodeMask(small, height, width, 'column-major'));
}

/**
 * Detections in the file's pixels (from `detectImage` with `fileSize`) moved back onto the
 * shrunk decode `image`, for drawing on its pixels: boxes and keypoints divided by
 * `scaleX`/`scaleY`, masks sampled down to the decoded size (one full-size mask decoded at a
 * time), other fields kept. Unchanged records when `image` was not shrunk.
 */
export function toDecodedPixels(
  detections: readonly PlainDetection[],
  image: DecodedImage,
): readonly PlainDetection[] {
  const { scaleX, scaleY, width, height } = image;
  if (scaleX === 1 && scaleY === 1) return detections;
  return detections.map((detection) => {
    const shrunk: PlainDetection = { ...detection };
    for (const name of DETECTION_FIELD_NAMES) {
      const value = detection[name];
      if (value === undefined) continue;
      const form = DETECTION_FIELDS[name].plainForm;
      if (form === 'box') {
        const [x1, y1, x2, y2] = value as number[];
        shrunk[name] = [x1! / scaleX, y1! / scaleY, x2! / scaleX, y2! / scaleY];
      } else if (form === 'points') {
        shrunk[name] = (value as number[][]).map(([x, y, v]) => [x! / scaleX, y! / scaleY, v]);
      } else if (form === 'rle') {
        shrunk[name] = shrinkRle(value as CompressedRle, width, height);
      }
    }
    return shrunk;
  });
}
