import { RcnnError } from '@rcnn/core';
import { describeEachBackend, expectNoLeaks, seededRandom } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { decodeRleRowMajor } from './coco-rle';
import { masksToRle } from './masks-to-rle';

/** Column-major run lengths of a row-major 0/1 mask, zeros first: COCO's uncompressed RLE, by hand. */
function runLengths(mask: Uint8Array, height: number, width: number): number[] {
  const runs: number[] = [];
  let previous = 0;
  let run = 0;
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      const value = mask[y * width + x]!;
      if (value !== previous) {
        runs.push(run);
        run = 0;
        previous = value;
      }
      run++;
    }
  }
  runs.push(run);
  return runs;
}

describeEachBackend('masksToRle', () => {
  it('round-trips random masks through COCO RLE (sizes not a multiple of 8)', async () => {
    const [count, height, width] = [3, 13, 7];
    const random = seededRandom(5);
    const values = Uint8Array.from({ length: count * height * width }, () => (random() > 0.6 ? 1 : 0));
    const masks = tf.tensor3d(values, [count, height, width], 'bool');
    const rles = await masksToRle(masks);
    expect(rles).toHaveLength(count);
    for (let i = 0; i < count; i++) {
      const expected = values.subarray(i * height * width, (i + 1) * height * width);
      expect(rles[i]!.size).toEqual([height, width]);
      expect(Array.from(decodeRleRowMajor(rles[i]!))).toEqual(Array.from(expected));
      expect(runLengths(expected, height, width).length).toBeGreaterThan(4);
    }
    masks.dispose();
  });

  it("matches pycocotools' string for a known mask", async () => {
    // Column-major pixels 0,1,1,0 | 0,0,1,1 | 1,1,1,1: runs 1 zero, 2 ones, 3 zeros, 6 ones.
    // maskApi.c rleToString: runs below 16 are one character chr(48 + run), and from the
    // fourth run on the difference to the run two before is stored (6 - 2 = 4).
    const mask = tf.tensor3d([
      [
        [0, 0, 1],
        [1, 0, 1],
        [1, 1, 1],
        [0, 1, 1],
      ],
    ]);
    const [rle] = await masksToRle(mask);
    expect(rle).toEqual({ size: [4, 3], counts: '1234' });
    mask.dispose();
  });

  it('encodes empty and full masks, and no masks', async () => {
    const masks = tf.concat([tf.zeros([1, 5, 6]), tf.ones([1, 5, 6])]) as tf.Tensor3D;
    const [empty, full] = await masksToRle(masks);
    expect(decodeRleRowMajor(empty!).every((v) => v === 0)).toBe(true);
    expect(decodeRleRowMajor(full!).every((v) => v === 1)).toBe(true);
    expect(await masksToRle(tf.zeros([0, 5, 6]))).toEqual([]);
    masks.dispose();
  });

  it('rejects non-3-D input with RcnnError', async () => {
    await expect(masksToRle(tf.zeros([5, 6]) as never)).rejects.toThrow(RcnnError);
  });

  it('leaks no tensors', async () => {
    const masks = tf.tensor3d(
      new Float32Array(2 * 9 * 11).map((_, i) => i % 3),
      [2, 9, 11],
    );
    await expectNoLeaks(() => masksToRle(masks));
    masks.dispose();
  });
});
