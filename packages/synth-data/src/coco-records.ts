import type { CocoAnnotation, CocoCategory, CocoImage } from '@rcnn/coco-eval';
import { synthCategories } from './categories';
import type { SyntheticImage } from './generate-image';
import type { ResolvedSyntheticOptions } from './options';

/** File name of an image inside the dataset's `images/` folder: the zero-padded id. */
export function syntheticFileName(imageId: number): string {
  return `${String(imageId).padStart(6, '0')}.png`;
}

/** The COCO `images` entry of a synthetic image. */
export function cocoImageRecord(image: SyntheticImage, imageId: number): CocoImage {
  return { id: imageId, file_name: syntheticFileName(imageId), width: image.width, height: image.height };
}

/**
 * COCO annotations of one image, ids from `firstAnnotationId` up: `bbox` xywh of the
 * visible pixels, `area` their count, `iscrowd` 0, `segmentation` a compressed RLE, and for
 * stars `keypoints` and `num_keypoints` (other classes carry no keypoint fields, as COCO's
 * non-person categories).
 */
export function cocoAnnotationRecords(
  image: SyntheticImage,
  imageId: number,
  firstAnnotationId: number,
): CocoAnnotation[] {
  return image.objects.map((object, k) => ({
    id: firstAnnotationId + k,
    image_id: imageId,
    category_id: object.categoryId,
    bbox: [...object.bbox],
    area: object.area,
    iscrowd: 0,
    segmentation: object.segmentation,
    ...(object.keypoints ? { keypoints: object.keypoints, num_keypoints: object.numKeypoints } : {}),
  }));
}

/** The parts of `instances.json` that are not per image: `info` (the generating options) and `categories`. */
export function cocoDatasetHeader(options: ResolvedSyntheticOptions): {
  info: Record<string, unknown>;
  categories: CocoCategory[];
} {
  return {
    info: {
      description: `@rcnn/synth-data synthetic shapes, ${options.split} split`,
      generator: '@rcnn/synth-data',
      options: { ...options },
    },
    categories: synthCategories(),
  };
}
