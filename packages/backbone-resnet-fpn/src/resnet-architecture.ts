import { RcnnError } from '@rcnn/core';

/** ResNet depths torchvision builds (`resnet18` ... `resnet101`). */
export type ResnetDepth = 18 | 34 | 50 | 101;

/** Which residual block a depth uses: BasicBlock (two 3x3 convs) or Bottleneck (1x1, 3x3, 1x1). */
export type ResidualBlockKind = 'basic' | 'bottleneck';

/** The ResNet family member: depth plus torchvision's `groups` / `width_per_group` (ResNeXt, Wide ResNet). */
export interface ResnetVariant {
  readonly depth: ResnetDepth;
  /** Groups of the 3x3 conv in each Bottleneck (torchvision `groups`): 32 for ResNeXt-50 32x4d. Default 1. */
  readonly groups?: number;
  /** Channels per group (torchvision `width_per_group`): 4 for ResNeXt-50 32x4d. Default 64. */
  readonly widthPerGroup?: number;
  /**
   * Not a torchvision option: the stem's channels and layer1's planes (layer K has
   * `baseChannels * 2^(K-1)` planes). Default 64 (torchvision); 32 gives a half-width ResNet
   * (about a quarter of the multiply-adds and parameters), e.g. the default trained-from-scratch
   * ResNet-18-FPN. Checkpoints of another width do not load.
   */
  readonly baseChannels?: number;
}

/** Stage geometry of one ResNet `layerK` (K = 1..4). */
export interface ResnetLayerSpec {
  /** 1..4; the layer's output is C(K+1) with stride 2^(K+1). */
  readonly index: number;
  readonly blocks: number;
  /** Stride of the first block (on its 3x3 conv, as torchvision's ResNet V1.5). */
  readonly stride: number;
  readonly inChannels: number;
  /** Channels of the 3x3 conv(s) inside each block. */
  readonly width: number;
  readonly outChannels: number;
}

/** The full body description derived from a {@link ResnetVariant}. */
export interface ResnetArchitecture {
  readonly block: ResidualBlockKind;
  readonly groups: number;
  readonly stemChannels: number;
  readonly layers: readonly ResnetLayerSpec[];
}

const BLOCKS_PER_LAYER: Record<ResnetDepth, readonly number[]> = {
  18: [2, 2, 2, 2],
  34: [3, 4, 6, 3],
  50: [3, 4, 6, 3],
  101: [3, 4, 23, 3],
};

/**
 * Describes the ResNet body torchvision's `resnet.py::ResNet` builds for `variant`:
 * layer K has `planes = baseChannels * 2^(K-1)` (torchvision: 64), BasicBlock expansion 1, Bottleneck expansion 4
 * with 3x3 width `floor(planes * widthPerGroup / 64) * groups`.
 * @throws RcnnError INVALID_ARGUMENT for an unknown depth or a grouped BasicBlock.
 */
export function resnetArchitecture(variant: ResnetVariant): ResnetArchitecture {
  const { depth, groups = 1, widthPerGroup = 64, baseChannels = 64 } = variant;
  const blocksPerLayer = BLOCKS_PER_LAYER[depth];
  if (!blocksPerLayer) {
    throw new RcnnError('INVALID_ARGUMENT', `ResNet depth must be 18, 34, 50 or 101, got ${String(depth)}`);
  }
  if (![groups, widthPerGroup, baseChannels].every((value) => Number.isInteger(value) && value >= 1)) {
    throw new RcnnError(
      'INVALID_ARGUMENT',
      `groups, widthPerGroup and baseChannels must be positive integers, got ${groups}, ${widthPerGroup} and ${baseChannels}`,
    );
  }
  const block: ResidualBlockKind = depth < 50 ? 'basic' : 'bottleneck';
  if (block === 'basic' && (groups !== 1 || widthPerGroup !== 64)) {
    throw new RcnnError(
      'INVALID_ARGUMENT',
      `ResNet-${depth} uses BasicBlock, which supports only groups 1 and widthPerGroup 64 (as torchvision)`,
    );
  }
  const expansion = block === 'basic' ? 1 : 4;
  const layers: ResnetLayerSpec[] = [];
  let inChannels = baseChannels;
  blocksPerLayer.forEach((blocks, i) => {
    const planes = baseChannels * 2 ** i;
    const width = block === 'basic' ? planes : Math.floor((planes * widthPerGroup) / 64) * groups;
    const outChannels = planes * expansion;
    layers.push({ index: i + 1, blocks, stride: i === 0 ? 1 : 2, inChannels, width, outChannels });
    inChannels = outChannels;
  });
  return { block, groups, stemChannels: baseChannels, layers };
}

/** Whether block `blockIndex` of `layer` has a projection shortcut (`downsample`: 1x1 conv + norm). */
export function hasDownsample(layer: ResnetLayerSpec, blockIndex: number): boolean {
  return blockIndex === 0 && (layer.stride !== 1 || layer.inChannels !== layer.outChannels);
}
