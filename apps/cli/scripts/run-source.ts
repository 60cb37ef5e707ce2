/**
 * Runs the `rcnn` command from the TypeScript sources (no build):
 * `npx vite-node --config vitest.config.ts scripts/run-source.ts -- predict ...`.
 */
import { main } from '../src/main';

const args = process.argv.slice(2);
process.exitCode = await main(args[0] === '--' ? args.slice(1) : args);
