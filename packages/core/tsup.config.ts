import { packageConfig } from '../../tooling/tsup.base';

// `node` is the Node-only subpath (@rcnn/core/node); it imports the main entry by
// package name, which stays external, so both entries share one copy of each class.
export default packageConfig(['src/index.ts', 'src/node.ts']);
