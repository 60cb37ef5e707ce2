import { packageConfig } from '../../tooling/tsup.base';

// `node` is the Node-only subpath (@rcnn/core/node); it imports the main entry by
// package name, which stays external, so both entries share one copy of each class.
// Its declarations are built before dist/ exists, so the dts build maps the package's
// own name to its source (the emitted .d.ts still imports '@rcnn/core').
export default packageConfig(['src/index.ts', 'src/node.ts'], {
  dts: { compilerOptions: { customConditions: [], paths: { '@rcnn/core': ['./src/index.ts'] } } },
});
