export {
  AnchorGenerator,
  type AnchorGeneratorOptions,
  gridSizesOf,
  paddedSizeOf,
} from './anchor-generator';
export {
  type FilterProposalsInput,
  filterProposals,
  type ProposalFilterOptions,
} from './filter-proposals';
export { flattenHeadOutputs, type RpnHeadOutputs } from './flatten-head-outputs';
export { GivenProposals, type ProposalSource } from './given-proposals';
export { RegionProposalNetwork } from './region-proposal-network';
export type { Phase, PhasePair, RegionProposalNetworkOptions } from './region-proposal-network-options';
export { RpnHead, type RpnHeadLevelOutputs, type RpnHeadOptions } from './rpn-head';
export { RPN_LOSS_BOX_REGRESSION, RPN_LOSS_OBJECTNESS, rpnLosses } from './rpn-losses';
export {
  type AssignRpnTargetsInput,
  assignRpnTargets,
  type RpnTrainingTargets,
} from './rpn-training-targets';
