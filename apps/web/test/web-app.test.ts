import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DetectedInstance } from '@rcnn/core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SETTINGS } from '../src/build-detector';
import type { ModelSource } from '../src/protocol';
import { detectOnPage, downloadJson, expectSameAsNode, finished } from './support/app-page';
import { hasChromium, launchChromium } from './support/browser';
import { detectInNode } from './support/node-reference';
import { serveStatic } from './support/static-server';

const APP = join(import.meta.dirname, '..');
const PICTURE = join(APP, 'src', 'sample-picture.png');
const ARTIFACTS = join(APP, 'test-artifacts');
const SOURCE: ModelSource = { kind: 'deterministic', architecture: 'maskrcnn_resnet18_fpn' };
/** What the page uses for the deterministic weights at its default 128 px input. */
const SETTINGS = DEMO_SETTINGS;
/** The camera loop runs the small settings of the webgpu tests (test/webgpu.test.ts). */
const SMALL_QUERY = 'weights=deterministic&size=64&proposals=20&detections=3';

describe.skipIf(!hasChromium)('the web app in headless Chromium', () => {
  let server: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Browser;
  let reference: DetectedInstance[];

  beforeAll(async () => {
    // test/support/build-site.ts (global setup) has built dist/.
    server = await serveStatic(join(APP, 'dist'));
    browser = await launchChromium();
    await mkdir(ARTIFACTS, { recursive: true });
    reference = await detectInNode(PICTURE, SOURCE, SETTINGS, 'wasm');
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('has Node reference detections to compare with (ten, with masks)', () => {
    expect(reference).toHaveLength(SETTINGS.detectionsPerImage);
    expect(reference.every((instance) => instance.mask !== undefined)).toBe(true);
  });

  it('detects on wasm in a worker, lists what Node detects, and stays responsive', async () => {
    const page = await browser.newPage();
    try {
      const started = performance.now();
      const run = await detectOnPage(
        page,
        server.url,
        'backend=wasm&weights=deterministic',
        PICTURE,
        240_000,
      );
      console.info(
        `[web] wasm: first detection ${(performance.now() - started).toFixed(0)} ms; ${run.timings}`,
      );
      expect(run.backend).toBe('wasm');
      expectSameAsNode(run, await downloadJson(page), reference);
      await page.screenshot({ path: join(ARTIFACTS, 'web-wasm.png'), fullPage: true });

      // Detect again and click a button while the worker runs: the click is handled at once.
      await page.click('#run');
      await page.waitForFunction(
        () => document.getElementById('app')!.dataset.state === 'running',
        undefined,
        {
          polling: 10,
        },
      );
      const button = (await page.locator('#toggle-labels').boundingBox())!;
      const clicked = performance.now();
      await page.mouse.click(button.x + button.width / 2, button.y + button.height / 2);
      await page.waitForFunction(
        () => document.getElementById('toggle-labels')!.getAttribute('aria-pressed') === 'false',
        undefined,
        { polling: 5 },
      );
      const roundTrip = performance.now() - clicked;
      const handled = await page.evaluate(() => ({ ...document.getElementById('toggle-labels')!.dataset }));
      console.info(
        `[web] click while ${handled.clickedWhile}: handled ${handled.latencyMs} ms after the input event, ${roundTrip.toFixed(0)} ms round trip`,
      );
      expect(handled.clickedWhile).toBe('running');
      expect(Number(handled.latencyMs)).toBeLessThan(100);
      const again = await finished(page, 240_000);
      console.info(`[web] wasm: second detection ${again.timings}`);
      expect(again.listed).toEqual(run.listed);
      expect(again.tensors, 'tensors held by the worker after each detection').toBe(run.tensors);
    } finally {
      await page.close();
    }
  });

  it('detects keypoints (keypoint R-CNN) on wasm as Node does', async () => {
    const source: ModelSource = { kind: 'deterministic', architecture: 'keypointrcnn_resnet18_fpn' };
    const expected = await detectInNode(PICTURE, source, { ...SETTINGS, detectionsPerImage: 3 }, 'wasm');
    expect(expected.every((instance) => instance.keypoints?.length === 17)).toBe(true);
    const page = await browser.newPage();
    try {
      const run = await detectOnPage(
        page,
        server.url,
        'backend=wasm&weights=deterministic&arch=keypointrcnn_resnet18_fpn&detections=3',
        PICTURE,
        240_000,
      );
      console.info(`[web] keypoint R-CNN on wasm: ${run.timings}`);
      expectSameAsNode(run, await downloadJson(page), expected);
      await page.screenshot({ path: join(ARTIFACTS, 'web-keypoints.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('runs the camera loop on canvas frames with flat worker memory (wasm)', async () => {
    // A synthetic camera (the sample picture panning a pixel per frame); 500 frames for the
    // full check (RCNN_WEB_CAMERA_FRAMES=500), a few dozen by default.
    const frames = Number(process.env.RCNN_WEB_CAMERA_FRAMES ?? 30);
    const page = await browser.newPage();
    try {
      await page.goto(`${server.url}/?backend=wasm&camera=synthetic&${SMALL_QUERY}`);
      await page.click('#camera');
      await page.waitForFunction(
        (n) => Number(document.getElementById('loop')!.dataset.frames) >= n,
        frames,
        {
          timeout: frames * 5_000 + 120_000,
          polling: 250,
        },
      );
      await page.click('#stop');
      await page.waitForFunction(() => document.getElementById('app')!.dataset.state === 'done');
      const loop = await page.evaluate(() => ({ ...document.getElementById('loop')!.dataset }));
      console.info(`[web] camera loop on wasm: ${JSON.stringify(loop)}`);
      expect(Number(loop.frames)).toBeGreaterThanOrEqual(frames);
      expect(Number(loop.fps)).toBeGreaterThan(0);
      expect(loop.maxTensors, 'tensors held by the worker, frame 2 on').toBe(loop.minTensors);
      expect(loop.maxBytes, 'tensor bytes held by the worker, frame 2 on').toBe(loop.minBytes);
      expect(await page.locator('#results tbody tr').count()).toBe(3);
    } finally {
      await page.close();
    }
  }, 3_000_000);
});
