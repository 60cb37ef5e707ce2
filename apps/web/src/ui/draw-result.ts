import type { DetectedInstance } from '@rcnn/core';
import { COCO_PERSON_SKELETON, drawInstances } from '@rcnn/postprocess';

/** What the canvas shows: the decoded image and its detections. */
export interface DrawableResult {
  readonly width: number;
  readonly height: number;
  /** RGBA bytes of the image (not modified). */
  readonly rgba: Uint8ClampedArray;
  readonly instances: readonly DetectedInstance[];
}

/** Sizes the canvas to the image; small images are shown enlarged by a whole factor (crisp pixels). */
function setCanvasSize(canvas: HTMLCanvasElement, width: number, height: number): void {
  canvas.width = width;
  canvas.height = height;
  const zoom = Math.max(1, Math.floor(480 / Math.max(width, height)));
  canvas.style.width = `${width * zoom}px`;
  canvas.style.imageRendering = zoom > 1 ? 'pixelated' : 'auto';
}

/** Instances at or above `threshold`, in the model's order. */
export function visibleInstances(
  instances: readonly DetectedInstance[],
  threshold: number,
): DetectedInstance[] {
  return instances.filter((instance) => instance.score >= threshold);
}

/**
 * Draws the image with masks, boxes, "name score" labels and keypoints (joined by COCO's
 * person skeleton when there are 17) onto `canvas`, resizing it to the image. Only instances
 * scoring at least `threshold` are drawn, so moving the slider redraws without re-running.
 */
export function drawResult(
  canvas: HTMLCanvasElement,
  result: DrawableResult,
  { threshold, labels }: { threshold: number; labels: boolean },
): void {
  const { width, height, rgba } = result;
  const shown = visibleInstances(result.instances, threshold);
  const skeleton = shown.some((instance) => instance.keypoints?.length === 17) ? COCO_PERSON_SKELETON : [];
  const drawn = drawInstances({ width, height, data: rgba }, shown, { skeleton, labels });
  setCanvasSize(canvas, width, height);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('this browser gives no 2D canvas context');
  const pixels = new Uint8ClampedArray(drawn.length);
  pixels.set(drawn);
  context.putImageData(new ImageData(pixels, width, height), 0, 0);
}

/** Shows the plain image (before a detection finishes). */
export function drawImage(canvas: HTMLCanvasElement, image: ImageBitmap): void {
  setCanvasSize(canvas, image.width, image.height);
  canvas.getContext('2d')?.drawImage(image, 0, 0);
}
