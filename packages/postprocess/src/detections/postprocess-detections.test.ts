import {
  asBoxes,
  BoxCoder,
  type Boxes,
  disposeInstances,
  type ImageSize,
  RcnnError,
  readSafetensors,
} from '@rcnn/core';
import { describeEachBackend, expectNoLeaks, maxAbsDiff, readFixtureBytes } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { postprocessDetections } from './postprocess-detections';

// tools/reference/gen_postprocess.py (fixtures in src/__fixtures__): torchvision RoIHeads.postprocess_detections
// for two images (24 + 16 proposals, 5 classes) with duplicate rows, equal scores, rows whose
// other classes fall below the threshold, clamped dw/dh and a zero-size proposal.
const fixture = readSafetensors(
  readFixtureBytes(new URL('..', import.meta.url).href, 'detections.safetensors'),
);
const configs = JSON.parse(fixture.metadata.configs!) as Record<string, [number, number, number]>;
const entry = (name: string) => fixture.tensors.get(name)!;
const imageSizes = (() => {
  const values = entry('image_sizes').data;
  return [
    [values[0]!, values[1]!],
    [values[2]!, values[3]!],
  ] as ImageSize[];
})();

function inputs() {
  const tensor = (name: string) =>
    tf.tensor(entry(name).data as Float32Array, [...entry(name).shape], 'float32');
  return {
    classLogits: tensor('class_logits') as tf.Tensor2D,
    boxRegression: tensor('box_regression') as tf.Tensor2D,
    proposals: [asBoxes(tensor('proposals0')), asBoxes(tensor('proposals1'))] as Boxes[],
  };
}

function disposeInputs(value: ReturnType<typeof inputs>): void {
  tf.dispose([value.classLogits, value.boxRegression, ...value.proposals]);
}

describeEachBackend('postprocessDetections', () => {
  for (const [name, [scoreThresh, nmsThresh, detectionsPerImage]] of Object.entries(configs)) {
    it(`matches torchvision postprocess_detections (${name}: score > ${scoreThresh}, NMS ${nmsThresh}, top ${detectionsPerImage})`, async () => {
      const input = inputs();
      const results = await postprocessDetections({
        ...input,
        imageSizes,
        scoreThresh,
        nmsThresh,
        detectionsPerImage,
      });
      expect(results).toHaveLength(2);
      for (const [image, result] of results.entries()) {
        const expectedLabels = Array.from(entry(`${name}/labels${image}`).data);
        expect(result.imageSize).toEqual(imageSizes[image]);
        expect(result.labels.dtype).toBe('int32');
        expect(Array.from(await result.labels.data())).toEqual(expectedLabels);
        const boxError = maxAbsDiff(await result.boxes.data(), entry(`${name}/boxes${image}`).data);
        const scoreError = maxAbsDiff(await result.scores.data(), entry(`${name}/scores${image}`).data);
        if (name === 'default') {
          console.info(
            `postprocessDetections image ${image}: ${expectedLabels.length} detections, max |diff| boxes ${boxError.toExponential(2)} px, scores ${scoreError.toExponential(2)}`,
          );
        }
        expect(boxError).toBeLessThan(1e-4);
        expect(scoreError).toBeLessThan(1e-5);
        disposeInstances(result);
      }
      disposeInputs(input);
    });
  }

  it('decodes with the same boxes as torchvision BoxCoder.decode (stage input)', async () => {
    const input = inputs();
    const references = asBoxes(tf.concat(input.proposals));
    const decoded = new BoxCoder({ weights: [10, 10, 5, 5] }).decode(input.boxRegression, references);
    expect(maxAbsDiff(await decoded.data(), entry('decoded').data)).toBeLessThan(1e-4);
    tf.dispose([references, decoded]);
    disposeInputs(input);
  });

  it('returns empty instances when every score is below the threshold', async () => {
    const input = inputs();
    const results = await postprocessDetections({ ...input, imageSizes, scoreThresh: 1 });
    expect(results.map((result) => result.boxes.shape)).toEqual([
      [0, 4],
      [0, 4],
    ]);
    expect(results[0]!.labels.dtype).toBe('int32');
    results.forEach(disposeInstances);
    disposeInputs(input);
  });

  it('handles images without proposals', async () => {
    const results = await postprocessDetections({
      classLogits: tf.zeros([0, 3]),
      boxRegression: tf.zeros([0, 12]),
      proposals: [asBoxes(tf.zeros([0, 4]))],
      imageSizes: [[10, 10]],
    });
    expect(results[0]!.scores.shape).toEqual([0]);
    results.forEach(disposeInstances);
  });

  it('rejects inconsistent shapes with RcnnError', async () => {
    const input = inputs();
    await expect(postprocessDetections({ ...input, imageSizes: [imageSizes[0]!] })).rejects.toThrow(
      RcnnError,
    );
    await expect(
      postprocessDetections({ ...input, proposals: [input.proposals[0]!], imageSizes: [imageSizes[0]!] }),
    ).rejects.toThrow(/40 rows but the proposals hold 24/);
    await expect(
      postprocessDetections({ ...input, boxRegression: tf.zeros([40, 8]) as tf.Tensor2D, imageSizes }),
    ).rejects.toThrow(/boxRegression/);
    await expect(postprocessDetections({ ...input, imageSizes, detectionsPerImage: -1 })).rejects.toThrow(
      RcnnError,
    );
    disposeInputs(input);
  });

  it('leaks no tensors', async () => {
    const input = inputs();
    await expectNoLeaks(async () =>
      (await postprocessDetections({ ...input, imageSizes })).forEach(disposeInstances),
    );
    await expectNoLeaks(async () =>
      (await postprocessDetections({ ...input, imageSizes, scoreThresh: 2 })).forEach(disposeInstances),
    );
    disposeInputs(input);
  });
});
