import { packageConfig } from '../../tooling/tsup.base';
import { tfjsGradientsPlugin } from './tsup-tfjs-gradients';

// `register-gradients` bundles tfjs-core's gradient files (see tsup-tfjs-gradients.ts); only the
// bare `@tensorflow/tfjs-core` import stays external.
export default packageConfig(
  { index: 'src/index.ts', 'register-gradients': 'src/register-gradients.ts' },
  {
    noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
    esbuildPlugins: [tfjsGradientsPlugin(import.meta.dirname)],
  },
);
