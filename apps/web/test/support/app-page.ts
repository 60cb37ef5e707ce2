import { readFile } from 'node:fs/promises';
import { rleIou, segmentationToRle } from '@rcnn/coco-eval';
import type { DetectedInstance } from '@rcnn/core';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { CocoResult } from '../../src/ui/coco-json';
import { type ListedInstance, matchInstances } from './node-reference';

/** What the page shows after a detection. */
export interface PageRun {
  listed: ListedInstance[];
  backend: string;
  fallbacks: string;
  timings: string;
  /** `tf.memory().numTensors` in the worker after the detection. */
  tensors: number;
}

/** Waits for `data-state` to leave loading/running, then reads what the page shows. */
export async function finished(page: Page, timeout: number): Promise<PageRun> {
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
    tensors: Number(document.getElementById('tensors')!.dataset.count),
  }));
}

/** Opens the app on `backend`, feeds the sample picture through the file input and waits for the result. */
export async function detectOnPage(
  page: Page,
  url: string,
  query: string,
  picture: string,
  timeout: number,
): Promise<PageRun> {
  page.on('pageerror', (error) => console.error(`[page] ${error.message}`));
  await page.goto(`${url}/?${query}`);
  expect(await page.getAttribute('#app', 'data-state')).toBe('idle');
  await page.setInputFiles('#file', picture);
  return finished(page, timeout);
}

/** Stage times (ms) and device work (reads back, shaders compiled) of the page's last detection. */
export interface StageFigures {
  times: Record<string, number>;
  counts: Record<string, { reads: number; compiles: number }>;
}

/** The `data-stages` of the page's timings (see `showTimings`). */
export async function stageFigures(page: Page): Promise<StageFigures> {
  return JSON.parse((await page.getAttribute('#timings', 'data-stages'))!) as StageFigures;
}

/**
 * Clicks "Detect again", then the labels toggle while that detection runs: how long after the
 * input event the page handled the click, and the page's state then. Leaves the detection running.
 */
export async function clickDuringDetection(page: Page): Promise<{ clickedWhile: string; latencyMs: number }> {
  const pressed = await page.getAttribute('#toggle-labels', 'aria-pressed');
  await page.click('#run');
  await page.waitForFunction(() => document.getElementById('app')!.dataset.state === 'running', undefined, {
    polling: 10,
  });
  // A real click through the input pipeline, aimed when it happens: the stage times arriving
  // during the run can reflow the page, so coordinates read a moment earlier may miss the button.
  await page.locator('#toggle-labels').click();
  await page.waitForFunction(
    (before) => document.getElementById('toggle-labels')!.getAttribute('aria-pressed') !== before,
    pressed,
    { polling: 5 },
  );
  const handled = await page.evaluate(() => ({ ...document.getElementById('toggle-labels')!.dataset }));
  return { clickedWhile: handled.clickedWhile ?? '', latencyMs: Number(handled.latencyMs) };
}

/** The COCO JSON the page downloads. */
export async function downloadJson(page: Page): Promise<CocoResult[]> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
  return JSON.parse(await readFile((await download.path())!, 'utf8')) as CocoResult[];
}

/** The listed and downloaded instances equal Node's: boxes and keypoints 1e-2 px, scores 1e-4, mask IoU >= 0.99. */
export function expectSameAsNode(
  run: PageRun,
  coco: CocoResult[],
  reference: readonly DetectedInstance[],
): void {
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
    expect(partner.keypoints?.length).toBe(instance.keypoints && instance.keypoints.length * 3);
    for (const [k, [x, y, score]] of (instance.keypoints ?? []).entries()) {
      const [px, py, pscore] = partner.keypoints!.slice(k * 3, k * 3 + 3) as [number, number, number];
      expect(Math.max(Math.abs(px - x), Math.abs(py - y)), `keypoint ${k} of instance ${index}`).toBeLessThan(
        1e-2,
      );
      expect(Math.abs(pscore - score), `keypoint ${k} score of instance ${index}`).toBeLessThan(1e-4);
    }
    expect(partner.segmentation === undefined).toBe(instance.mask === undefined);
    if (!instance.mask) continue;
    // Equal RLEs are the same mask (an untrained model's may be empty, where the IoU is 0).
    if (JSON.stringify(partner.segmentation) === JSON.stringify(instance.mask)) continue;
    const [iou] = rleIou(
      [segmentationToRle(partner.segmentation, undefined, undefined)],
      [segmentationToRle(instance.mask, undefined, undefined)],
    );
    expect(iou, `mask IoU of instance ${index}`).toBeGreaterThanOrEqual(0.99);
  }
}
