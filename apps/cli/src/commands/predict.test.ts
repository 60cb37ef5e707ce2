import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMask, rleFromJson } from '@rcnn/coco-eval';
import { decodeImagePixels } from '@rcnn/core';
import { COCO_CATEGORY_NAMES } from '@rcnn/models';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, SMALL_MODEL_OPTIONS, temporaryDirectory, writeDemoImage } from '../test-support/run-cli';
import type { ImageResult } from './predict-json';

const WIDTH = 64;
const HEIGHT = 48;
let directory: string;
let image: string;

beforeAll(() => {
  directory = temporaryDirectory();
  image = writeDemoImage(directory, WIDTH, HEIGHT);
});

async function predict(arch: string, ...extra: string[]) {
  const outJson = join(directory, `${arch}-${extra.length}.json`);
  const result = await runCli(
    'predict',
    '--arch',
    arch,
    '--weights',
    'deterministic',
    '--out-json',
    outJson,
    ...SMALL_MODEL_OPTIONS,
    ...extra,
  );
  const json = result.code === 0 ? (JSON.parse(readFileSync(outJson, 'utf8')) as ImageResult[]) : [];
  return { ...result, json };
}

/** Boxes are ordered corners inside the image (torchvision clips them to it). */
function expectBoxesInside(result: ImageResult): void {
  for (const { box } of result.instances) {
    const [x1, y1, x2, y2] = box;
    expect(0 <= x1 && x1 <= x2 && x2 <= result.width).toBe(true);
    expect(0 <= y1 && y1 <= y2 && y2 <= result.height).toBe(true);
  }
}

