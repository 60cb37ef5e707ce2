import { createRequire } from 'node:module';
import { DEFAULT_MODEL_SPECIFIER } from '@rcnn/default-model';

/**
 * The path of the default model's weights (`@rcnn/default-model`), or undefined when this
 * install has none (the package predates the trained model, or was left out). Its file
 * carries a model record, so it needs no `--arch` or model flags.
 */
export function defaultWeightsPath(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve(DEFAULT_MODEL_SPECIFIER);
  } catch {
    return undefined;
  }
}

/** Why a command without `--weights` cannot run: no default model in this install. */
export function noDefaultWeightsMessage(command: string): string {
  return `${command}: no --weights given, and this install has no default model (${DEFAULT_MODEL_SPECIFIER} is missing): pass --weights FILE (a torchvision .pth or .safetensors) or --weights deterministic (untrained test weights)`;
}
