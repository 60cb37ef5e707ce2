import { ARCHITECTURE_NAMES } from '@rcnn/models';
import { DEMO_SETTINGS } from '../build-detector';
import { BACKEND_ORDER, type BackendName } from '../protocol';

/** The page's model controls that URL parameters preset. */
export interface ParameterControls {
  readonly architecture: HTMLSelectElement;
  readonly weights: HTMLSelectElement;
  readonly size: HTMLSelectElement;
  readonly backend: HTMLSelectElement;
}

/** What the URL parameters say beyond the controls' values. */
export interface PageParameters {
  /** `?weights=URL`: a checkpoint to download (kept in the Cache API for next time). */
  readonly weightsUrl?: string;
  /** `?proposals=N` and `?detections=N` of the demo (deterministic) model. */
  readonly demoProposals: number;
  readonly demoDetections: number;
}

/**
 * Fills the architecture select and sets the controls from the URL: `?arch=NAME`,
 * `?backend=webgpu|wasm|cpu` (the first backend to try), `?weights=default|deterministic|URL`
 * (the default model, the untrained test weights, or a checkpoint to download), `?size=N` (short
 * side), and `?proposals=N` / `?detections=N` that shrink the demo model further (quick checks on
 * slow devices, tests).
 */
export function readPageParameters(params: URLSearchParams, controls: ParameterControls): PageParameters {
  for (const name of ARCHITECTURE_NAMES) controls.architecture.add(new Option(name, name));
  controls.architecture.value = params.get('arch') ?? 'maskrcnn_resnet18_fpn';
  const backend = params.get('backend') as BackendName;
  controls.backend.value = BACKEND_ORDER.includes(backend) ? backend : '';
  const size = Number(params.get('size'));
  if (Number.isInteger(size) && size >= 32) {
    if (![...controls.size.options].some((option) => option.value === String(size))) {
      controls.size.add(new Option(`${size} px`, String(size)));
    }
    controls.size.value = String(size);
  }
  const count = (name: string, fallback: number): number => {
    const value = Number(params.get(name));
    return Number.isInteger(value) && value > 0 ? value : fallback;
  };
  const demo = {
    demoProposals: count('proposals', DEMO_SETTINGS.proposals),
    demoDetections: count('detections', DEMO_SETTINGS.detectionsPerImage),
  };
  const weights = params.get('weights');
  if (weights === 'default' || weights === 'deterministic') controls.weights.value = weights;
  if (!weights || weights === 'default' || weights === 'deterministic') return demo;
  const weightsUrl = new URL(weights, location.href).href;
  controls.weights.add(new Option(`checkpoint from ${weightsUrl}`, 'url'));
  controls.weights.value = 'url';
  return { ...demo, weightsUrl };
}
