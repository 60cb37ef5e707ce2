import type { WeightedModule } from '@rcnn/heads';
import type { RpnHead } from '@rcnn/rpn';
import type { WeightSlot } from './weight-slot';

/**
 * The {@link WeightSlot} of one `@rcnn/heads` module (box head, predictors, mask / keypoint /
 * MaskIoU heads) under its torchvision prefix (`module.defaultPrefix` unless given): the module's
 * own slot (its core nn layers name, alias, load and save their entries).
 */
export function headModuleSlot(module: WeightedModule, prefix: string = module.defaultPrefix): WeightSlot {
  return module.weightSlots(prefix)[0]!;
}

/**
 * The {@link WeightSlot} of the RPN head (`rpn.head.`): the head's own slot, torchvision >= 0.14
 * names (`conv.0.0.*`) and, for one conv layer, the older `conv.*`.
 */
export function rpnHeadSlot(head: RpnHead, prefix = 'rpn.head.'): WeightSlot {
  return head.weightSlots(prefix)[0]!;
}
