import { join } from 'node:path';
import { CocoDataset, evaluateCoco, type IouType } from '@rcnn/coco-eval';
import type { GeneralizedRcnn } from '@rcnn/models';
import type { LabelMap, TrainableDetector } from '@rcnn/train';
import type { CliIo } from './command';
import { detectImage } from './detect-image';
import { imageTensor, readImage } from './read-image';

/** What is evaluated for a model: boxes always, masks and keypoints where it predicts them. */
export interface ValidationSet {
  readonly json: string;
  readonly images: string;
  readonly labelMap: LabelMap;
}

/**
 * COCO evaluation of a model in training on a validation set (`rcnn train --val-json --val-images`):
 * every val image through `predict`, detections mapped back to the dataset's category ids, then
 * `@rcnn/coco-eval` (pycocotools' numbers). Returns `bbox/AP`, `bbox/AP50` (and `segm/...`,
 * `keypoints/...` where the detections carry masks or keypoints); 0 when nothing is detected.
 */
export function cocoValidation(io: CliIo, set: ValidationSet, command: string) {
  let groundTruth: CocoDataset | undefined;
  return async (model: TrainableDetector): Promise<Record<string, number>> => {
    groundTruth ??= CocoDataset.fromJson(JSON.parse(await io.readFile(set.json)));
    const detector = model as unknown as GeneralizedRcnn;
    const results: Record<string, unknown>[] = [];
    for (const image of groundTruth.images) {
      const pixels = await readImage(io, join(set.images, String(image.file_name)), command);
      const tensor = imageTensor(pixels);
      try {
        for (const detection of await detectImage(detector, tensor)) {
          const [x1, y1, x2, y2] = detection.boxes as number[];
          const label = detection.labels as number;
          const result: Record<string, unknown> = {
            image_id: image.id,
            category_id: set.labelMap.categoryIds[label - 1],
            bbox: [x1, y1, x2 - x1, y2 - y1],
            score: detection.scores as number,
          };
          if (detection.masks) result.segmentation = detection.masks;
          if (detection.keypoints) result.keypoints = (detection.keypoints as number[][]).flat();
          results.push(result);
        }
      } finally {
        tensor.dispose();
      }
    }
    const metrics: Record<string, number> = {};
    const kinds: IouType[] = ['bbox'];
    if (results.some((r) => r.segmentation)) kinds.push('segm');
    if (results.some((r) => r.keypoints)) kinds.push('keypoints');
    for (const iouType of kinds) {
      const stats =
        results.length === 0
          ? [0, 0]
          : evaluateCoco(
              groundTruth,
              iouType === 'bbox' ? results.map(({ segmentation: _, keypoints: __, ...box }) => box) : results,
              { iouType },
            ).stats;
      metrics[`${iouType}/AP`] = stats[0]!;
      metrics[`${iouType}/AP50`] = stats[1]!;
    }
    return metrics;
  };
}
