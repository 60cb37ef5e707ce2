import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { Options } from 'tsup';

type Plugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * An esbuild plugin (used by tsup.config.ts) that bundles tfjs-core's gradient registrations
 * (`dist/register_all_gradients.js` and `dist/gradients/*`) so they load in plain Node, while every
 * piece of tfjs-core they use stays the one public `@tensorflow/tfjs-core` import: each other module
 * of tfjs-core's dist they import becomes a shim re-exporting its names from the bare package
 * (top level or one of its namespaces such as `backend_util`). Op modules with names the public
 * API lacks (e.g. `conv2DBackpropFilter`; `convertToTensor` in `tensor_util_env`) are bundled
 * themselves, their own imports shimmed the same way; the engine, tensor and environment modules
 * are always shims (only their public names, e.g. `ENGINE` as `engine()`; esbuild fails the build
 * if an importer needs another), so no second copy of tfjs-core's state ever loads. The
 * registries are global, so the registrations land where the user's tfjs-core looks for them.
 */
export function tfjsGradientsPlugin(packageDir: string): Plugin {
  const require = createRequire(join(packageDir, 'package.json'));
  const distDir = dirname(require.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js'));
  const api = require('@tensorflow/tfjs-core') as Record<string, unknown>;
  const namespaces = Object.keys(api).filter((key) => typeof api[key] === 'object' && api[key] !== null);

  /** Where the public API exposes `name`, as an expression on `tf`, or undefined. */
  const locate = (name: string): string | undefined => {
    if (name === 'ENGINE') return 'tf.engine()';
    if (name === 'getGlobalTensorClass') return '() => tf.Tensor';
    if (name in api) return `tf.${name}`;
    const namespace = namespaces.find((key) => name in (api[key] as object));
    return namespace ? `tf.${namespace}.${name}` : undefined;
  };
  const exportNames = (file: string): string[] => {
    const source = readFileSync(file, 'utf8');
    const names = [...source.matchAll(/^export (?:async )?(?:function\*?|const|let|var|class) (\w+)/gm)].map(
      (match) => match[1]!,
    );
    for (const match of source.matchAll(/^export \{([^}]*)\}/gm)) {
      for (const part of match[1]!.split(',')) {
        const alias = part
          .trim()
          .split(/\s+as\s+/)
          .pop();
        if (alias) names.push(alias);
      }
    }
    for (const match of source.matchAll(/^export \* from '([^']+)'/gm)) {
      names.push(...exportNames(`${resolve(dirname(file), match[1]!)}.js`));
    }
    return names;
  };
  const bundled = (file: string) =>
    file.startsWith(join(distDir, 'gradients')) || file === join(distDir, 'register_all_gradients.js');

  return {
    name: 'tfjs-core-gradients',
    setup(build) {
      build.onResolve({ filter: /^@tensorflow\/tfjs-core\/dist\/register_all_gradients(\.js)?$/ }, () => ({
        path: join(distDir, 'register_all_gradients.js'),
      }));
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (!args.importer.startsWith(distDir)) return undefined;
        const file = resolve(dirname(args.importer), args.path).replace(/(\.js)?$/, '.js');
        if (bundled(file)) return { path: file };
        // Stateless modules; everything else (engine, tensor, environment, ...) is always a shim.
        const stateless = ['tensor_util_env.js', 'types.js'].map((name) => join(distDir, name));
        const bundleable = file.startsWith(join(distDir, 'ops')) || stateless.includes(file);
        const complete = exportNames(file).every((name) => locate(name) !== undefined);
        return bundleable && !complete ? { path: file } : { path: file, namespace: 'tfjs-core-shim' };
      });
      build.onLoad({ filter: /.*/, namespace: 'tfjs-core-shim' }, (args) => {
        const names = exportNames(args.path).filter((name) => locate(name) !== undefined);
        const lines = names.map((name) => `export const ${name} = ${locate(name)};`);
        return {
          contents: `import * as tf from '@tensorflow/tfjs-core';\n${lines.join('\n')}\n`,
          resolveDir: packageDir,
          loader: 'js',
        };
      });
    },
  };
}
