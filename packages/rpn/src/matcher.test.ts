import { Matcher, pairwiseIou, RcnnError } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { fixtureBoxes, fixtureTensor, rpnFixture } from '../test/rpn-fixture';

const rpnMatcher = () => new Matcher({ highThreshold: 0.7, lowThreshold: 0.3, allowLowQualityMatches: true });

async function matchOf(matcher: Matcher, quality: number[][]): Promise<number[]> {
  const matrix = tf.tensor2d(quality);
  const matches = matcher.match(matrix);
  const out = Array.from(await matches.data());
  expect(matches.dtype).toBe('int32');
  tf.dispose([matrix, matches]);
  return out;
}

describeEachBackend('Matcher', () => {
  it('equals torchvision Matcher on torchvision IoU, and on our IoU', async () => {
    const fixture = rpnFixture();
    for (const image of [0, 1]) {
      const expected = Array.from(fixture.ints(`matcher/matches/${image}`));
      const quality = fixtureTensor(`matcher/quality/${image}`) as tf.Tensor2D;
      const fromTorchIou = rpnMatcher().match(quality);
      expect(Array.from(await fromTorchIou.data())).toEqual(expected);
      const gt = fixtureBoxes(`gt/${image}`);
      const anchors = fixtureBoxes('anchors');
      const ourIou = pairwiseIou(gt, anchors);
      const fromOurIou = rpnMatcher().match(ourIou);
      expect(Array.from(await fromOurIou.data())).toEqual(expected);
      tf.dispose([quality, fromTorchIou, gt, anchors, ourIou, fromOurIou]);
    }
    // the tiny box of image 1 (index 0) is matched only through the low-quality rule
    expect(Array.from(fixture.ints('matcher/matches/1')).filter((m) => m === 0).length).toBeGreaterThan(0);
  });

  it('applies thresholds: >= high matched, [low, high) between, < low below', async () => {
    const matcher = new Matcher({ highThreshold: 0.7, lowThreshold: 0.3 });
    const quality = [
      [0.7, 0.69, 0.3, 0.29, 0.1],
      [0.1, 0.2, 0.1, 0.0, 0.8],
    ];
    expect(await matchOf(matcher, quality)).toEqual([0, -2, -2, -1, 1]);
  });

  it('low-quality matches include ties and use each element’s own best truth', async () => {
    const matcher = new Matcher({ highThreshold: 0.7, lowThreshold: 0.3, allowLowQualityMatches: true });
    // truth 0's best is 0.4 (elements 0 and 2, tied); element 2's own best truth is 1 (0.5)
    const quality = [
      [0.4, 0.1, 0.4, 0.0],
      [0.0, 0.2, 0.5, 0.9],
    ];
    expect(await matchOf(matcher, quality)).toEqual([0, -1, 1, 1]);
    const strict = new Matcher({ highThreshold: 0.7, lowThreshold: 0.3 });
    expect(await matchOf(strict, quality)).toEqual([-2, -1, -2, 1]);
  });

  it('handles no ground truth (all background) and no elements', async () => {
    const empty = tf.zeros([0, 5]) as tf.Tensor2D;
    const none = rpnMatcher().match(empty);
    expect(Array.from(await none.data())).toEqual([-1, -1, -1, -1, -1]);
    const noElements = tf.zeros([2, 0]) as tf.Tensor2D;
    const nothing = rpnMatcher().match(noElements);
    expect(nothing.shape).toEqual([0]);
    tf.dispose([empty, none, noElements, nothing]);
  });

  it('rejects bad thresholds and shapes', () => {
    expect(() => new Matcher({ highThreshold: 0.3, lowThreshold: 0.7 })).toThrow(RcnnError);
    const flat = tf.zeros([4]);
    expect(() => rpnMatcher().match(flat as tf.Tensor2D)).toThrow(
      expect.objectContaining({ code: 'INVALID_SHAPE' }),
    );
    flat.dispose();
  });

  it('does not leak', async () => {
    const quality = tf.tensor2d([
      [0.4, 0.1, 0.8],
      [0.0, 0.5, 0.2],
    ]);
    const empty = tf.zeros([0, 3]) as tf.Tensor2D;
    await expectNoLeaks(() => {
      rpnMatcher().match(quality).dispose();
      rpnMatcher().match(empty).dispose();
    });
    tf.dispose([quality, empty]);
  });
});
