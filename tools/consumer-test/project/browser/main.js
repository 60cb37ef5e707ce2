// A browser app's imports of every browser entry point (all but @rcnn/core/node), used
// so that nothing is tree-shaken away: vite-build.mjs bundles this for the browser.
import { ResnetFpnBackbone } from '@rcnn/backbone-resnet-fpn';
import { evaluateCoco } from '@rcnn/coco-eval';
import { imageToTensor, selectBackend } from '@rcnn/core';
import { MaskRcnnHead } from '@rcnn/heads';
import { createDetector, deterministicWeightsFor, disposeDetections } from '@rcnn/models';
import { drawInstances, toDetectedInstances } from '@rcnn/postprocess';
import { roiAlign } from '@rcnn/roi-align';
import { roiAlignReference } from '@rcnn/roi-align/base';
import { RegionProposalNetwork } from '@rcnn/rpn';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

setWasmPaths('/wasm/');

async function detect(canvas) {
  await selectBackend({ fallbacks: ['wasm', 'cpu'] });
  const model = createDetector('fasterrcnn_resnet18_fpn', { numClasses: 3, minSize: 48, maxSize: 64 });
  model.loadStateDict(deterministicWeightsFor(model));
  const image = imageToTensor(canvas);
  const [detections] = await model.predict([image]);
  const found = await toDetectedInstances(detections);
  const context = canvas.getContext('2d');
  drawInstances(context.getImageData(0, 0, canvas.width, canvas.height), found);
  disposeDetections([detections]);
  image.dispose();
  model.dispose();
  return found;
}

Object.assign(globalThis, {
  rcnnDetect: () => detect(document.getElementById('picture')),
  rcnnParts: [ResnetFpnBackbone, MaskRcnnHead, RegionProposalNetwork, roiAlign, roiAlignReference],
  rcnnEvaluate: evaluateCoco,
  tf,
});
