import { packageConfig } from '../../tooling/tsup.base';

// `node` is the Node-only subpath (@rcnn/synth-data/node: writing a dataset to disk),
// kept apart so browser bundles of the main entry never see `node:` imports.
export default packageConfig(['src/index.ts', 'src/node.ts']);
