import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeSafetensors } from '@rcnn/core';
import { createDetector, deterministicWeightsFor } from '@rcnn/models';

/**
 * Writes a torchvision-layout `fasterrcnn_resnet18_fpn` checkpoint with two classes whose
 * classifier favours class 1 (bias 5), so its detections pass torchvision's 0.05 score
 * threshold, which checkpoints keep. Deterministic weights otherwise (about 110 MB).
 * @returns the file's bytes
 */
export async function writeTwoClassCheckpoint(path: string): Promise<Uint8Array> {
  const model = createDetector('fasterrcnn_resnet18_fpn', { numClasses: 3 });
  const weights = deterministicWeightsFor(model);
  model.dispose();
  weights.set('roi_heads.box_predictor.cls_score.bias', {
    dtype: 'float32',
    shape: [3],
    data: Float32Array.of(0, 5, 0),
  });
  const bytes = writeSafetensors(weights);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
  return bytes;
}
