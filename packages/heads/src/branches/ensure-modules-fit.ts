import { ensure, type RoiPooler } from '@rcnn/core';

/**
 * Checks, when a branch is built, that its pooler's square output is what the head reads and
 * that the predictor reads what the head gives, so a mismatch fails with a message naming the
 * branch instead of a shape error deep inside a forward pass.
 */
export function ensureModulesFit(
  owner: string,
  pooler: RoiPooler,
  head: { readonly resolution: number; readonly outChannels: number },
  predictor: { readonly inChannels: number },
): void {
  ensure(
    pooler.outputSize[0] === head.resolution && pooler.outputSize[1] === head.resolution,
    'INVALID_ARGUMENT',
    () =>
      `${owner}: pooler output ${pooler.outputSize.join('x')} does not match the head's ${head.resolution}`,
  );
  ensure(
    predictor.inChannels === head.outChannels,
    'INVALID_ARGUMENT',
    () => `${owner}: predictor reads ${predictor.inChannels} channels, head gives ${head.outChannels}`,
  );
}