describe('rcnn predict', () => {
  it('writes boxes, scores and labels for fasterrcnn_resnet18_fpn on wasm, and a PNG', async () => {
    const outImage = join(directory, 'faster.png');
    const { code, stderr, json } = await predict(
      'fasterrcnn_resnet18_fpn',
      '--image',
      image,
      '--out-image',
      outImage,
      '--verbose',
    );
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(
      / {2}transform [\d.]+ s, backbone [\d.]+ s, rpn [\d.]+ s, roiHeads [\d.]+ s, postprocess [\d.]+ s\n/,
    );
    expect(tf.getBackend()).toBe('wasm');
    expect(stderr).toMatch(/wasm backend/);
    expect(stderr).toMatch(/\[1\/1\] .*scene\.png: 10 instances, [\d.]+ s/);
    expect(json).toHaveLength(1);
    const [result] = json as [ImageResult];
    expect(result).toMatchObject({ image, width: WIDTH, height: HEIGHT });
    // Deterministic weights keep every score (threshold 0) and the 10 best.
    expect(result.instances).toHaveLength(10);
    expectBoxesInside(result);
    const scores = result.instances.map((instance) => instance.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    for (const instance of result.instances) {
      expect(Object.keys(instance).sort()).toEqual(['box', 'categoryName', 'label', 'score']);
      expect(Number.isInteger(instance.label) && instance.label >= 1 && instance.label <= 90).toBe(true);
      // torchvision's 91-class layout: COCO's names, by label.
      expect(instance.categoryName).toBe(COCO_CATEGORY_NAMES[instance.label]);
    }
    const drawn = decodeImagePixels(new Uint8Array(readFileSync(outImage)));
    expect([drawn.width, drawn.height]).toEqual([WIDTH, HEIGHT]);
  });

  it('writes RLE masks of the image size inside their boxes for maskrcnn_resnet18_fpn, several images', async () => {
    const second = writeDemoImage(directory, 40, 56, 'portrait.png');
    const { code, stderr, json } = await predict(
      'maskrcnn_resnet18_fpn',
      '--image',
      image,
      '--image',
      second,
      '--box-detections-per-img',
      '4',
      '--out-image',
      join(directory, 'masks.png'),
    );
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/\[2\/2\] .*portrait\.png: 4 instances/);
    expect(json.map((entry) => [entry.width, entry.height])).toEqual([
      [WIDTH, HEIGHT],
      [40, 56],
    ]);
    for (const result of json) {
      expect(result.instances).toHaveLength(4);
      expectBoxesInside(result);
      for (const { box, mask } of result.instances) {
        expect(mask!.size).toEqual([result.height, result.width]);
        const pixels = decodeMask(rleFromJson(mask!));
        expect(pixels).toHaveLength(result.width * result.height);
        // Pasting puts each mask inside its box (torchvision pads the box by one pixel).
        for (let p = 0; p < pixels.length; p++) {
          if (!pixels[p]) continue;
          const x = p % result.width;
          const y = Math.floor(p / result.width);
          expect(x >= Math.floor(box[0]) - 2 && x <= Math.ceil(box[2]) + 1).toBe(true);
          expect(y >= Math.floor(box[1]) - 2 && y <= Math.ceil(box[3]) + 1).toBe(true);
        }
      }
    }
    for (const name of ['masks-1.png', 'masks-2.png']) {
      expect(decodeImagePixels(new Uint8Array(readFileSync(join(directory, name)))).width).toBeGreaterThan(0);
    }
  });

  it('writes 17 keypoints per instance for keypointrcnn_resnet18_fpn', async () => {
    const { code, stderr, json } = await predict('keypointrcnn_resnet18_fpn', '--image', image);
    expect(code, stderr).toBe(0);
    const [result] = json as [ImageResult];
    expect(result.instances.length).toBeGreaterThan(0);
    expectBoxesInside(result);
    for (const { box, keypoints, label } of result.instances) {
      expect(label).toBe(1);
      expect(keypoints).toHaveLength(17);
      for (const [x, y, score] of keypoints!) {
        expect(Number.isFinite(score)).toBe(true);
        expect(x >= box[0] - 1 && x <= box[2] + 1 && y >= box[1] - 1 && y <= box[3] + 1).toBe(true);
      }
    }
  });

  it('runs on the cpu backend and releases every tensor it made', async () => {
    const first = await predict('fasterrcnn_resnet18_fpn', '--image', image, '--backend', 'cpu', '--quiet');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toBe('');
    expect(tf.getBackend()).toBe('cpu');
    const tensors = tf.memory().numTensors;
    const second = await predict('fasterrcnn_resnet18_fpn', '--image', image, '--backend', 'cpu', '--quiet');
    expect(second.code).toBe(0);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(second.json).toEqual(first.json);
  }, 180_000);

  describe('usage errors exit 2 with a message', () => {
    it.each([
      [
        ['--arch', 'maskrcnn_resnet51_fpn'],
        /unknown architecture 'maskrcnn_resnet51_fpn'; valid names: .*maskrcnn_resnet50_fpn/,
      ],
      [['--image'], /--image needs a value/],
      [['--min-size', 'large'], /--min-size must be a number or comma-separated numbers, got 'large'/],
      [['--box-score-thresh', '1.5'], /--box-score-thresh must be a number from 0 to 1, got '1.5'/],
      [['--box-detections-per-img', '2.5'], /--box-detections-per-img must be a non-negative integer/],
      [['--image-mean', '0.5,0.5'], /--image-mean must be three comma-separated numbers/],
      [['--backend', 'webgl'], /--backend must be one of wasm, cpu, webgpu, got 'webgl'/],
      [
        ['--out-image', 'a.png', '--out-image', 'b.png'],
        /one --out-image per --image \(1\) or a single one, got 2/,
      ],
      [['--no-such-flag', '1'], /unknown option --no-such-flag/],
    ])('%j', async (extra, message) => {
      const argv = ['--arch', 'fasterrcnn_resnet18_fpn', '--image', image, ...extra];
      const { code, stderr } = await predict(argv[1]!, ...argv.slice(2));
      expect(stderr).toMatch(message);
      expect(code).toBe(2);
    });

    it('without --image', async () => {
      const { code, stderr } = await predict('fasterrcnn_resnet18_fpn');
      expect(code).toBe(2);
      expect(stderr).toMatch(/missing --image/);
    });
  });

  describe('unreadable inputs exit 1 with a message', () => {
    it('a missing image', async () => {
      const missing = join(directory, 'missing.png');
      const { code, stderr } = await predict('fasterrcnn_resnet18_fpn', '--image', missing);
      expect(code).toBe(1);
      expect(stderr).toMatch(/--image .*missing\.png: cannot read it: no such file\n/);
      expect(stderr).toMatch(/1 of 1 images failed; no output written/);
    });

    it('a file that is not an image', async () => {
      const text = join(directory, 'notes.png');
      writeFileSync(text, 'not a picture');
      const { code, stderr } = await predict('fasterrcnn_resnet18_fpn', '--image', text);
      expect(code).toBe(1);
      expect(stderr).toMatch(
        /--image .*notes\.png: not a readable image: 13 bytes that are neither PNG nor JPEG/,
      );
    });

    it('a missing weights file', async () => {
      const { code, stderr } = await runCli(
        'predict',
        '--arch',
        'fasterrcnn_resnet18_fpn',
        '--weights',
        join(directory, 'none.pth'),
        '--image',
        image,
        '--out-json',
        join(directory, 'x.json'),
      );
      expect(code).toBe(1);
      expect(stderr).toMatch(/cannot read --weights .*none\.pth: ENOENT/);
    });
  });
});
