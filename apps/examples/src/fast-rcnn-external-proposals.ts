/**
 * Fast R-CNN: the RoI heads of a Faster R-CNN preset fed boxes from elsewhere (selective search,
 * another detector, a user's clicks) through `GivenProposals` instead of the RPN. Boxes are given
 * in the user's image pixels and mapped to the resized image the heads see.
 *
 * Run: `cd apps/examples && npx vite-node src/fast-rcnn-external-proposals.ts`
 */
import { asBoxes, type DetectedInstance, type ImageSize, resizeBoxes } from '@rcnn/core';
import {
  deterministicWeightsFor,
  disposeDetections,
  fasterRcnnResnetFpn,
  GeneralizedRcnn,
} from '@rcnn/models';
import { toDetectedInstances } from '@rcnn/postprocess';
import { GivenProposals } from '@rcnn/rpn';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { demoImage, runsAsProgram } from './demo-image';

/** Proposals for the demo image, `[x1, y1, x2, y2]` in its pixels (60 x 80). */
export const EXTERNAL_PROPOSALS: [number, number, number, number][] = [
  [4, 6, 40, 50],
  [30, 10, 78, 44],
  [10, 30, 60, 59],
  [0, 0, 80, 60],
];

export async function fastRcnnExternalProposals(
  proposals = EXTERNAL_PROPOSALS,
): Promise<{ instances: DetectedInstance[]; unexpected: string[] }> {
  const faster = fasterRcnnResnetFpn({
    depth: 18,
    numClasses: 4,
    minSize: 64,
    maxSize: 96,
    boxDetectionsPerImg: 5,
  });
  const checkpoint = deterministicWeightsFor(faster); // stands in for a trained Faster R-CNN's state_dict
  faster.proposalGenerator.dispose(); // the RPN is not used: release its weights

  const image = demoImage();
  const originalSize: ImageSize = [image.shape[0], image.shape[1]];
  const resizedSize = faster.transform.resizedSize(originalSize);
  const given = tf.tidy(() => asBoxes(tf.tensor2d(proposals.flat(), [proposals.length, 4])));
  const resized = resizeBoxes(given, originalSize, resizedSize); // user pixels -> the heads' pixels

  const model = new GeneralizedRcnn({
    transform: faster.transform,
    backbone: faster.backbone,
    proposalGenerator: new GivenProposals([resized]), // one box set per image of the batch
    roiHeads: faster.roiHeads,
  });
  // No RPN any more: its entries are unexpected, so load non-strictly.
  const { unexpected } = model.loadStateDict(checkpoint, { strict: false });
  try {
    const [detections] = await model.predict([image]);
    const instances = await toDetectedInstances(detections!);
    disposeDetections([detections!]);
    return { instances, unexpected };
  } finally {
    tf.dispose([image, given, resized]);
    model.dispose();
  }
}

if (runsAsProgram()) {
  await tf.setBackend('wasm');
  const { instances, unexpected } = await fastRcnnExternalProposals();
  console.log(`ignored checkpoint entries: ${unexpected.join(', ')}`);
  for (const { box, score, label } of instances) {
    console.log(`label ${label} score ${score.toFixed(3)} box [${box.map((v) => v.toFixed(1)).join(', ')}]`);
  }
}
