import { fileURLToPath } from 'node:url';
import { describeEachBackend, expectNoLeaks } from '@rcnn/test-utils';
import { expect, it } from 'vitest';
import { RcnnError } from './errors';
import { readImageFile, readWeightsFile } from './node';

const path = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

describeEachBackend('@rcnn/core/node', () => {
  it('reads an image file into an int32 [H, W, 3] tensor without leaking', async () => {
    const image = await readImageFile(path('./image/__fixtures__/palette.png'));
    expect(image.shape).toEqual([12, 16, 3]);
    expect(image.dtype).toBe('int32');
    image.dispose();
    await expectNoLeaks(async () => (await readImageFile(path('./image/__fixtures__/gray.jpg'))).dispose());
  });

  it('reads weights from .pth and safetensors files by content', async () => {
    const pth = await readWeightsFile(path('./weights/pth/__fixtures__/wrapped.pth'));
    const safetensors = await readWeightsFile(path('./weights/pth/__fixtures__/tiny-expected.safetensors'));
    expect(pth.get('fc.weight')).toEqual(safetensors.get('fc.weight'));
    const checkpoint = path('./weights/pth/__fixtures__/train-checkpoint.pth');
    await expect(readWeightsFile(checkpoint)).rejects.toThrowError(/argparse\.Namespace/);
    expect((await readWeightsFile(checkpoint, { allowGlobals: ['argparse.Namespace'] })).size).toBe(9);
  });

  it('throws the same RcnnError class as the main entry', async () => {
    await expect(readImageFile(path('./no-such-file.png'))).rejects.toThrowError(RcnnError);
    await expect(readImageFile(path('./weights/pth/__fixtures__/tiny.pth'))).rejects.toThrowError(
      /neither PNG nor JPEG/,
    );
    await expect(readWeightsFile(path('./image/__fixtures__/rgb.png'))).rejects.toMatchObject({
      code: 'INVALID_WEIGHTS',
    });
  });
});
