import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type DetectedInstance, writeSafetensors } from '@rcnn/core';
import { createDetector, deterministicWeightsFor } from '@rcnn/models';
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
/**
 * WebGPU here is SwiftShader (the GPU emulated on the CPU), where the 128 px run takes minutes:
 * the webgpu check uses a 64 px input, 20 proposals and 3 detections (URL parameters of the page).
 * `RCNN_WEB_WEBGPU=0` skips it.
 */
const WEBGPU_SETTINGS = { ...DEMO_SETTINGS, minSize: 64, maxSize: 64, proposals: 20, detectionsPerImage: 3 };
const WEBGPU_QUERY = 'size=64&proposals=20&detections=3';
const withWebgpu = process.env.RCNN_WEB_WEBGPU !== '0';

describe.skipIf(!hasChromium)('the web app in headless Chromium', () => {
  let server: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Browser;
  let reference: DetectedInstance[];

  beforeAll(async () => {
    // The static site, built as `pnpm --filter @rcnn/web build` does.
    await promisify(execFile)(join(APP, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], {
      cwd: APP,
      env: { ...process.env, NODE_ENV: 'production' },
    });
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
      const run = await detectOnPage(page, server.url, 'backend=wasm', PICTURE, 240_000);
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
        'backend=wasm&arch=keypointrcnn_resnet18_fpn&detections=3',
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

  it('detects with a .safetensors checkpoint picked from disk as Node does (wasm)', async () => {
    // A torchvision-layout Faster R-CNN checkpoint with two classes whose classifier favours
    // class 1, so detections pass torchvision's 0.05 score threshold (used for checkpoints).
    const model = createDetector('fasterrcnn_resnet18_fpn', { numClasses: 3 });
    const weights = deterministicWeightsFor(model);
    model.dispose();
    weights.set('roi_heads.box_predictor.cls_score.bias', {
      dtype: 'float32',
      shape: [3],
      data: Float32Array.of(0, 5, 0),
    });
    const file = join(ARTIFACTS, 'two-class-faster-rcnn.safetensors');
    const bytes = writeSafetensors(weights);
    await writeFile(file, bytes);
    const source: ModelSource = {
      kind: 'checkpoint',
      architecture: 'fasterrcnn_resnet18_fpn',
      fileName: 'two-class-faster-rcnn.safetensors',
      bytes: bytes.slice().buffer,
    };
    const expected = await detectInNode(PICTURE, source, { minSize: 128, maxSize: 213 }, 'wasm');
    expect(expected.length).toBeGreaterThan(0);
    const page = await browser.newPage();
    try {
      await page.goto(`${server.url}/?backend=wasm&arch=fasterrcnn_resnet18_fpn`);
      await page.setInputFiles('#checkpoint', file);
      await page.waitForFunction(
        () => (document.getElementById('weights') as HTMLSelectElement).value === 'checkpoint',
      );
      await page.selectOption('#size', '128'); // torchvision's 800 px is the default for checkpoints
      await page.setInputFiles('#file', PICTURE);
      const run = await finished(page, 240_000);
      console.info(`[web] checkpoint on wasm: ${run.timings}`);
      expect(await page.textContent('#model')).toContain('two-class-faster-rcnn.safetensors');
      expectSameAsNode(run, await downloadJson(page), expected);
    } finally {
      await page.close();
    }
  });

  it.skipIf(!withWebgpu)(
    'detects on webgpu (SwiftShader) what Node detects',
    async () => {
      const expected = await detectInNode(PICTURE, SOURCE, WEBGPU_SETTINGS, 'wasm');
      expect(expected).toHaveLength(WEBGPU_SETTINGS.detectionsPerImage);
      const page = await browser.newPage();
      try {
        const started = performance.now();
        const run = await detectOnPage(page, server.url, `backend=webgpu&${WEBGPU_QUERY}`, PICTURE, 840_000);
        console.info(
          `[web] webgpu: first detection ${(performance.now() - started).toFixed(0)} ms; ${run.timings}`,
        );
        expect(run.backend, `fell back: ${run.fallbacks}`).toBe('webgpu');
        expectSameAsNode(run, await downloadJson(page), expected);
        await page.screenshot({ path: join(ARTIFACTS, 'web-webgpu.png'), fullPage: true });
      } finally {
        await page.close();
      }
    },
    900_000,
  );
});
