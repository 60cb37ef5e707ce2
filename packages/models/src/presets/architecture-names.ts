import type { ResnetDepth } from '@rcnn/backbone-resnet-fpn';
import { RcnnError } from '@rcnn/core';
import type { GeneralizedRcnn } from '../generalized-rcnn';
import type { RcnnFamily } from './build-resnet-fpn-rcnn';
import type { KeypointRcnnOptions, MaskRcnnOptions } from './preset-options';
import { fasterRcnnResnetFpn, keypointRcnnResnetFpn, maskRcnnResnetFpn } from './resnet-fpn-presets';

/** A preset by name, as the CLI and JSON configs spell it (torchvision's builder names, any depth). */
export type ArchitectureName = `${RcnnFamily}_resnet${ResnetDepth}_fpn`;

const FAMILIES: readonly RcnnFamily[] = ['fasterrcnn', 'maskrcnn', 'keypointrcnn'];
const DEPTHS: readonly ResnetDepth[] = [18, 34, 50, 101];

/** Every {@link ArchitectureName}: family-major, depths ascending. */
export const ARCHITECTURE_NAMES: readonly ArchitectureName[] = FAMILIES.flatMap((family) =>
  DEPTHS.map((depth): ArchitectureName => `${family}_resnet${depth}_fpn`),
);

/**
 * Checks a user-given name.
 * @throws RcnnError `INVALID_ARGUMENT` listing the valid names
 */
export function parseArchitectureName(name: string): ArchitectureName {
  const found = ARCHITECTURE_NAMES.find((candidate) => candidate === name.trim().toLowerCase());
  if (!found) {
    throw new RcnnError(
      'INVALID_ARGUMENT',
      `unknown architecture '${name}'; valid names: ${ARCHITECTURE_NAMES.join(', ')}`,
    );
  }
  return found;
}

/** Options {@link createDetector} passes on: the scalar preset options (weights, thresholds, sizes, counts). */
export type CreateDetectorOptions = Omit<
  KeypointRcnnOptions & Pick<MaskRcnnOptions, 'maskHeadChannels'>,
  | 'rpnAnchorGenerator'
  | 'rpnHead'
  | 'boxRoiPool'
  | 'boxHead'
  | 'boxPredictor'
  | 'keypointRoiPool'
  | 'keypointHead'
  | 'keypointPredictor'
>;

/** The family and backbone depth a name stands for. */
export function architectureParts(name: ArchitectureName): { family: RcnnFamily; depth: ResnetDepth } {
  const [family, backbone] = name.split('_') as [RcnnFamily, string];
  return { family, depth: Number(backbone.slice('resnet'.length)) as ResnetDepth };
}

/**
 * Builds a preset from its name (pose-detection's `createDetector` pattern: the one place a
 * string picks a model). `numKeypoints` is read by keypoint R-CNN only. Caller owns the detector.
 * @throws RcnnError `INVALID_ARGUMENT` for a name outside {@link ARCHITECTURE_NAMES}
 */
export function createDetector(name: ArchitectureName, options: CreateDetectorOptions = {}): GeneralizedRcnn {
  const { family, depth } = architectureParts(parseArchitectureName(name));
  const { numKeypoints, ...common } = options;
  switch (family) {
    case 'fasterrcnn':
      return fasterRcnnResnetFpn({ ...common, depth });
    case 'maskrcnn':
      return maskRcnnResnetFpn({ ...common, depth });
    case 'keypointrcnn':
      return keypointRcnnResnetFpn({
        ...common,
        ...(numKeypoints === undefined ? {} : { numKeypoints }),
        depth,
      });
    default: {
      const unknown: never = family;
      throw new RcnnError('INVALID_ARGUMENT', `unknown detector family ${String(unknown)}`);
    }
  }
}
