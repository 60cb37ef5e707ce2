import type { StateDict } from '@rcnn/core';

/** An entry whose shape gives a count, and how: dimension `dim` divided by `per`. */
interface CountSource {
  readonly key: string;
  readonly dim: number;
  readonly per: number;
}

const CLASS_SOURCES: readonly CountSource[] = [
  { key: 'roi_heads.box_predictor.cls_score.weight', dim: 0, per: 1 },
  { key: 'roi_heads.box_predictor.cls_score.bias', dim: 0, per: 1 },
  { key: 'roi_heads.box_predictor.bbox_pred.weight', dim: 0, per: 4 },
  { key: 'roi_heads.box_predictor.bbox_pred.bias', dim: 0, per: 4 },
  { key: 'roi_heads.mask_predictor.mask_fcn_logits.weight', dim: 0, per: 1 },
  { key: 'roi_heads.mask_predictor.mask_fcn_logits.bias', dim: 0, per: 1 },
];

const KEYPOINT_SOURCES: readonly CountSource[] = [
  // ConvTranspose2d weight in torch layout: [in, out, kh, kw].
  { key: 'roi_heads.keypoint_predictor.kps_score_lowres.weight', dim: 1, per: 1 },
  { key: 'roi_heads.keypoint_predictor.kps_score_lowres.bias', dim: 0, per: 1 },
];

function disagreement(
  stateDict: StateDict,
  what: string,
  sources: readonly CountSource[],
): string | undefined {
  const votes: { key: string; shape: readonly number[]; count: number }[] = [];
  for (const { key, dim, per } of sources) {
    const entry = stateDict.get(key);
    const size = entry?.shape[dim];
    if (entry && size !== undefined) votes.push({ key, shape: entry.shape, count: size / per });
  }
  const tally = new Map<number, number>();
  for (const { count } of votes) tally.set(count, (tally.get(count) ?? 0) + 1);
  if (tally.size <= 1) return undefined;
  const [majority, agreeing] = [...tally.entries()].sort((a, b) => b[1] - a[1])[0]!;
  const odd = votes.filter((vote) => vote.count !== majority);
  const named = odd.map((vote) => `${vote.key} [${vote.shape.join(', ')}] gives ${vote.count}`).join(', ');
  return `its ${what} disagree: ${named}, while ${agreeing} other entr${agreeing === 1 ? 'y gives' : 'ies give'} ${majority}`;
}

/**
 * Checks that a checkpoint agrees with itself on its class and keypoint counts (the box
 * predictor, mask predictor and keypoint predictor each carry them). The detector infers the
 * counts from one entry; when that entry is the damaged one, every other entry would be
 * reported as mis-shaped instead. This names the odd entries, once.
 * @returns one line saying what disagrees, or undefined when the counts agree
 */
export function checkpointCountProblem(stateDict: StateDict): string | undefined {
  const problems = [
    disagreement(stateDict, 'class counts', CLASS_SOURCES),
    disagreement(stateDict, 'keypoint counts', KEYPOINT_SOURCES),
  ].filter((problem): problem is string => problem !== undefined);
  return problems.length > 0 ? `${problems.join('; ')} (a damaged or edited checkpoint)` : undefined;
}
