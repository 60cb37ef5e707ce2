// Shared by node-esm.mjs and node-cjs.cjs (CommonJS so that both can load it): a small
// Mask R-CNN (ResNet-18-FPN, deterministic weights) on a synthetic 40x56 PNG, on whatever
// @rcnn modules the caller loaded (ESM or CJS builds). Asserts the detections' shapes and
// ranges, that nothing leaks, and returns a plain summary for the two runs to be compared.
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const WIDTH = 56;
const HEIGHT = 40;
const CLASSES = 3;
const MAX_DETECTIONS = 5;

function check(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

/** A deterministic RGB picture: a bright rectangle on a gradient. */
function syntheticPixels() {
  const pixels = new Uint8Array(WIDTH * HEIGHT * 3);
  for (let y = 0; y < HEIGHT; y += 1) {
    for (let x = 0; x < WIDTH; x += 1) {
      const inside = x >= 14 && x < 40 && y >= 8 && y < 30;
      const i = (y * WIDTH + x) * 3;
      pixels[i] = inside ? 230 : (x * 4) % 256;
      pixels[i + 1] = inside ? 200 : (y * 6) % 256;
      pixels[i + 2] = inside ? 40 : 128;
    }
  }
  return pixels;
}

/**
 * @param rcnn { core, coreNode, models, postprocess } as loaded by the caller
 * @param tf the caller's @tensorflow/tfjs-core
 * @returns { backend, count, boxes, scores, labels, rleSizes }
 */
async function predictSmall(rcnn, tf) {
  const { core, coreNode, models, postprocess } = rcnn;
  const backend = await core.selectBackend({ preferred: 'wasm', fallbacks: [] });
  check(backend === 'wasm' && tf.getBackend() === 'wasm', `wasm backend active (got ${backend})`);

  const dir = mkdtempSync(join(tmpdir(), 'rcnn-consumer-image-'));
  const path = join(dir, 'small.png');
  writeFileSync(path, core.encodePng(syntheticPixels(), WIDTH, HEIGHT));
  const tensorsBefore = tf.memory().numTensors;
  const image = await coreNode.readImageFile(path);
  rmSync(dir, { recursive: true, force: true });
  check(image.shape.join() === `${HEIGHT},${WIDTH},3`, `decoded image shape ${image.shape}`);

  const model = models.createDetector('maskrcnn_resnet18_fpn', {
    numClasses: CLASSES,
    minSize: 48,
    maxSize: 64,
    rpnPreNmsTopNTest: 100,
    rpnPostNmsTopNTest: 30,
    boxScoreThresh: 0,
    boxDetectionsPerImg: MAX_DETECTIONS,
  });
  model.loadStateDict(models.deterministicWeightsFor(model));
  const [detections] = await model.predict([image], { pasteMasks: true });
  const { boxes, scores, labels, masks } = detections;
  const n = boxes.shape[0];
  check(n >= 1 && n <= MAX_DETECTIONS, `1..${MAX_DETECTIONS} detections (got ${n})`);
  check(boxes.shape.join() === `${n},4`, `boxes [N, 4] (got ${boxes.shape})`);
  check(scores.shape.join() === `${n}` && labels.shape.join() === `${n}`, 'scores and labels [N]');
  check(labels.dtype === 'int32', `labels int32 (got ${labels.dtype})`);
  check(masks.shape.join() === `${n},${HEIGHT},${WIDTH}`, `pasted masks [N, H, W] (got ${masks.shape})`);
  const boxValues = Array.from(await boxes.data());
  const scoreValues = Array.from(await scores.data());
  const labelValues = Array.from(await labels.data());
  const maskValues = await masks.data();
  for (let i = 0; i < n; i += 1) {
    const [x1, y1, x2, y2] = boxValues.slice(i * 4, i * 4 + 4);
    check(0 <= x1 && x1 <= x2 && x2 <= WIDTH && 0 <= y1 && y1 <= y2 && y2 <= HEIGHT, `box ${i} in image`);
    check(scoreValues[i] > 0 && scoreValues[i] <= 1, `score ${i} in (0, 1]`);
    check(i === 0 || scoreValues[i] <= scoreValues[i - 1], 'scores decreasing');
    check(labelValues[i] >= 1 && labelValues[i] < CLASSES, `label ${i} in 1..${CLASSES - 1}`);
  }
  check(
    maskValues.every((v) => v >= 0 && v <= 1),
    'mask probabilities in [0, 1]',
  );
  const instances = await postprocess.toDetectedInstances(detections);
  check(instances.length === n, 'toDetectedInstances gives one record per detection');
  const rleSizes = instances.map((instance) => instance.mask?.size?.join('x'));
  check(
    rleSizes.every((size) => size === `${HEIGHT}x${WIDTH}`),
    `one COCO RLE mask per detection, image-sized (got ${rleSizes})`,
  );

  models.disposeDetections([detections]);
  image.dispose();
  model.dispose();
  const leaked = tf.memory().numTensors - tensorsBefore;
  check(leaked === 0, `no tensors leaked (got ${leaked})`);
  return { backend, count: n, boxes: boxValues, scores: scoreValues, labels: labelValues, rleSizes };
}

module.exports = { predictSmall, check };
