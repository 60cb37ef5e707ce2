import { join } from 'node:path';
import type { DetectedInstance } from '@rcnn/core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DetectorSettings, LocalModelSource } from '../src/protocol';
import { detectOnPage, downloadJson, expectSameAsNode, finished } from './support/app-page';
import { hasChromium, launchChromium } from './support/browser';
import { detectInNode } from './support/node-reference';
import { type StaticServer, serveStatic } from './support/static-server';
import { writeTwoClassCheckpoint } from './support/two-class-checkpoint';

const APP = join(import.meta.dirname, '..');
const PICTURE = join(APP, 'src', 'sample-picture.png');
const CHECKPOINT = join(APP, 'test-artifacts', 'two-class-faster-rcnn.safetensors');
const WEIGHTS_PATH = '/weights/two-class-faster-rcnn.safetensors';
/** Checkpoints run at the size the page is set to (128 px here) with torchvision's 1333/800 cap. */
const SETTINGS: DetectorSettings = { minSize: 128, maxSize: 213 };

// Torchvision checkpoints in the browser: picked from disk (.safetensors read by core in the
// worker) and downloaded from a URL (progress, then the Cache API on the next visit).
describe.skipIf(!hasChromium)('checkpoints in the web app (wasm)', () => {
  let server: StaticServer;
  let browser: Browser;
  let expected: DetectedInstance[];
  let size: number;

  beforeAll(async () => {
    const bytes = await writeTwoClassCheckpoint(CHECKPOINT);
    size = bytes.length;
    const source: LocalModelSource = {
      kind: 'checkpoint',
      architecture: 'fasterrcnn_resnet18_fpn',
      fileName: 'two-class-faster-rcnn.safetensors',
      bytes: bytes.buffer as ArrayBuffer,
    };
    expected = await detectInNode(PICTURE, source, SETTINGS, 'wasm');
    server = await serveStatic(join(APP, 'dist'), { [WEIGHTS_PATH]: CHECKPOINT });
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('has Node detections of class 1 to compare with', () => {
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.every((instance) => instance.label === 1 && instance.score > 0.05)).toBe(true);
  });

  it('detects with a .safetensors file picked from disk as Node does', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${server.url}/?backend=wasm&arch=fasterrcnn_resnet18_fpn`);
      await page.setInputFiles('#checkpoint', CHECKPOINT);
      await page.waitForFunction(
        () => (document.getElementById('weights') as HTMLSelectElement).value === 'checkpoint',
      );
      await page.selectOption('#size', '128'); // torchvision's 800 px is the default for checkpoints
      await page.setInputFiles('#file', PICTURE);
      const run = await finished(page, 240_000);
      console.info(`[web] checkpoint file on wasm: ${run.listed.length} instances; ${run.timings}`);
      expect(await page.textContent('#model')).toContain('two-class-faster-rcnn.safetensors');
      expectSameAsNode(run, await downloadJson(page), expected);
    } finally {
      await page.close();
    }
  });

  it('downloads ?weights=URL with progress, then loads it from the Cache API', async () => {
    const page = await browser.newPage();
    try {
      const query = `backend=wasm&arch=fasterrcnn_resnet18_fpn&size=128&weights=${WEIGHTS_PATH}`;
      const first = await detectOnPage(page, server.url, query, PICTURE, 240_000);
      expectSameAsNode(first, await downloadJson(page), expected);
      expect(await page.getAttribute('#progress', 'data-loaded')).toBe(String(size));
      expect(await page.getAttribute('#model', 'data-cached')).toBe('false');
      expect(server.requests.get(WEIGHTS_PATH)).toBe(1);

      // A second visit (same browser profile): the weights come from the cache, not the server.
      await page.reload();
      await page.setInputFiles('#file', PICTURE);
      const second = await finished(page, 240_000);
      expect(await page.getAttribute('#model', 'data-cached')).toBe('true');
      expect(server.requests.get(WEIGHTS_PATH)).toBe(1);
      expect(second.listed).toEqual(first.listed);
    } finally {
      await page.close();
    }
  });
});
