// Static imports so vite pre-bundles these before the run (a dependency first met in a
// dynamic import makes it re-optimise and reload mid-run); loading backends on demand
// is covered by the Node tests of selectBackend.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultBackendOrder, selectBackend } from '../backend/select-backend';
import { RcnnError } from '../errors/rcnn-error';
import { readSafetensors } from '../weights/safetensors';
import { decodeImage } from './decode-image';
import { encodePng } from './encode-png';
import { imageToTensor } from './image-to-tensor';

// Runs in headless Chromium: proves the main entry works without Node (no Buffer, no
// node: modules) and that DOM sources go through the WebGPU backend's pixel upload.
const fixture = async (name: string) =>
  new Uint8Array(await (await fetch(new URL(`./__fixtures__/${name}`, import.meta.url))).arrayBuffer());

const WIDTH = 5;
const HEIGHT = 3;
const rgba = new Uint8ClampedArray(WIDTH * HEIGHT * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 23) % 256));
const rgb = Array.from(rgba).filter((_, i) => i % 4 !== 3);

function canvasWithPixels(): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = WIDTH;
  canvas.height = HEIGHT;
  canvas.getContext('2d')!.putImageData(new ImageData(rgba, WIDTH, HEIGHT), 0, 0);
  return canvas;
}

async function pixelsOf(source: Parameters<typeof imageToTensor>[0]): Promise<number[]> {
  const image = imageToTensor(source);
  try {
    expect(image.shape).toEqual([HEIGHT, WIDTH, 3]);
    return Array.from(await image.data());
  } finally {
    image.dispose();
  }
}

describe('image input in the browser', () => {
  beforeAll(async () => {
    expect(defaultBackendOrder()).toEqual(['webgpu', 'wasm', 'cpu']);
    expect(await selectBackend()).toBe('webgpu');
  });

  it('decodes PNG and JPEG bytes like in Node', async () => {
    const expected = readSafetensors(await fixture('expected-rgb.safetensors')).tensors;
    for (const name of ['rgba.png', 'palette.png', 'rgb16.png', 'gray.jpg']) {
      const image = decodeImage(await fixture(name));
      const values = Array.from(await image.data());
      image.dispose();
      const want = Array.from(expected.get(name)!.data);
      const worst = Math.max(...values.map((v, i) => Math.abs(v - want[i]!)));
      expect(worst, name).toBeLessThanOrEqual(name.endsWith('.jpg') ? 1 : 0);
    }
  });

  it('reads ImageData, canvases, OffscreenCanvas, ImageBitmap and <img>', async () => {
    expect(await pixelsOf(new ImageData(rgba, WIDTH, HEIGHT))).toEqual(rgb);
    expect(await pixelsOf(canvasWithPixels())).toEqual(rgb);
    const offscreen = new OffscreenCanvas(WIDTH, HEIGHT);
    offscreen.getContext('2d')!.putImageData(new ImageData(rgba, WIDTH, HEIGHT), 0, 0);
    expect(await pixelsOf(offscreen)).toEqual(rgb);
    const bitmap = await createImageBitmap(new ImageData(rgba, WIDTH, HEIGHT));
    expect(await pixelsOf(bitmap)).toEqual(rgb);
    const img = new Image();
    img.src = URL.createObjectURL(
      new Blob([encodePng(new Uint8Array(rgba), WIDTH, HEIGHT) as BlobPart], { type: 'image/png' }),
    );
    await img.decode();
    expect(await pixelsOf(img)).toEqual(rgb);
  });

  it('switches backends on request and back', async () => {
    expect(await selectBackend({ preferred: 'cpu' })).toBe('cpu');
    expect(await pixelsOf(canvasWithPixels())).toEqual(rgb);
    expect(await selectBackend()).toBe('webgpu');
  });

  it('refuses a video that has no frame yet', () => {
    expect(() => imageToTensor(document.createElement('video'))).toThrowError(RcnnError);
  });

  it('does not leak tensors on webgpu', async () => {
    const canvas = canvasWithPixels();
    const png = encodePng(new Uint8Array(rgba), WIDTH, HEIGHT);
    const baseline = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      imageToTensor(canvas).dispose();
      decodeImage(png).dispose();
    }
    expect(tf.memory().numTensors).toBe(baseline);
  });
});
