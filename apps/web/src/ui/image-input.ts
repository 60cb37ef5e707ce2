import { detectImageFormat } from '@rcnn/core';
import type { ImagePayload } from '../protocol';

/** An image the user gave, named for the downloads. */
export interface PickedImage {
  readonly name: string;
  readonly blob: Blob;
}

/**
 * Calls `onImage` for an image chosen in `fileInput`, dropped anywhere on `dropTarget`, or
 * pasted (Ctrl+V) into the page.
 */
export function listenForImages(
  fileInput: HTMLInputElement,
  dropTarget: HTMLElement,
  onImage: (image: PickedImage) => void,
): void {
  const firstImage = (files: FileList | null | undefined): File | undefined =>
    Array.from(files ?? []).find((file) => file.type.startsWith('image/') || file.type === '');
  fileInput.addEventListener('change', () => {
    const file = firstImage(fileInput.files);
    if (file) onImage({ name: file.name, blob: file });
    fileInput.value = '';
  });
  dropTarget.addEventListener('dragover', (event) => {
    event.preventDefault();
    dropTarget.classList.add('dragging');
  });
  dropTarget.addEventListener('dragleave', () => dropTarget.classList.remove('dragging'));
  dropTarget.addEventListener('drop', (event) => {
    event.preventDefault();
    dropTarget.classList.remove('dragging');
    const file = firstImage(event.dataTransfer?.files);
    if (file) onImage({ name: file.name, blob: file });
  });
  document.addEventListener('paste', (event) => {
    const file = firstImage(event.clipboardData?.files);
    if (file) onImage({ name: file.name || 'pasted.png', blob: file });
  });
}

/**
 * PNG and JPEG go to the worker as bytes and are decoded there by @rcnn/core (the same
 * pixels as in Node); other formats (WebP, GIF, BMP, ...) are decoded by the browser here.
 */
export async function toImagePayload(image: PickedImage): Promise<ImagePayload> {
  const bytes = await image.blob.arrayBuffer();
  const format = detectImageFormat(new Uint8Array(bytes));
  if (format === 'png' || format === 'jpeg') return { kind: 'encoded', bytes };
  const bitmap = await createImageBitmap(image.blob);
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('this browser gives no 2D canvas context');
    context.drawImage(bitmap, 0, 0);
    const { width, height, data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
    return { kind: 'rgba', width, height, data };
  } finally {
    bitmap.close();
  }
}
