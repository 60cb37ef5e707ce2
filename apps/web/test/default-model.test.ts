import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { DetectedInstance } from '@rcnn/core';
import { DEFAULT_MODEL_SPECIFIER, sampleImageSpecifier } from '@rcnn/default-model';
import type { ModelRecord } from '@rcnn/models';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadJson, expectSameAsNode, finished } from './support/app-page';
import { hasChromium, launchChromium } from './support/browser';
import { detectWithModelRecord } from './support/node-reference';
import { type StaticServer, serveStatic } from './support/static-server';

const APP = join(import.meta.dirname, '..');
const resolve = createRequire(import.meta.url).resolve;
const WEIGHTS = resolve(DEFAULT_MODEL_SPECIFIER);
const PICTURE = resolve(sampleImageSpecifier('shapes-1.png'));

// The page's default: the default model (@rcnn/default-model), shipped with the site, downloaded
// with progress, built as its model record says. wasm only: on SwiftShader (the emulated GPU of
// these machines) its 288 px input and 500 proposals would take far longer than a test should.
describe.skipIf(!hasChromium)('the default model in the web app (wasm)', () => {
  let server: StaticServer;
  let browser: Browser;
  let record: ModelRecord;
  let reference: DetectedInstance[];
  let size: number;

  beforeAll(async () => {
    const weights = new Uint8Array(await readFile(WEIGHTS));
    size = weights.length;
    ({ record, instances: reference } = await detectWithModelRecord(PICTURE, weights, 'wasm'));
    server = await serveStatic(join(APP, 'dist'));
    browser = await launchChromium();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('has Node detections of named shapes to compare with', () => {
    expect(reference.filter((instance) => instance.score >= 0.5).length).toBeGreaterThan(0);
    for (const instance of reference) {
      expect(instance.categoryName).toBe(record.categoryNames[instance.label - 1]);
      expect(instance.mask).toBeDefined();
    }
  });

  it('is the default: detects in its sample picture on wasm as Node does, labels named by its record', async () => {
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error(`[page] ${error.message}`));
    try {
      const started = performance.now();
      await page.goto(`${server.url}/?backend=wasm`);
      expect(await page.inputValue('#weights')).toBe('default');
      expect(await page.textContent('#sample')).toContain('shapes-1.png');
      await page.click('#sample');
      const run = await finished(page, 600_000);
      console.info(
        `[web] default model on wasm: ${run.listed.length} instances, ${(performance.now() - started).toFixed(0)} ms from opening the page; ${run.timings}`,
      );
      expect(run.backend).toBe('wasm');
      // The weights came from the site's assets, once, with progress to the full size.
      const fetched = [...server.requests].filter(([path]) => path.endsWith('.safetensors'));
      expect(fetched).toEqual([[expect.stringMatching(/^\/assets\/rcnn-shapes-.*\.safetensors$/), 1]]);
      expect(await page.getAttribute('#progress', 'data-loaded')).toBe(String(size));
      const model = await page.textContent('#model');
      expect(model).toContain(`${record.architecture} from rcnn default model`);
      expect(await page.inputValue('#architecture')).toBe(record.architecture);

      // A trained model: the slider starts at 0.5, and the page lists what Node finds from there.
      const threshold = Number(await page.inputValue('#threshold'));
      expect(threshold).toBe(0.5);
      const shown = reference.filter((instance) => instance.score >= threshold);
      expectSameAsNode(run, await downloadJson(page), shown);
      const cells = await page.$$eval('#results tbody tr td:nth-child(2)', (tds) =>
        tds.map((td) => td.textContent),
      );
      expect(cells).toEqual(run.listed.map(({ label }) => `${record.categoryNames[label - 1]} (${label})`));
      await page.screenshot({ path: join(APP, 'test-artifacts', 'web-default-model.png'), fullPage: true });
    } finally {
      await page.close();
    }
  }, 900_000);
});
