import { ResnetFpnBackbone } from '@rcnn/backbone-resnet-fpn';
import { deterministicWeight, RcnnError } from '@rcnn/core';
import { FastRcnnPredictor, KeypointBranch, MaskBranch } from '@rcnn/heads';
import { describeEachBackend } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { deterministicWeightsFor } from '../deterministic-weights-for';
import { StateDictMismatchError } from '../weights/state-dict-mismatch-error';
import {
  ARCHITECTURE_NAMES,
  architectureParts,
  createDetector,
  parseArchitectureName,
} from './architecture-names';
import { fasterRcnnResnetFpn, keypointRcnnResnetFpn } from './resnet-fpn-presets';

it('ARCHITECTURE_NAMES: three families on four depths', () => {
  expect(ARCHITECTURE_NAMES).toHaveLength(12);
  expect(ARCHITECTURE_NAMES).toContain('maskrcnn_resnet50_fpn');
  expect(ARCHITECTURE_NAMES).toContain('keypointrcnn_resnet101_fpn');
  expect(architectureParts('keypointrcnn_resnet34_fpn')).toEqual({ family: 'keypointrcnn', depth: 34 });
});

it('parseArchitectureName accepts the names (any case) and lists them on a typo', () => {
  expect(parseArchitectureName('FasterRCNN_ResNet18_FPN')).toBe('fasterrcnn_resnet18_fpn');
  let error: unknown;
  try {
    parseArchitectureName('maskrcnn_resnet152_fpn');
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(RcnnError);
  expect((error as RcnnError).code).toBe('INVALID_ARGUMENT');
  expect((error as RcnnError).message).toContain("unknown architecture 'maskrcnn_resnet152_fpn'");
  expect((error as RcnnError).message).toContain(ARCHITECTURE_NAMES.join(', '));
});

describeEachBackend('presets', () => {
  it('createDetector builds the named family and depth with torchvision defaults', () => {
    const mask = createDetector('maskrcnn_resnet18_fpn');
    expect(mask.roiHeads.branches.map((b) => b.name)).toEqual(['mask']);
    expect(mask.roiHeads.box.predictor.numClasses).toBe(91);
    expect(mask.roiHeads.detectionsPerImage).toBe(100);
    expect(mask.transform.minSizes).toEqual([800]);
    expect(mask.transform.maxSize).toBe(1333);
    expect(mask.backbone).toBeInstanceOf(ResnetFpnBackbone);
    expect(mask.stateDictShapes().some(([name]) => name === 'backbone.body.layer4.1.conv2.weight')).toBe(
      true,
    );
    mask.dispose();
    const keypoint = createDetector('keypointrcnn_resnet34_fpn', { numKeypoints: 5, boxScoreThresh: 0.2 });
    const branch = keypoint.roiHeads.branches[0] as KeypointBranch;
    expect(branch).toBeInstanceOf(KeypointBranch);
    expect(branch.predictor.numKeypoints).toBe(5);
    expect(keypoint.roiHeads.box.predictor.numClasses).toBe(2);
    expect(keypoint.roiHeads.scoreThresh).toBe(0.2);
    expect(keypoint.transform.minSizes).toEqual([640, 672, 704, 736, 768, 800]);
    expect(keypoint.stateDictShapes().some(([name]) => name === 'backbone.body.layer3.5.conv2.weight')).toBe(
      true,
    );
    keypoint.dispose();
    const faster = createDetector('fasterrcnn_resnet101_fpn', { numClasses: 3 });
    expect(faster.roiHeads.branches).toEqual([]);
    expect(faster.stateDictShapes().some(([name]) => name === 'backbone.body.layer3.22.conv3.weight')).toBe(
      true,
    );
    faster.dispose();
  });

  it('width options shape every part: FPN channels, box head, mask head, anchors, norm', () => {
    const model = createDetector('maskrcnn_resnet18_fpn', {
      numClasses: 7,
      normLayer: 'gn',
      backboneBaseChannels: 32,
      fpnOutChannels: 128,
      boxRepresentationSize: 512,
      maskHeadChannels: 64,
      rpnAnchorSizes: [16, 32, 64, 128, 256],
      rpnAspectRatios: [1],
    });
    const shapes = new Map(model.stateDictShapes());
    expect(shapes.get('backbone.body.conv1.weight')).toEqual([32, 3, 7, 7]);
    expect(shapes.get('backbone.body.bn1.weight')).toEqual([32]);
    expect(shapes.has('backbone.body.bn1.running_mean')).toBe(false); // GroupNorm has no running stats
    expect(shapes.get('backbone.fpn.layer_blocks.0.0.weight')).toEqual([128, 128, 3, 3]);
    expect(shapes.get('rpn.head.conv.0.0.weight')).toEqual([128, 128, 3, 3]);
    expect(shapes.get('rpn.head.cls_logits.weight')).toEqual([1, 128, 1, 1]); // one ratio
    expect(shapes.get('roi_heads.box_head.fc6.weight')).toEqual([512, 128 * 7 * 7]);
    expect(shapes.get('roi_heads.box_predictor.cls_score.weight')).toEqual([7, 512]);
    expect(shapes.get('roi_heads.mask_head.0.0.weight')).toEqual([64, 128, 3, 3]);
    expect(shapes.get('roi_heads.mask_predictor.conv5_mask.weight')).toEqual([64, 64, 2, 2]);
    expect(shapes.get('roi_heads.mask_predictor.mask_fcn_logits.weight')).toEqual([7, 64, 1, 1]);
    model.dispose();
    expect(() => createDetector('fasterrcnn_resnet18_fpn', { rpnAnchorSizes: [16, 32, 64] })).toThrow(
      /one size for each of the 5 FPN levels/,
    );
  });

  it('numClasses and numKeypoints come from the weights when not given', () => {
    const template = keypointRcnnResnetFpn({ depth: 18, numClasses: 4, numKeypoints: 3 });
    const weights = deterministicWeightsFor(template);
    template.dispose();
    const model = keypointRcnnResnetFpn({ depth: 18, weights });
    expect(model.roiHeads.box.predictor.numClasses).toBe(4);
    expect((model.roiHeads.branches[0] as KeypointBranch).predictor.numKeypoints).toBe(3);
    model.dispose();
    expect(() => keypointRcnnResnetFpn({ depth: 18, weights, numKeypoints: 17 })).toThrow(/mis-shaped/);
  });

  it('rejects contradictory or bad options', () => {
    const predictor = new FastRcnnPredictor({ numClasses: 3 });
    expect(() => fasterRcnnResnetFpn({ depth: 18, numClasses: 3, boxPredictor: predictor })).toThrow(
      /numClasses must be left out when its predictor is given/,
    );
    predictor.dispose();
    expect(() => fasterRcnnResnetFpn({ depth: 18, numClasses: 0 })).toThrow(/positive integer/);
    expect(() => fasterRcnnResnetFpn({ depth: 18, trainableBackboneLayers: 6 })).toThrow(/trainableLayers/);
    expect(() => createDetector('maskrcnn_resnet50_fpx' as never)).toThrow(/valid names/);
  });

  it('a built detector releases every tensor on dispose; a failed build leaks nothing', () => {
    const before = tf.memory().numTensors;
    const model = createDetector('fasterrcnn_resnet18_fpn', { numClasses: 3 });
    const weights = deterministicWeightsFor(model);
    model.loadStateDict(weights);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    weights.set('roi_heads.box_head.fc6.weight', deterministicWeight('fc6', [1024, 12]));
    expect(() => createDetector('fasterrcnn_resnet18_fpn', { weights })).toThrow(StateDictMismatchError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('masks are a branch: Mask R-CNN has a MaskBranch reading 14x14 RoIs', () => {
    const model = createDetector('maskrcnn_resnet18_fpn', { numClasses: 3 });
    const branch = model.roiHeads.branches[0] as MaskBranch;
    expect(branch).toBeInstanceOf(MaskBranch);
    expect(branch.pooler.outputSize).toEqual([14, 14]);
    expect(model.roiHeads.box.pooler.outputSize).toEqual([7, 7]);
    model.dispose();
  });
}, ['wasm']);
