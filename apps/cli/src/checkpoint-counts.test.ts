import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type StateDict, type WeightTensor, writeSafetensors } from '@rcnn/core';
import { describe, expect, it } from 'vitest';
import { checkpointCountProblem } from './checkpoint-counts';
import { runCli, temporaryDirectory } from './test-support/run-cli';

function zeros(...shape: number[]): WeightTensor {
  return { dtype: 'float32', shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) };
}

/** The entries that carry the class count, for `classes` classes, with cls_score.weight given `scoreRows` rows. */
function predictors(classes: number, scoreRows = classes): StateDict {
  return new Map([
    ['roi_heads.box_predictor.cls_score.weight', zeros(scoreRows, 8)],
    ['roi_heads.box_predictor.cls_score.bias', zeros(classes)],
    ['roi_heads.box_predictor.bbox_pred.weight', zeros(classes * 4, 8)],
    ['roi_heads.box_predictor.bbox_pred.bias', zeros(classes * 4)],
    ['roi_heads.mask_predictor.mask_fcn_logits.weight', zeros(classes, 4, 1, 1)],
    ['roi_heads.mask_predictor.mask_fcn_logits.bias', zeros(classes)],
  ]);
}

describe('checkpointCountProblem', () => {
  it('accepts a checkpoint that agrees with itself, also without some predictors', () => {
    expect(checkpointCountProblem(predictors(91))).toBeUndefined();
    const boxOnly = predictors(5);
    boxOnly.delete('roi_heads.mask_predictor.mask_fcn_logits.weight');
    expect(checkpointCountProblem(boxOnly)).toBeUndefined();
    expect(checkpointCountProblem(new Map())).toBeUndefined();
  });

  it('names the odd entry once instead of every entry that disagrees with it', () => {
    expect(checkpointCountProblem(predictors(91, 90))).toBe(
      'its class counts disagree: roi_heads.box_predictor.cls_score.weight [90, 8] gives 90, while 5 other entries give 91 (a damaged or edited checkpoint)',
    );
    const keypoints: StateDict = new Map([
      ['roi_heads.keypoint_predictor.kps_score_lowres.weight', zeros(4, 17, 4, 4)],
      ['roi_heads.keypoint_predictor.kps_score_lowres.bias', zeros(16)],
    ]);
    expect(checkpointCountProblem(keypoints)).toMatch(
      /its keypoint counts disagree: .*weight \[4, 17, 4, 4\] gives 17, while 1 other entry gives 16|bias \[16\] gives 16, while 1 other entry gives 17/,
    );
  });

  it('is one line from the CLI, exit 1, before the detector is built', async () => {
    const directory = temporaryDirectory();
    const weights = join(directory, 'edited.safetensors');
    writeFileSync(weights, writeSafetensors(predictors(91, 90)));
    const { code, stderr } = await runCli(
      'convert',
      '--arch',
      'maskrcnn_resnet18_fpn',
      '--weights',
      weights,
      '--out',
      join(directory, 'o.safetensors'),
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^rcnn convert: --weights .*edited\.safetensors: its class counts disagree: roi_heads\.box_predictor\.cls_score\.weight \[90, 8\] gives 90, while 5 other entries give 91/,
    );
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
