import {
  type FlattenedFrom,
  RcnnError,
  type StateDict,
  tfjsToTorchLayout,
  torchToTfjsLayout,
} from '@rcnn/core';
import { MaskIouHead, MaskRcnnHead, TwoMlpHead, type WeightedModule } from '@rcnn/heads';
import type { RpnHead } from '@rcnn/rpn';
import * as tf from '@tensorflow/tfjs-core';
import type { ExpectedEntry, WeightSlot } from './weight-slot';

/** Reads variables back (one read-back each, awaited together) and converts them to torch layout. */
async function saveVariables(
  variables: readonly tf.Variable[],
  shapes: readonly (readonly [string, readonly number[]])[],
  flattenedOf: (name: string) => FlattenedFrom | undefined,
): Promise<StateDict> {
  if (variables.length !== shapes.length) {
    throw new RcnnError(
      'UNSUPPORTED',
      `cannot save: ${variables.length} variables for ${shapes.length} names`,
    );
  }
  const values = await Promise.all(variables.map((variable) => variable.data<'float32'>()));
  const dict: StateDict = new Map();
  shapes.forEach(([name, shape], i) => {
    dict.set(name, {
      dtype: 'float32',
      shape: [...shape],
      data: tfjsToTorchLayout(values[i] as Float32Array, shape, flattenedOf(name)),
    });
  });
  return dict;
}

/** Pairs each variable with its state_dict name (the module lists both in the same order). */
function namedVariables(
  variables: readonly tf.Variable[],
  shapes: readonly (readonly [string, readonly number[]])[],
): [string, tf.Variable][] {
  if (variables.length !== shapes.length) {
    throw new RcnnError('UNSUPPORTED', `${variables.length} variables for ${shapes.length} names`);
  }
  return shapes.map(([name], i) => [name, variables[i]!]);
}

/** torchvision < 0.8 named the mask head's convs `mask_fcn{i+1}` instead of `{i}.0`. */
function maskHeadAliases(prefix: string, name: string): string[] {
  const match = new RegExp(`^${prefix.replace(/\./g, '\\.')}(\\d+)\\.0\\.(weight|bias)$`).exec(name);
  return match ? [`${prefix}mask_fcn${Number(match[1]) + 1}.${match[2]}`] : [];
}

/** The (C, H, W) a head's first linear layer reads flattened, by parameter name; undefined elsewhere. */
function flattenedInputOf(
  module: WeightedModule,
  prefix: string,
): (name: string) => FlattenedFrom | undefined {
  if (module instanceof TwoMlpHead) {
    const [height, width] = module.resolution;
    return (name) => (name === `${prefix}fc6.weight` ? [module.inChannels, height, width] : undefined);
  }
  if (module instanceof MaskIouHead) {
    const side = module.resolution / 2;
    const fc1 = module.stateDictShapes(prefix).find(([name]) => name === `${prefix}maskiou_fc1.weight`);
    const channels = fc1 ? fc1[1][1]! / (side * side) : 0;
    return (name) => (name === `${prefix}maskiou_fc1.weight` ? [channels, side, side] : undefined);
  }
  return () => undefined;
}

/**
 * A {@link WeightSlot} over one `@rcnn/heads` module (box head, predictors, mask / keypoint /
 * MaskIoU heads) under its torchvision prefix (`module.defaultPrefix` unless given).
 */
export function headModuleSlot(module: WeightedModule, prefix: string = module.defaultPrefix): WeightSlot {
  const shapes = () => module.stateDictShapes(prefix);
  return {
    prefix,
    expectedEntries: (): ExpectedEntry[] =>
      shapes().map(([name, shape]) => ({
        name,
        shape,
        aliases: module instanceof MaskRcnnHead ? maskHeadAliases(prefix, name) : [],
      })),
    load(entries, complete) {
      // Entries are validated and under their current names; non-strict keeps absent ones as they are.
      module.loadStateDict(entries, prefix, { strict: complete });
    },
    save: () => saveVariables(module.trainableVariables(), shapes(), flattenedInputOf(module, prefix)),
    trainable: () => namedVariables(module.trainableVariables(), shapes()),
  };
}

/**
 * A {@link WeightSlot} over the RPN head (`rpn.head.`): torchvision >= 0.14 names
 * (`conv.0.0.*`) and, for one conv layer, the older `conv.*`.
 */
export function rpnHeadSlot(head: RpnHead, prefix = 'rpn.head.'): WeightSlot {
  const shapes = () => head.stateDictShapes(prefix);
  return {
    prefix,
    expectedEntries: (): ExpectedEntry[] =>
      shapes().map(([name, shape]) => {
        const legacy = name.replace(`${prefix}conv.0.0.`, `${prefix}conv.`);
        return { name, shape, aliases: head.convDepth === 1 && legacy !== name ? [legacy] : [] };
      }),
    load(entries, complete) {
      if (complete) {
        head.loadStateDict(entries, prefix);
        return;
      }
      // RpnHead.loadStateDict is all-or-nothing; a non-strict partial load assigns what is there.
      const variables = head.trainableVariables();
      shapes().forEach(([name, shape], i) => {
        const entry = entries.get(name);
        if (!entry) return;
        tf.tidy(() =>
          variables[i]!.assign(
            tf.tensor(torchToTfjsLayout(entry.data as Float32Array, shape), variables[i]!.shape, 'float32'),
          ),
        );
      });
    },
    save: () => saveVariables(head.trainableVariables(), shapes(), () => undefined),
    trainable: () => namedVariables(head.trainableVariables(), shapes()),
  };
}
