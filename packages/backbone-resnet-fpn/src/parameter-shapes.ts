import { hasDownsample, resnetArchitecture } from './resnet-architecture';
import { type ResnetFpnOptions, resolveResnetFpnOptions } from './resnet-fpn-options';

/** A state_dict entry name and its torch-layout shape (conv weights OIHW). */
export type ParameterShape = readonly [name: string, shape: readonly number[]];

const BATCH_NORM_FIELDS = ['weight', 'bias', 'running_mean', 'running_var'] as const;
const GROUP_NORM_FIELDS = ['weight', 'bias'] as const;

/**
 * The state_dict a torchvision `BackboneWithFPN` built by
 * `backbone_utils.py::resnet_fpn_backbone` has for `options`, in its order (norms: weight, bias and,
 * for BatchNorm, running statistics; `num_batches_tracked` is left out):
 * `body.*` (stem, then only the layers up to the last returned one, as IntermediateLayerGetter
 * drops the rest), `fpn.inner_blocks.i.0.*`, `fpn.layer_blocks.i.0.*` (torchvision >= 0.13 naming).
 * Use it to check a checkpoint or to make fresh weights: `deterministicStateDict(resnetFpnParameterShapes(o))`.
 * @param prefix prepended to every name (`'backbone.'` in a detector checkpoint).
 */
export function resnetFpnParameterShapes(options: ResnetFpnOptions, prefix = 'backbone.'): ParameterShape[] {
  const resolved = resolveResnetFpnOptions(options);
  const architecture = resnetArchitecture(resolved);
  const fields = resolved.norm === 'gn' ? GROUP_NORM_FIELDS : BATCH_NORM_FIELDS;
  const norm = (name: string, channels: number): ParameterShape[] =>
    fields.map((field) => [`${name}.${field}`, [channels]] as const);
  const body = `${prefix}body.`;
  const shapes: ParameterShape[] = [[`${body}conv1.weight`, [architecture.stemChannels, 3, 7, 7]]];
  shapes.push(...norm(`${body}bn1`, architecture.stemChannels));
  const lastLayer = resolved.returnedLayers[resolved.returnedLayers.length - 1]!;
  for (const layer of architecture.layers.slice(0, lastLayer)) {
    for (let b = 0; b < layer.blocks; b++) {
      const block = `${body}layer${layer.index}.${b}`;
      const inChannels = b === 0 ? layer.inChannels : layer.outChannels;
      const convs: [number, number, number, number][] =
        architecture.block === 'basic'
          ? [
              [layer.width, inChannels, 3, 3],
              [layer.outChannels, layer.width, 3, 3],
            ]
          : [
              [layer.width, inChannels, 1, 1],
              [layer.width, layer.width / architecture.groups, 3, 3],
              [layer.outChannels, layer.width, 1, 1],
            ];
      convs.forEach((shape, i) => {
        shapes.push([`${block}.conv${i + 1}.weight`, shape]);
        shapes.push(...norm(`${block}.bn${i + 1}`, shape[0]));
      });
      if (hasDownsample(layer, b)) {
        shapes.push([`${block}.downsample.0.weight`, [layer.outChannels, inChannels, 1, 1]]);
        shapes.push(...norm(`${block}.downsample.1`, layer.outChannels));
      }
    }
  }
  const fpn = `${prefix}fpn.`;
  const channels = resolved.returnedLayers.map((k) => architecture.layers[k - 1]!.outChannels);
  const out = resolved.outChannels;
  channels.forEach((inChannels, i) => {
    shapes.push([`${fpn}inner_blocks.${i}.0.weight`, [out, inChannels, 1, 1]]);
    shapes.push([`${fpn}inner_blocks.${i}.0.bias`, [out]]);
  });
  channels.forEach((_, i) => {
    shapes.push([`${fpn}layer_blocks.${i}.0.weight`, [out, out, 3, 3]]);
    shapes.push([`${fpn}layer_blocks.${i}.0.bias`, [out]]);
  });
  return shapes;
}
