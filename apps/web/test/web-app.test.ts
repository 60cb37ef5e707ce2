import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { rleIou, segmentationToRle } from '@rcnn/coco-eval';
import type { DetectedInstance } from '@rcnn/core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SETTINGS } from '../src/build-detector';
import type { ModelSource } from '../src/protocol';
import type { CocoResult } from '../src/ui/coco-json';
import { hasChromium, launchChromium } from './support/browser';
import { detectInNode, type ListedInstance, matchInstances } from './support/node-reference';
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

interface PageRun {
  listed: ListedInstance[];
  backend: string;
  fallbacks: string;
  timings: string;
}

/** Waits for `data-state` to leave loading/running, then reads what the page shows. */
async function finished(page: Page, timeout: number): Promise<PageRun> {
  await page.waitForFunction(
    () => ['done', 'error'].includes(document.getElementById('app')!.dataset.state!),
    undefined,
    { timeout, polling: 100 },
  );
  const state = await page.getAttribute('#app', 'data-state');
  const message = await page.textContent('#message');
  expect(state, `the page ended in error: ${message}`).toBe('done');
  return page.evaluate(() => ({
    listed: Array.from(document.querySelectorAll<HTMLTableRowElement>('#results tbody tr')).map((row) => ({
      label: Number(row.dataset.label),
      score: Number(row.dataset.score),
      box: row.dataset.box!.split(',').map(Number),
    })),
    backend: document.getElementById('backend-name')!.textContent ?? '',
    fallbacks: document.getElementById('fallbacks')!.textContent ?? '',
    timings: document.getElementById('timings')!.textContent ?? '',
  }));
}

/** Opens the app on `backend`, feeds the sample picture through the file input and waits for the result. */
async function detectOnPage(page: Page, url: string, query: string, timeout: number): Promise<PageRun> {
  page.on('pageerror', (error) => console.error(`[page] ${error.message}`));
  await page.goto(`${url}/?${query}`);
  expect(await page.getAttribute('#app', 'data-state')).toBe('idle');
  await page.setInputFiles('#file', PICTURE);
  return finished(page, timeout);
}

/** The COCO JSON the page downloads. */
async function downloadJson(page: Page): Promise<CocoResult[]> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
  return JSON.parse(await readFile((await download.path())!, 'utf8')) as CocoResult[];
}

function expectSameAsNode(run: PageRun, coco: CocoResult[], reference: readonly DetectedInstance[]): void {
  expect(run.listed).toHaveLength(reference.length);
  const { pairs, unmatched } = matchInstances(reference, run.listed);
  expect(unmatched).toBeUndefined();
  // The downloaded JSON lists the same instances; their masks overlap Node's with IoU >= 0.99.
  expect(coco.map((result) => result.score)).toEqual(run.listed.map((instance) => instance.score));
  for (const [index, instance] of reference.entries()) {
    const partner = coco[pairs[index]!]!;
    const [x, y, width, height] = partner.bbox;
    expect(x + width).toBeCloseTo(instance.box[2], 2);
    expect(y + height).toBeCloseTo(instance.box[3], 2);
    const [iou] = rleIou(
      [segmentationToRle(partner.segmentation, undefined, undefined)],
      [segmentationToRle(instance.mask, undefined, undefined)],
    );
    expect(iou, `mask IoU of instance ${index}`).toBeGreaterThanOrEqual(0.99);
  }
}

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
      const run = await detectOnPage(page, server.url, 'backend=wasm', 240_000);
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
        const run = await detectOnPage(page, server.url, `backend=webgpu&${WEBGPU_QUERY}`, 840_000);
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
