import { categoryNamesFor } from '@rcnn/models';
import { describe, expect, it } from 'vitest';
import { outImagePaths } from './commands/predict';
import { MODEL_OPTION_SPECS, parseModelOptions } from './model-options';
import { runCli } from './test-support/run-cli';

const EVERY_FLAG: Record<string, [string, unknown]> = {
  'num-classes': ['5', { numClasses: 5 }],
  'num-keypoints': ['4', { numKeypoints: 4 }],
  'trainable-backbone-layers': ['0', { trainableBackboneLayers: 0 }],
  'norm-layer': ['gn', { normLayer: 'gn' }],
  'backbone-base-channels': ['32', { backboneBaseChannels: 32 }],
  'fpn-out-channels': ['128', { fpnOutChannels: 128 }],
  'box-representation-size': ['512', { boxRepresentationSize: 512 }],
  'mask-head-channels': ['64', { maskHeadChannels: 64 }],
  'rpn-anchor-sizes': ['16,32,64,128,256', { rpnAnchorSizes: [16, 32, 64, 128, 256] }],
  'rpn-aspect-ratios': ['0.5,1,2', { rpnAspectRatios: [0.5, 1, 2] }],
  'min-size': ['640,800', { minSize: [640, 800] }],
  'max-size': ['1000', { maxSize: 1000 }],
  'image-mean': ['0.5,0.4,0.3', { imageMean: [0.5, 0.4, 0.3] }],
  'image-std': ['0.2,0.2,0.2', { imageStd: [0.2, 0.2, 0.2] }],
  'fixed-size': ['480,640', { fixedSize: [480, 640] }],
  'size-divisible': ['64', { sizeDivisible: 64 }],
  'rpn-pre-nms-top-n-train': ['3000', { rpnPreNmsTopNTrain: 3000 }],
  'rpn-pre-nms-top-n-test': ['500', { rpnPreNmsTopNTest: 500 }],
  'rpn-post-nms-top-n-train': ['1500', { rpnPostNmsTopNTrain: 1500 }],
  'rpn-post-nms-top-n-test': ['300', { rpnPostNmsTopNTest: 300 }],
  'rpn-nms-thresh': ['0.6', { rpnNmsThresh: 0.6 }],
  'rpn-fg-iou-thresh': ['0.8', { rpnFgIouThresh: 0.8 }],
  'rpn-bg-iou-thresh': ['0.2', { rpnBgIouThresh: 0.2 }],
  'rpn-batch-size-per-image': ['128', { rpnBatchSizePerImage: 128 }],
  'rpn-positive-fraction': ['0.25', { rpnPositiveFraction: 0.25 }],
  'rpn-score-thresh': ['0.1', { rpnScoreThresh: 0.1 }],
  'box-score-thresh': ['0.3', { boxScoreThresh: 0.3 }],
  'box-nms-thresh': ['0.4', { boxNmsThresh: 0.4 }],
  'box-detections-per-img': ['0', { boxDetectionsPerImg: 0 }],
  'box-fg-iou-thresh': ['0.6', { boxFgIouThresh: 0.6 }],
  'box-bg-iou-thresh': ['0.4', { boxBgIouThresh: 0.4 }],
  'box-batch-size-per-image': ['256', { boxBatchSizePerImage: 256 }],
  'box-positive-fraction': ['0.5', { boxPositiveFraction: 0.5 }],
  'bbox-reg-weights': ['1,1,1,1', { bboxRegWeights: [1, 1, 1, 1] }],
};

describe('model flags', () => {
  it('cover the torchvision options, each mapped to its camelCase preset option', () => {
    expect(Object.keys(MODEL_OPTION_SPECS).sort()).toEqual(Object.keys(EVERY_FLAG).sort());
    for (const [flag, [text, expected]] of Object.entries(EVERY_FLAG)) {
      expect(parseModelOptions({ [flag]: text }, 'test')).toEqual(expected);
    }
    expect(parseModelOptions({ 'min-size': '800' }, 'test')).toEqual({ minSize: 800 });
    expect(parseModelOptions({}, 'test')).toEqual({});
  });

  it.each([
    ['num-classes', '0', /a positive integer/],
    ['trainable-backbone-layers', '6', /an integer from 0 to 5/],
    ['fixed-size', '480', /HEIGHT,WIDTH/],
    ['bbox-reg-weights', '1,1,1,0', /four positive/],
    ['max-size', '1,2', /a single number/],
    ['norm-layer', 'batchnorm', /one of frozen-bn, bn, gn/],
    ['rpn-anchor-sizes', '16,32,64', /five positive integers/],
    ['rpn-aspect-ratios', '1,0', /positive numbers/],
    ['rpn-nms-thresh', 'NaN', /comma-separated numbers, got 'NaN'/],
  ])('--%s %s is a usage error', (flag, text, message) => {
    expect(() => parseModelOptions({ [flag]: text }, 'test')).toThrow(message);
    try {
      parseModelOptions({ [flag]: text }, 'test');
    } catch (error) {
      expect((error as { exitCode: number }).exitCode).toBe(2);
    }
  });

  it('appear in the help of predict, bench and convert (whose model record keeps them)', async () => {
    for (const command of ['predict', 'bench', 'convert']) {
      const { code, stdout } = await runCli(command, '--help');
      expect(code).toBe(0);
      for (const flag of Object.keys(EVERY_FLAG)) expect(stdout).toContain(`--${flag} `);
    }
    const { stdout } = await runCli('convert', '--help');
    const listed = [...stdout.matchAll(/^ {2}--([a-z-]+)/gm)].map((match) => match[1]);
    expect(listed.slice(0, 6)).toEqual(['arch', 'weights', 'out', 'dtype', 'category-names', 'backend']);
  });
});

describe('helpers', () => {
  it('name COCO categories for 91-class and keypoint layouts only', () => {
    const coco = categoryNamesFor(91, false)!;
    expect(coco).toHaveLength(91);
    expect([coco[1], coco[3], coco[12], coco[90]]).toEqual(['person', 'car', 'N/A', 'toothbrush']);
    expect(coco.filter((name) => name !== 'N/A')).toHaveLength(81); // 80 categories + background
    expect(categoryNamesFor(2, true)).toEqual(['__background__', 'person']);
    expect(categoryNamesFor(5, false)).toBeUndefined();
  });

  it('number drawings of several images after one --out-image name', () => {
    expect(outImagePaths(['a.jpg', 'b.jpg'], ['out/result.png'])).toEqual([
      'out/result-1.png',
      'out/result-2.png',
    ]);
    expect(outImagePaths(['a.jpg'], ['x.png'])).toEqual(['x.png']);
    expect(outImagePaths(['a.jpg', 'b.jpg'], [])).toEqual([undefined, undefined]);
  });
});
