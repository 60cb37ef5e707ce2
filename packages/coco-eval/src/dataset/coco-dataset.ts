import { CocoFormatError } from '../errors';
import type { Rle } from '../mask/rle';
import { segmentationToRle } from '../mask/segmentation-to-rle';
import type { CocoAnnotation, CocoCategory, CocoImage } from '../types';
import {
  checkArray,
  checkCrowdFlag,
  checkNumber,
  checkNumberList,
  checkObject,
  checkOptionalNumber,
} from './check-fields';
import { loadResultAnnotations, type ResultsKind } from './load-results';

/** Filters of `getAnnotationIds` (pycocotools `getAnnIds`); empty or absent means all. */
export interface AnnotationFilter {
  imageIds?: readonly number[];
  categoryIds?: readonly number[];
  areaRange?: readonly [number, number];
  iscrowd?: boolean;
}

/**
 * A COCO dataset, indexed (pycocotools `COCO`): ground truth from `fromJson`, or
 * detections from `loadResults`. Ids are numbers; lists keep file order. The objects
 * handed in are kept, never mutated.
 */
export class CocoDataset {
  readonly images: readonly CocoImage[];
  readonly annotations: readonly CocoAnnotation[];
  readonly categories: readonly CocoCategory[];
  /** For results: the loadRes branch taken ('bbox', 'segm', 'keypoints'); undefined for ground truth. */
  readonly resultsKind: ResultsKind | undefined;
  private readonly imagesById = new Map<number, CocoImage>();
  private readonly annotationsById = new Map<number, CocoAnnotation>();
  private readonly categoriesById = new Map<number, CocoCategory>();
  private readonly annotationsByImage = new Map<number, CocoAnnotation[]>();
  private readonly masks: Map<CocoAnnotation, Rle>;

  private constructor(
    images: readonly CocoImage[],
    annotations: readonly CocoAnnotation[],
    categories: readonly CocoCategory[],
    resultsKind?: ResultsKind,
    masks = new Map<CocoAnnotation, Rle>(),
  ) {
    this.images = images;
    this.annotations = annotations;
    this.categories = categories;
    this.resultsKind = resultsKind;
    this.masks = masks;
    for (const [i, image] of images.entries()) addUnique(this.imagesById, image.id, image, `images[${i}]`);
    for (const [i, category] of categories.entries()) {
      addUnique(this.categoriesById, category.id, category, `categories[${i}]`);
    }
    annotations.forEach((annotation, i) => {
      addUnique(this.annotationsById, annotation.id, annotation, `annotations[${i}]`);
      const list = this.annotationsByImage.get(annotation.image_id);
      if (list) list.push(annotation);
      else this.annotationsByImage.set(annotation.image_id, [annotation]);
    });
  }

  /**
   * Validates and indexes a ground-truth file's parsed JSON (`images` required,
   * `annotations` and `categories` optional). Checks ids and the types of the fields
   * evaluation reads; polygons and RLE strings are checked when first rasterized.
   * @throws CocoFormatError naming the first bad field, or duplicated ids
   */
  static fromJson(json: unknown): CocoDataset {
    const root = checkObject(json, 'dataset');
    if (root.images === undefined) throw new CocoFormatError('missing "images"', 'dataset');
    const images = checkArray(root.images, 'images').map((value, i) => checkImage(value, `images[${i}]`));
    const annotations = checkArray(root.annotations ?? [], 'annotations').map((value, i) =>
      checkAnnotation(value, `annotations[${i}]`),
    );
    const categories = checkArray(root.categories ?? [], 'categories').map((value, i) => {
      const category = checkObject(value, `categories[${i}]`);
      checkNumber(category, 'id', `categories[${i}]`);
      return category as CocoCategory;
    });
    return new CocoDataset(images, annotations, categories);
  }

  /**
   * Loads detections against this ground truth (pycocotools `COCO.loadRes`): see
   * `loadResultAnnotations` for the derived `id`, `area`, `bbox`, `segmentation`.
   * @param results the parsed results list
   * @throws CocoFormatError on malformed results or image ids not in this dataset
   */
  loadResults(results: unknown): CocoDataset {
    const loaded = loadResultAnnotations(results, new Set(this.imagesById.keys()), this.imagesById);
    return new CocoDataset(
      this.images,
      loaded.annotations,
      this.categories,
      loaded.kind,
      loaded.decodedMasks,
    );
  }

  /**
   * Image ids in file order (pycocotools `getImgIds()`); with categories, only the
   * images that hold an annotation of every one of them (as pycocotools intersects).
   */
  getImageIds(filter: { categoryIds?: readonly number[] } = {}): number[] {
    const ids = this.images.map((image) => image.id);
    if (!filter.categoryIds?.length) return ids;
    return ids.filter((id) => {
      const present = new Set(this.annotationsOfImage(id).map((annotation) => annotation.category_id));
      return filter.categoryIds!.every((categoryId) => present.has(categoryId));
    });
  }

