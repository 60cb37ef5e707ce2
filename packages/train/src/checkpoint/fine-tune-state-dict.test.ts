import type { StateDict, WeightTensor } from '@rcnn/core';
import { describe, expect, it } from 'vitest';
import { fineTuneStateDict } from './fine-tune-state-dict';

const entry = (shape: number[], value: number): WeightTensor => ({
  dtype: 'float32',
  shape,
  data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value),
});

describe('fineTuneStateDict', () => {
  it('takes every entry whose name and shape agree and keeps the new predictors', () => {
    const initial: StateDict = new Map([
      ['backbone.body.conv1.weight', entry([4, 3, 3, 3], 0)],
      ['roi_heads.box_predictor.cls_score.weight', entry([7, 8], 0)],
      ['roi_heads.box_predictor.cls_score.bias', entry([7], 0)],
      ['roi_heads.box_head.fc6.bias', entry([8], 0)],
    ]);
    const coco: StateDict = new Map([
      ['backbone.body.conv1.weight', entry([4, 3, 3, 3], 1)],
      ['roi_heads.box_predictor.cls_score.weight', entry([91, 8], 1)],
      ['roi_heads.box_predictor.cls_score.bias', entry([91], 1)],
      ['roi_heads.box_head.fc6.bias', entry([8], 1)],
      ['backbone.body.bn1.num_batches_tracked', entry([], 1)],
    ]);
    const merged = fineTuneStateDict(initial, coco);
    expect([...merged.stateDict.keys()]).toEqual([...initial.keys()]);
    expect(merged.stateDict.get('backbone.body.conv1.weight')?.data[0]).toBe(1);
    expect(merged.stateDict.get('roi_heads.box_head.fc6.bias')?.data[0]).toBe(1);
    expect(merged.stateDict.get('roi_heads.box_predictor.cls_score.weight')?.data[0]).toBe(0);
    expect(merged.reinitialised).toEqual([
      'roi_heads.box_predictor.cls_score.weight',
      'roi_heads.box_predictor.cls_score.bias',
    ]);
    expect(merged.unused).toEqual(['backbone.body.bn1.num_batches_tracked']);
  });

  it('refuses a checkpoint of another model entirely', () => {
    const initial: StateDict = new Map([['a.weight', entry([2], 0)]]);
    expect(() => fineTuneStateDict(initial, new Map([['b.weight', entry([2], 1)]]))).toThrow(
      /no entry of this model/,
    );
  });
});
