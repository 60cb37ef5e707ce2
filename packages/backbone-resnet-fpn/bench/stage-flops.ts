import type { Conv2d } from '@rcnn/core';
import type { ResnetFpnBackbone } from '../src/resnet-fpn-backbone';

type Size = [height: number, width: number];

function outputSize(conv: Conv2d, [height, width]: Size): Size {
  const { padding, stride } = conv.geometry;
  return [
    Math.floor((height + 2 * padding - conv.kernelSize) / stride) + 1,
    Math.floor((width + 2 * padding - conv.kernelSize) / stride) + 1,
  ];
}

/** Convolution FLOPs (2 x multiply-adds) per stage of one image, from the layers' declared geometry. */
export function stageFlops(
  backbone: ResnetFpnBackbone,
  height: number,
  width: number,
): Record<string, number> {
  const flops: Record<string, number> = {};
  let size = outputSize(backbone.body.stem.conv, [height, width]);
  flops.stem = backbone.body.stem.conv.flops(...size);
  size = [Math.floor((size[0] + 2 - 3) / 2) + 1, Math.floor((size[1] + 2 - 3) / 2) + 1]; // max pool 3x3/2 pad 1
  const levelSizes: Size[] = [];
  backbone.body.layers.forEach((blocks, i) => {
    let total = 0;
    for (const block of blocks) {
      const input = size;
      for (const { conv } of block.convs) {
        size = outputSize(conv, size);
        total += conv.flops(...size);
      }
      const shortcut = block.downsample?.conv;
      if (shortcut) total += shortcut.flops(...outputSize(shortcut, input));
    }
    flops[`layer${i + 1}`] = total;
    levelSizes.push(size);
  });
  const returned = backbone.options.returnedLayers.map((k) => levelSizes[k - 1]!);
  flops.fpn = returned.reduce(
    (sum, levelSize, i) =>
      sum +
      backbone.fpn.innerBlocks[i]!.flops(...levelSize) +
      backbone.fpn.layerBlocks[i]!.flops(...levelSize),
    0,
  );
  flops.total = Object.values(flops).reduce((a, b) => a + b, 0);
  return flops;
}
