/** A compressed COCO RLE as found in JSON: `counts` is maskApi.c's 6-bit string. */
export interface CompressedRle {
  size: [height: number, width: number];
  counts: string;
}

/** An uncompressed COCO RLE (`iscrowd` ground truth): column-major run lengths, zeros first. */
export interface UncompressedRle {
  size: [height: number, width: number];
  counts: number[];
}

/** Polygons `[[x1, y1, x2, y2, ...], ...]` in pixels, or an RLE. */
export type Segmentation = number[][] | CompressedRle | UncompressedRle;

/** An image entry of a COCO dataset. `height`/`width` are needed to rasterize polygons. */
export interface CocoImage {
  id: number;
  height?: number;
  width?: number;
  file_name?: string;
  [key: string]: unknown;
}

/** A category entry; person categories carry `keypoints` names and a `skeleton`. */
export interface CocoCategory {
  id: number;
  name?: string;
  supercategory?: string;
  keypoints?: string[];
  skeleton?: [number, number][];
  [key: string]: unknown;
}

/**
 * A ground-truth annotation, or a loaded result (then `score` is set and `id`, `area`,
 * `iscrowd`, and where missing `bbox`/`segmentation` are derived as `COCO.loadRes` does).
 * `bbox` is `[x, y, width, height]` in pixels.
 */
export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  bbox?: [number, number, number, number];
  area?: number;
  iscrowd?: number | boolean;
  segmentation?: Segmentation;
  keypoints?: number[];
  num_keypoints?: number;
  score?: number;
  [key: string]: unknown;
}

/** A whole COCO ground-truth file. */
export interface CocoDatasetJson {
  images: CocoImage[];
  annotations?: CocoAnnotation[];
  categories?: CocoCategory[];
  [key: string]: unknown;
}

/** One entry of a results file, as `COCO.loadRes` accepts it. */
export interface CocoResult {
  image_id: number;
  category_id: number;
  score: number;
  bbox?: number[];
  segmentation?: Segmentation;
  keypoints?: number[];
  [key: string]: unknown;
}

/** What is evaluated: boxes, masks or keypoints (pycocotools' `iouType`). */
export type IouType = 'bbox' | 'segm' | 'keypoints';
