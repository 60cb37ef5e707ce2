import { RcnnError, type StateDict, sizeOfShape } from '@rcnn/core';
import type { ParameterShape } from './parameter-shapes';

const LISTED_NAMES = 20;

/** A checked float32 entry: data in torch layout and its shape. */
export interface CheckedArray {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, LISTED_NAMES).join(', ');
  return names.length > LISTED_NAMES ? `${shown} (and ${names.length - LISTED_NAMES} more)` : shown;
}

/**
 * torchvision < 0.13 saved FPN convs as `fpn.inner_blocks.0.weight`; 0.13+ wraps them in
 * Conv2dNormActivation (`fpn.inner_blocks.0.0.weight`). FeaturePyramidNetwork._load_from_state_dict
 * accepts both; so do we. Returns the old-style name for a new-style FPN name, else undefined.
 */
function legacyFpnName(name: string): string | undefined {
  const match = /^(.*fpn\.(?:inner|layer)_blocks\.\d+)\.0\.(weight|bias)$/.exec(name);
  return match ? `${match[1]}.${match[2]}` : undefined;
}

/**
 * The float32 arrays of a backbone's parameters, taken from a StateDict after checking that it
 * has exactly the expected names (under `prefix`) with the expected shapes.
 * Arrays are views of the StateDict's data (no copy); nothing here holds tensors.
 */
export class CheckedWeights {
  private constructor(private readonly arrays: ReadonlyMap<string, CheckedArray>) {}

  /**
   * @param weights any StateDict (a whole detector checkpoint is fine: only keys under `prefix` are read)
   * @param expected names (including `prefix`) and torch shapes, e.g. from resnetFpnParameterShapes
   * @throws RcnnError MISSING_KEYS listing missing and unexpected names under `prefix`;
   *   INVALID_WEIGHTS listing entries with a wrong shape or a non-float dtype.
   */
  static check(weights: StateDict, expected: readonly ParameterShape[], prefix: string): CheckedWeights {
    const used = new Set<string>();
    const missing: string[] = [];
    const misShaped: string[] = [];
    const arrays = new Map<string, CheckedArray>();
    for (const [name, shape] of expected) {
      const legacy = legacyFpnName(name);
      const key = weights.has(name) ? name : legacy !== undefined && weights.has(legacy) ? legacy : undefined;
      if (key === undefined) {
        missing.push(name);
        continue;
      }
      used.add(key);
      const entry = weights.get(key)!;
      const shapeMatches =
        entry.shape.length === shape.length && entry.shape.every((size, i) => size === shape[i]);
      if (!shapeMatches || entry.dtype !== 'float32' || !(entry.data instanceof Float32Array)) {
        misShaped.push(
          `${key}: got ${entry.dtype} [${entry.shape.join(', ')}], expected float32 [${shape.join(', ')}]`,
        );
        continue;
      }
      if (entry.data.length !== sizeOfShape(shape)) {
        misShaped.push(
          `${key}: holds ${entry.data.length} values, shape [${shape.join(', ')}] needs ${sizeOfShape(shape)}`,
        );
        continue;
      }
      arrays.set(name.slice(prefix.length), { data: entry.data, shape });
    }
    const expectedNames = new Set(expected.map(([name]) => name));
    const unexpected = [...weights.keys()].filter(
      (key) =>
        key.startsWith(prefix) &&
        !used.has(key) &&
        // FrozenBatchNorm2d._load_from_state_dict drops BatchNorm's step counter.
        !(
          key.endsWith('.num_batches_tracked') &&
          expectedNames.has(key.replace(/num_batches_tracked$/, 'running_mean'))
        ),
    );
    if (missing.length > 0 || unexpected.length > 0) {
      const parts: string[] = [];
      if (missing.length > 0) parts.push(`missing ${missing.length}: ${listNames(missing)}`);
      if (unexpected.length > 0) parts.push(`unexpected ${unexpected.length}: ${listNames(unexpected)}`);
      const hint =
        used.size === 0
          ? ` No expected key was found under prefix '${prefix}': check the prefix (a bare ResNet checkpoint needs its keys under '${prefix}body.').`
          : ' Check depth, groups/widthPerGroup, returnedLayers and outChannels against the checkpoint.';
      throw new RcnnError(
        'MISSING_KEYS',
        `backbone weights do not match the architecture: ${parts.join('; ')}.${hint}`,
      );
    }
    if (misShaped.length > 0) {
      throw new RcnnError(
        'INVALID_WEIGHTS',
        `backbone weights have ${misShaped.length} mis-shaped entries: ${listNames(misShaped)}`,
      );
    }
    return new CheckedWeights(arrays);
  }

  /** The entry `name` (without the prefix, e.g. `body.conv1.weight`). */
  get(name: string): CheckedArray {
    const array = this.arrays.get(name);
    if (!array) throw new RcnnError('MISSING_KEYS', `backbone weight '${name}' was not checked in`);
    return array;
  }
}
