/**
 * Faster R-CNN built by hand from the packages: a ResNet-18-FPN backbone, an RPN, a 7x7
 * RoIAlign pooler, the box branch and the RoI heads, composed into a GeneralizedRcnn. Each part
 * loads its own entries of one torchvision-named state_dict (here deterministic test weights;
 * with a real checkpoint: `readStateDict(await readFile('fasterrcnn.pth'))` from `@rcnn/core`).
 *
 * Run: `cd apps/examples && npx vite-node src/faster-rcnn-by-hand.ts`
 */
import { resnetFpnBackbone, resnetFpnParameterShapes } from '@rcnn/backbone-resnet-fpn';
import { type DetectedInstance, deterministicStateDict, ImageTransform } from '@rcnn/core';
import { BoxBranch, FastRcnnPredictor, TwoMlpHead } from '@rcnn/heads';
import { disposeDetections, GeneralizedRcnn, RoiHeads } from '@rcnn/models';
import { toDetectedInstances } from '@rcnn/postprocess';
import { MultiScaleRoiAlign } from '@rcnn/roi-align';
import { AnchorGenerator, RegionProposalNetwork, RpnHead } from '@rcnn/rpn';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { demoImage, runsAsProgram } from './demo-image';

export async function fasterRcnnByHand(): Promise<DetectedInstance[]> {
  const numClasses = 4; // background + 3
  // The heads first (they start with torchvision's random init), so their names and shapes
  // can be listed for the deterministic state_dict.
  const rpnHead = new RpnHead({ inChannels: 256, numAnchors: 3 });
  const boxHead = new TwoMlpHead({ inChannels: 256, resolution: [7, 7], representationSize: 256 });
  const boxPredictor = new FastRcnnPredictor({ inChannels: 256, numClasses });
  const weights = deterministicStateDict([
    ...resnetFpnParameterShapes({ depth: 18 }),
    ...rpnHead.stateDictShapes(),
    ...boxHead.stateDictShapes(),
    ...boxPredictor.stateDictShapes(),
  ]);
  rpnHead.loadStateDict(weights); // reads rpn.head.*
  boxHead.loadStateDict(weights); // roi_heads.box_head.*
  boxPredictor.loadStateDict(weights); // roi_heads.box_predictor.*

  const model = new GeneralizedRcnn({
    transform: new ImageTransform({ minSize: 64, maxSize: 96 }), // torchvision: 800 / 1333
    backbone: resnetFpnBackbone(weights, { depth: 18 }), // reads backbone.body.*, backbone.fpn.*
    proposalGenerator: new RegionProposalNetwork({
      anchorGenerator: new AnchorGenerator(), // 32..512 on p2..p6, ratios 0.5, 1, 2
      head: rpnHead,
      preNmsTopN: { train: 2000, infer: 200 },
      postNmsTopN: { train: 2000, infer: 100 },
    }),
    roiHeads: new RoiHeads({
      box: new BoxBranch({
        pooler: new MultiScaleRoiAlign({
          featureNames: ['p2', 'p3', 'p4', 'p5'],
          outputSize: [7, 7],
          samplingRatio: 2,
        }),
        head: boxHead,
        predictor: boxPredictor,
      }),
      scoreThresh: 0.05,
      detectionsPerImage: 5,
    }),
  });

  const image = demoImage();
  try {
    const [detections] = await model.predict([image], {
      onStage: (stage, ms) => console.log(`  ${stage}: ${ms.toFixed(0)} ms`),
    });
    const results = await toDetectedInstances(detections!); // plain numbers, original pixels
    disposeDetections([detections!]);
    return results;
  } finally {
    image.dispose();
    model.dispose();
  }
}

if (runsAsProgram()) {
  await tf.setBackend('wasm');
  for (const { box, score, label } of await fasterRcnnByHand()) {
    console.log(`label ${label} score ${score.toFixed(3)} box [${box.map((v) => v.toFixed(1)).join(', ')}]`);
  }
}
