import type { CocoCategory } from '@rcnn/coco-eval';

/** The object classes, by shape. Category ids are 1-based in this order (0 is background). */
export const SHAPE_NAMES = ['disc', 'square', 'triangle', 'star', 'ring', 'cross'] as const;

/** One of the six shape classes. */
export type ShapeName = (typeof SHAPE_NAMES)[number];

/** COCO category id of a shape (1 = disc ... 6 = cross). */
export function categoryIdOf(shape: ShapeName): number {
  return SHAPE_NAMES.indexOf(shape) + 1;
}

/**
 * Keypoints of the `star` class, in this order: the five tips clockwise from the top, named
 * by where they point while the star stands upright (it is rotated at most +-20 degrees, so
 * the names stay unambiguous), then its centre. Sided names start with `left_`/`right_` as
 * COCO's do (`left_eye`), so flip maps derived from names agree with `STAR_KEYPOINT_FLIP_MAP`.
 */
export const STAR_KEYPOINT_NAMES = [
  'top',
  'right_upper',
  'right_lower',
  'left_lower',
  'left_upper',
  'center',
] as const;

/**
 * For a horizontally flipped image, keypoint `i` becomes keypoint `STAR_KEYPOINT_FLIP_MAP[i]`
 * (torchvision's `flip_inds` / detectron2's `keypoint_flip_map`): left and right tips swap,
 * `top` and `center` stay.
 */
export const STAR_KEYPOINT_FLIP_MAP: readonly number[] = [0, 4, 3, 2, 1, 5];

/** Skeleton as COCO writes it: 1-based keypoint pairs, the centre joined to each tip. */
export const STAR_SKELETON: readonly [number, number][] = [
  [6, 1],
  [6, 2],
  [6, 3],
  [6, 4],
  [6, 5],
];

/**
 * Suggested OKS sigmas for evaluating star keypoints (`kptOksSigmas` of coco-eval; COCO's
 * own 17 are for people): tips and centre are sharp corners, like COCO's eyes (0.025) to
 * hips (0.107); 0.05 sits between.
 */
export const STAR_KEYPOINT_SIGMAS: readonly number[] = [0.05, 0.05, 0.05, 0.05, 0.05, 0.05];

/** The categories of every synthetic dataset, as written to `instances.json`. */
export function synthCategories(): CocoCategory[] {
  return SHAPE_NAMES.map((name) => ({
    id: categoryIdOf(name),
    name,
    supercategory: 'shape',
    ...(name === 'star'
      ? { keypoints: [...STAR_KEYPOINT_NAMES], skeleton: STAR_SKELETON.map((p) => [...p]) }
      : {}),
  })) as CocoCategory[];
}
