import type { Boxes } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Test-only RoIAlign written from its definition (torchvision `ops.roi_align` semantics with
 * spatial_scale 1, sampling_ratio -1 = adaptive ceil(roi / bins), aligned False), plain loops
 * in float64, NHWC. Stands in for @rcnn/roi-align, which heads must not import.
 */
export function roiAlignLoops(
  input: tf.Tensor4D,
  boxes: Boxes,
  boxIndices: tf.Tensor1D,
  outputSize: number,
): tf.Tensor4D {
  const [, height, width, channels] = input.shape;
  const data = input.dataSync();
  const rois = boxes.dataSync();
  const images = boxIndices.dataSync();
  const count = boxes.shape[0];
  const out = new Float32Array(count * outputSize * outputSize * channels);
  const at = (image: number, y: number, x: number, c: number) =>
    data[((image * height + y) * width + x) * channels + c]!;
  for (let n = 0; n < count; n++) {
    const [x1, y1, x2, y2] = [rois[4 * n]!, rois[4 * n + 1]!, rois[4 * n + 2]!, rois[4 * n + 3]!];
    const roiWidth = Math.max(x2 - x1, 1);
    const roiHeight = Math.max(y2 - y1, 1);
    const binWidth = roiWidth / outputSize;
    const binHeight = roiHeight / outputSize;
    const gridWidth = Math.ceil(roiWidth / outputSize);
    const gridHeight = Math.ceil(roiHeight / outputSize);
    const samples = Math.max(gridWidth * gridHeight, 1);
    for (let py = 0; py < outputSize; py++) {
      for (let px = 0; px < outputSize; px++) {
        for (let c = 0; c < channels; c++) {
          let sum = 0;
          for (let iy = 0; iy < gridHeight; iy++) {
            for (let ix = 0; ix < gridWidth; ix++) {
              let y = y1 + py * binHeight + ((iy + 0.5) * binHeight) / gridHeight;
              let x = x1 + px * binWidth + ((ix + 0.5) * binWidth) / gridWidth;
              if (y < -1 || y > height || x < -1 || x > width) continue;
              y = Math.max(y, 0);
              x = Math.max(x, 0);
              let yLow = Math.floor(y);
              let xLow = Math.floor(x);
              let yHigh = yLow + 1;
              let xHigh = xLow + 1;
              if (yLow >= height - 1) yHigh = yLow = height - 1;
              if (xLow >= width - 1) xHigh = xLow = width - 1;
              if (yLow === height - 1) y = yLow;
              if (xLow === width - 1) x = xLow;
              const ly = y - yLow;
              const lx = x - xLow;
              const image = images[n]!;
              sum +=
                (1 - ly) * (1 - lx) * at(image, yLow, xLow, c) +
                (1 - ly) * lx * at(image, yLow, xHigh, c) +
                ly * (1 - lx) * at(image, yHigh, xLow, c) +
                ly * lx * at(image, yHigh, xHigh, c);
            }
          }
          out[((n * outputSize + py) * outputSize + px) * channels + c] = sum / samples;
        }
      }
    }
  }
  return tf.tensor4d(out, [count, outputSize, outputSize, channels]);
}
