import type { SAMPLE_IMAGES } from '@rcnn/default-model';
import defaultModelUrl from '@rcnn/default-model/model.safetensors?url';
import shapes1Url from '@rcnn/default-model/samples/shapes-1.png?url';
import shapes2Url from '@rcnn/default-model/samples/shapes-2.png?url';
import shapes3Url from '@rcnn/default-model/samples/shapes-3.png?url';
import samplePictureUrl from '../sample-picture.png?url';

/**
 * The default model's weights (`@rcnn/default-model`, fp16 safetensors with a model record) as
 * an asset of the built site: Vite copies the file into `dist/assets/` under a content hash, so
 * the Cache API entry changes with the weights.
 */
export const DEFAULT_MODEL_URL: string = defaultModelUrl;

/** A picture the sample button loads. */
export interface SamplePicture {
  readonly name: string;
  readonly url: string;
}

/** The default model's sample pictures (synthetic shapes it never saw in training). */
const SHAPES: { readonly [name in (typeof SAMPLE_IMAGES)[number]]: string } = {
  'shapes-1.png': shapes1Url,
  'shapes-2.png': shapes2Url,
  'shapes-3.png': shapes3Url,
};

/** The app's own sample (160x120, any model). */
export const APP_SAMPLE: SamplePicture = { name: 'sample-picture.png', url: samplePictureUrl };

/** The pictures the sample button offers with these weights: the default model's shapes, else {@link APP_SAMPLE}. */
export function samplePictures(weights: string): readonly SamplePicture[] {
  if (weights !== 'default') return [APP_SAMPLE];
  return Object.entries(SHAPES).map(([name, url]) => ({ name, url }));
}

/** The `index`-th sample picture for these weights, going round. */
export function samplePicture(weights: string, index: number): SamplePicture {
  const pictures = samplePictures(weights);
  return pictures[index % pictures.length]!;
}
