/**
 * The default rcnn model and its sample images. The files ship beside this module (`model/`,
 * `samples/`) and are reached through the package's exports, so Node resolves them with
 * `require.resolve` and bundlers (Vite, webpack) with `new URL(..., import.meta.url)` or `?url`.
 */

/** Module specifier of the weights: fp16 safetensors whose `rcnn.model` metadata names the architecture, options and classes. */
export const DEFAULT_MODEL_SPECIFIER = '@rcnn/default-model/model.safetensors';

/** Sample pictures (synthetic shapes never seen in training), as `@rcnn/default-model/samples/<name>`. */
export const SAMPLE_IMAGES = ['shapes-1.png', 'shapes-2.png', 'shapes-3.png'] as const;

/** Module specifier of the samples' COCO ground truth (`rcnn eval --gt`). */
export const SAMPLE_GROUND_TRUTH_SPECIFIER = '@rcnn/default-model/samples/instances.json';

/** Module specifier of one sample picture. */
export function sampleImageSpecifier(name: (typeof SAMPLE_IMAGES)[number]): string {
  return `@rcnn/default-model/samples/${name}`;
}
