import { BACKEND_NAMES } from './activate-backend';
import type { CliIo } from './command';
import { DETERMINISTIC_DEFAULTS, DETERMINISTIC_WEIGHTS, type LoadedDetector } from './load-detector';
import { MODEL_OPTION_SPECS } from './model-options';
import type { OptionSpecs } from './parse-arguments';

/** `--arch` and `--weights`, first in the help of predict, bench and convert. */
export const DETECTOR_OPTION_SPECS: OptionSpecs = {
  arch: {
    type: 'string',
    value: 'NAME',
    description:
      "{fasterrcnn,maskrcnn,keypointrcnn}_resnet{18,34,50,101}_fpn, as torchvision (default: the --weights file's model record)",
  },
  weights: {
    type: 'string',
    value: 'FILE',
    description: `the default model (@rcnn/default-model) when left out; a torchvision state_dict (.pth or .safetensors; a model record in a .safetensors file, as rcnn train and convert write, supplies --arch, the model options and the class names), or '${DETERMINISTIC_WEIGHTS}' for the repository's untrained test weights (no checkpoint needed; outputs are meaningless)`,
  },
};

/** `--backend`, for every command that builds a detector. */
export const BACKEND_OPTION_SPECS: OptionSpecs = {
  backend: {
    type: 'string',
    value: 'NAME',
    choices: BACKEND_NAMES,
    description: 'TensorFlow.js backend (default wasm, falling back to cpu)',
  },
};

/** `--backend` and every model flag, last in the help of predict and bench. */
export const BACKEND_AND_MODEL_OPTION_SPECS: OptionSpecs = { ...BACKEND_OPTION_SPECS, ...MODEL_OPTION_SPECS };

/** One stderr line saying what runs where, and the note that deterministic outputs mean nothing. */
export function describeDetector(io: CliIo, command: string, loaded: LoadedDetector, backend: string): void {
  const weights = loaded.deterministic ? 'deterministic test weights' : 'checkpoint weights';
  const names = loaded.record?.categoryNames;
  const classes = names ? ` (model record: ${names.length} classes: ${names.join(', ')})` : '';
  io.stderr(
    `${command}: ${loaded.architecture}${classes}, ${weights}, ${backend} backend (ready in ${(loaded.loadMs / 1000).toFixed(1)} s)\n`,
  );
  if (loaded.deterministic) {
    const settings = Object.keys(DETERMINISTIC_DEFAULTS)
      .map((key) => {
        const name = key as keyof typeof DETERMINISTIC_DEFAULTS;
        const given = loaded.options[name] !== DETERMINISTIC_DEFAULTS[name];
        return `${key}=${String(loaded.options[name])}${given ? ' (given)' : ''}`;
      })
      .join(', ');
    io.stderr(
      `${command}: note: untrained weights give meaningless detections; settings for them: ${settings}\n`,
    );
  }
}
