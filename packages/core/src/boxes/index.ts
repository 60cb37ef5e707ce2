export { type ArgsortOptions, argsortDescending } from './argsort-descending';
export { batchedNms, batchedNmsOnArrays } from './batched-nms';
export { boxArea } from './box-area';
export { BoxCoder, type BoxCoderOptions } from './box-coder';
export { fromXywh, toXywh } from './box-convert';
export { clipBoxes } from './clip-boxes';
export { nms } from './nms';
export { pairwiseIou } from './pairwise-iou';
export { removeSmallBoxes } from './remove-small-boxes';
