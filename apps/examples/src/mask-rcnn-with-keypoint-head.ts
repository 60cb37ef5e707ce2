/**
 * A Mask R-CNN preset with its mask branch swapped for a keypoint branch: the RoI heads take a
 * list of branches, so the swap is a new `RoiHeads` on the same box branch, not a new model
 * class. The weights show the checkpoint side of it: a Mask R-CNN checkpoint loads non-strictly
 * (its mask entries are reported unexpected, the keypoint ones missing), then the keypoint
 * branch's own entries are loaded.
 *
 * Run: `cd apps/examples && npx vite-node src/mask-rcnn-with-keypoint-head.ts`
 */
import { type DetectedInstance, deterministicStateDict } from '@rcnn/core';
import { KeypointBranch, KeypointRcnnHead, KeypointRcnnPredictor } from '@rcnn/heads';
import {
  decodeKeypointHeatmaps,
  deterministicWeightsFor,
  disposeDetections,
  GeneralizedRcnn,
  maskRcnnResnetFpn,
  RoiHeads,
  type StateDictReport,
} from '@rcnn/models';
import { toDetectedInstances } from '@rcnn/postprocess';
import { MultiScaleRoiAlign } from '@rcnn/roi-align';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { demoImage, runsAsProgram } from './demo-image';

export interface KeypointSwapResult {
  readonly instances: DetectedInstance[];
  /** What the Mask R-CNN checkpoint lacked and held beyond the keypoint model. */
  readonly report: StateDictReport;
}

export async function maskRcnnWithKeypointHead(): Promise<KeypointSwapResult> {
  const mask = maskRcnnResnetFpn({
    depth: 18,
    numClasses: 2,
    minSize: 64,
    maxSize: 96,
    boxDetectionsPerImg: 5,
  });
  const maskCheckpoint = deterministicWeightsFor(mask); // stands in for a trained Mask R-CNN's state_dict

  // Swap: same transform, backbone, RPN and box branch; a keypoint branch instead of the mask one.
  const [maskBranch] = mask.roiHeads.branches;
  maskBranch!.dispose(); // the dropped branch's weights
  const keypoint = new KeypointBranch({
    pooler: new MultiScaleRoiAlign({ outputSize: [14, 14], samplingRatio: 2 }),
    head: new KeypointRcnnHead({ inChannels: 256, layers: [256, 256, 256, 256] }), // lighter than torchvision's 8 x 512
    predictor: new KeypointRcnnPredictor({ inChannels: 256, numKeypoints: 17 }),
    decodeHeatmaps: decodeKeypointHeatmaps, // @rcnn/postprocess heatmapsToKeypoints
  });
  const { box, scoreThresh, nmsThresh, detectionsPerImage } = mask.roiHeads;
  const model = new GeneralizedRcnn({
    transform: mask.transform,
    backbone: mask.backbone,
    proposalGenerator: mask.proposalGenerator,
    roiHeads: new RoiHeads({ box, branches: [keypoint], scoreThresh, nmsThresh, detectionsPerImage }),
  });

  const report = model.loadStateDict(maskCheckpoint, { strict: false });
  // The keypoint branch's entries (roi_heads.keypoint_head.*, roi_heads.keypoint_predictor.*).
  const keypointWeights = deterministicStateDict(
    model.stateDictShapes().filter(([name]) => name.startsWith('roi_heads.keypoint_')),
  );
  model.loadStateDict(keypointWeights, { strict: false });

  const image = demoImage();
  try {
    const [detections] = await model.predict([image]);
    const instances = await toDetectedInstances(detections!);
    disposeDetections([detections!]);
    return { instances, report };
  } finally {
    image.dispose();
    model.dispose(); // the swapped model owns every remaining part
  }
}

if (runsAsProgram()) {
  await tf.setBackend('wasm');
  const { instances, report } = await maskRcnnWithKeypointHead();
  console.log(
    `checkpoint: ${report.missing.length} missing (keypoint branch), ${report.unexpected.length} unexpected (mask branch)`,
  );
  for (const { box, score, keypoints } of instances) {
    const [x, y] = keypoints![0]!;
    console.log(
      `score ${score.toFixed(3)} box [${box.map((v) => v.toFixed(1)).join(', ')}] first keypoint (${x.toFixed(1)}, ${y.toFixed(1)})`,
    );
  }
}
