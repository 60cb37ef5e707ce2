import { RcnnError } from '@rcnn/core';

/**
 * COCO category ids mapped to contiguous labels: label `i + 1` is `categoryIds[i]` (0 is
 * background), categories in ascending id order. Saved with every checkpoint.
 */
export interface LabelMap {
  readonly categoryIds: readonly number[];
  readonly names: readonly string[];
}

/** Builds the label map of a dataset's `categories` (ids sorted ascending). */
export function createLabelMap(categories: readonly { id: number; name?: string }[]): LabelMap {
  const sorted = [...categories].sort((a, b) => a.id - b.id);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].id === sorted[i - 1].id) {
      throw new RcnnError('INVALID_ARGUMENT', `category id ${sorted[i].id} appears twice in "categories"`);
    }
  }
  return { categoryIds: sorted.map((c) => c.id), names: sorted.map((c) => c.name ?? String(c.id)) };
}

/** category id -> contiguous label (1..K). */
export function labelsByCategoryId(map: LabelMap): Map<number, number> {
  return new Map(map.categoryIds.map((id, i) => [id, i + 1]));
}
