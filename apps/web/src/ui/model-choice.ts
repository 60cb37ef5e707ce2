import { type ArchitectureName, parseArchitectureName } from '@rcnn/models';
import { DEMO_SETTINGS } from '../build-detector';
import type { DetectorSettings, ModelSource } from '../protocol';

/** How the page names the default model (`@rcnn/default-model`). */
export const DEFAULT_MODEL_NAME = 'rcnn default model';

/** What the page's controls say about the model. */
export interface ModelChoice {
  readonly architecture: string;
  /**
   * `default` (the default model, downloaded from `defaultModelUrl`), `deterministic`,
   * `checkpoint` (a file picked from disk) or `url` (the `?weights=` URL).
   */
  readonly weights: string;
  /** Short side in pixels; undefined: the model's own (its record's, torchvision's, or 128 px for the demo). */
  readonly size?: number;
  readonly checkpoint?: { readonly name: string; readonly bytes: ArrayBuffer };
  readonly url?: string;
  /** Where the page's bundle keeps the default model's weights. */
  readonly defaultModelUrl: string;
  /** Proposals and detections kept by the demo (deterministic) model. */
  readonly demoProposals: number;
  readonly demoDetections: number;
}

/** A model to load: its source, preset settings, and a key that changes when a reload is needed. */
export interface ModelRequest {
  readonly source: ModelSource;
  readonly settings: DetectorSettings;
  readonly key: string;
}

/**
 * Turns the controls into a {@link ModelRequest}. Weights files keep their model record's
 * settings (the default model's) or torchvision's; a chosen size replaces the short side, with
 * the long side capped at 1333/800 of it as torchvision does. The demo model is square-capped
 * (128 px unless chosen) and keeps `demoProposals` / `demoDetections`.
 * @throws Error when checkpoint weights are chosen but no file was picked
 */
export function modelRequest(choice: ModelChoice): ModelRequest {
  const architecture: ArchitectureName = parseArchitectureName(choice.architecture);
  const { size } = choice;
  const settings: DetectorSettings =
    size === undefined ? {} : { minSize: size, maxSize: Math.round((size * 1333) / 800) };
  const sized = `${size ?? 'own'}`;
  if (choice.weights === 'default') {
    const { defaultModelUrl: url } = choice;
    return {
      source: { kind: 'url', url, name: DEFAULT_MODEL_NAME },
      settings,
      key: `default:${url}:${sized}`,
    };
  }
  if (choice.weights === 'checkpoint') {
    const { checkpoint } = choice;
    if (!checkpoint) throw new Error('choose a .pth or .safetensors checkpoint first');
    // A copy: the worker takes ownership of what it is sent, and the file may be loaded again.
    const bytes = checkpoint.bytes.slice(0);
    return {
      source: { kind: 'checkpoint', architecture, fileName: checkpoint.name, bytes },
      settings,
      key: `${architecture}:file:${checkpoint.name}:${sized}`,
    };
  }
  if (choice.weights === 'url' && choice.url) {
    return {
      source: { kind: 'url', architecture, url: choice.url },
      settings,
      key: `${architecture}:url:${choice.url}:${sized}`,
    };
  }
  const { demoProposals, demoDetections } = choice;
  const side = size ?? DEMO_SETTINGS.minSize;
  return {
    source: { kind: 'deterministic', architecture },
    settings: { minSize: side, maxSize: side, proposals: demoProposals, detectionsPerImage: demoDetections },
    key: `${architecture}:deterministic:${side}:${demoProposals}:${demoDetections}`,
  };
}
