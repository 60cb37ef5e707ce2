import { BatchNorm2d, GroupNorm, type Norm2d, RcnnError } from '@rcnn/core';

/** The ResNet's norm layer (torchvision `norm_layer`): FrozenBatchNorm2d, BatchNorm2d or GroupNorm. */
export type NormLayer = 'frozen-bn' | 'bn' | 'gn';

/** What {@link createNorm} needs besides the channel count. */
export interface NormSettings {
  readonly norm: NormLayer;
  readonly groupNormGroups: number;
  readonly batchNormEpsilon: number;
}

/**
 * @throws RcnnError INVALID_ARGUMENT for an unknown norm, or GroupNorm groups that do not divide
 *   every channel count of the network
 */
export function validateNorm(norm: NormLayer, groupNormGroups: number, channels: readonly number[]): void {
  if (norm !== 'frozen-bn' && norm !== 'bn' && norm !== 'gn') {
    throw new RcnnError('INVALID_ARGUMENT', `norm must be 'frozen-bn', 'bn' or 'gn', got '${String(norm)}'`);
  }
  if (norm !== 'gn') return;
  const odd = channels.find((count) => count % groupNormGroups !== 0);
  if (!Number.isInteger(groupNormGroups) || groupNormGroups < 1 || odd !== undefined) {
    throw new RcnnError(
      'INVALID_ARGUMENT',
      `groupNormGroups ${groupNormGroups} must be a positive integer dividing every channel count (${odd} does not)`,
    );
  }
}

/** A fresh norm over `channels` (weight 1, bias 0, running mean 0 and variance 1: torch's init). */
export function createNorm(settings: NormSettings, channels: number): Norm2d {
  switch (settings.norm) {
    case 'frozen-bn':
      return new BatchNorm2d(channels, { frozen: true, eps: settings.batchNormEpsilon });
    case 'bn':
      return new BatchNorm2d(channels, { eps: settings.batchNormEpsilon });
    case 'gn':
      return new GroupNorm(settings.groupNormGroups, channels);
  }
}
