import { readFileSync } from 'node:fs';
import { parseTrainStepFixture, type TrainStepFixture, type TrainStepVariant } from './train-step-fixture';

/** A training-step fixture read from `src/__fixtures__/train-step-<variant>.safetensors` (Node). */
export function trainStepFixture(variant: TrainStepVariant): TrainStepFixture {
  const url = new URL(`../__fixtures__/train-step-${variant}.safetensors`, import.meta.url);
  return parseTrainStepFixture(variant, new Uint8Array(readFileSync(url)));
}