  /** Category ids in file order (pycocotools `getCatIds()`). */
  getCategoryIds(): number[] {
    return this.categories.map((category) => category.id);
  }

  /** Annotation ids matching every given filter, in pycocotools `getAnnIds` order. */
  getAnnotationIds(filter: AnnotationFilter = {}): number[] {
    let list: readonly CocoAnnotation[] = this.annotations;
    if (filter.imageIds?.length) {
      list = filter.imageIds.flatMap((id) => this.annotationsByImage.get(id) ?? []);
    }
    if (filter.categoryIds?.length) {
      const categories = new Set(filter.categoryIds);
      list = list.filter((annotation) => categories.has(annotation.category_id));
    }
    if (filter.areaRange) {
      const [low, high] = filter.areaRange;
      list = list.filter(
        (annotation) => (annotation.area ?? Number.NaN) > low && (annotation.area ?? Number.NaN) < high,
      );
    }
    if (filter.iscrowd !== undefined)
      list = list.filter((annotation) => Boolean(annotation.iscrowd) === filter.iscrowd);
    return list.map((annotation) => annotation.id);
  }

  /** The annotations of these ids (pycocotools `loadAnns`). */
  loadAnnotations(ids: readonly number[]): CocoAnnotation[] {
    return ids.map((id) => {
      const annotation = this.annotationsById.get(id);
      if (!annotation) throw new CocoFormatError(`no annotation with id ${id}`);
      return annotation;
    });
  }

  image(id: number): CocoImage | undefined {
    return this.imagesById.get(id);
  }

  category(id: number): CocoCategory | undefined {
    return this.categoriesById.get(id);
  }

  /** Annotations of one image in file order (pycocotools `imgToAnns[id]`). */
  annotationsOfImage(imageId: number): readonly CocoAnnotation[] {
    return this.annotationsByImage.get(imageId) ?? [];
  }

  /** The mask decoded when the annotation was loaded (segm results), if any; shared, do not modify. */
  decodedMask(annotation: CocoAnnotation): Rle | undefined {
    return this.masks.get(annotation);
  }

  /**
   * The annotation's mask (pycocotools `annToRLE`), rasterized at its image's size and
   * cached. The returned RLE is shared: do not modify its counts.
   * @throws CocoFormatError on a missing or invalid segmentation
   */
  annotationToRle(annotation: CocoAnnotation, path = `annotation ${annotation.id}`): Rle {
    const cached = this.masks.get(annotation);
    if (cached) return cached;
    if (annotation.segmentation === undefined) throw new CocoFormatError('missing "segmentation"', path);
    const image = this.imagesById.get(annotation.image_id);
    const rle = segmentationToRle(
      annotation.segmentation,
      image?.height,
      image?.width,
      `${path}.segmentation`,
    );
    this.masks.set(annotation, rle);
    return rle;
  }
}

function addUnique<T>(map: Map<number, T>, id: number, value: T, path: string): void {
  if (map.has(id)) throw new CocoFormatError(`duplicate id ${id}`, path);
  map.set(id, value);
}

function checkImage(value: unknown, path: string): CocoImage {
  const image = checkObject(value, path);
  checkNumber(image, 'id', path);
  for (const field of ['height', 'width']) {
    const size = checkOptionalNumber(image, field, path);
    if (size !== undefined && !(Number.isInteger(size) && size > 0)) {
      throw new CocoFormatError(`"${field}" must be a positive integer, got ${size}`, path);
    }
  }
  return image as CocoImage;
}

function checkAnnotation(value: unknown, path: string): CocoAnnotation {
  const annotation = checkObject(value, path);
  for (const field of ['id', 'image_id', 'category_id']) checkNumber(annotation, field, path);
  if (annotation.bbox !== undefined) checkNumberList(annotation.bbox, `${path}.bbox`, { length: 4 });
  checkOptionalNumber(annotation, 'area', path);
  checkOptionalNumber(annotation, 'num_keypoints', path);
  checkCrowdFlag(annotation, path);
  if (annotation.keypoints !== undefined)
    checkNumberList(annotation.keypoints, `${path}.keypoints`, { multipleOf: 3 });
  const segmentation = annotation.segmentation;
  if (segmentation !== undefined && (typeof segmentation !== 'object' || segmentation === null)) {
    throw new CocoFormatError('"segmentation" must be a polygon list or an RLE object', path);
  }
  return annotation as CocoAnnotation;
}
