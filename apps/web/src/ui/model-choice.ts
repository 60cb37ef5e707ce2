import { type ArchitectureName, parseArchitectureName } from '@rcnn/models';
import type { DetectorSettings, ModelSource } from '../protocol';

/** What the page's controls say about the model. */
export interface ModelChoice {
  readonly architecture: string;
  /** `deterministic`, `checkpoint` (a file picked from disk) or `url` (the `?weights=` URL). */
  readonly weights: string;
  /** Short side in pixels. */
  readonly size: number;
  readonly checkpoint?: { readonly name: string; readonly bytes: ArrayBuffer };
  readonly url?: string;
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
 * Turns the controls into a {@link ModelRequest}. Checkpoints keep torchvision's detection
 * settings, with the long side capped at 1333/800 of the short one as torchvision does; the
 * demo model is square-capped and keeps `demoProposals` / `demoDetections`.
 * @throws Error when checkpoint weights are chosen but no file was picked
 */
export function modelRequest(choice: ModelChoice): ModelRequest {
  const architecture: ArchitectureName = parseArchitectureName(choice.architecture);
  const { size } = choice;
  const checkpointSettings = { minSize: size, maxSize: Math.round((size * 1333) / 800) };
  if (choice.weights === 'checkpoint') {
    const { checkpoint } = choice;
    if (!checkpoint) throw new Error('choose a .pth or .safetensors checkpoint first');
    // A copy: the worker takes ownership of what it is sent, and the file may be loaded again.
    const bytes = checkpoint.bytes.slice(0);
    return {
      source: { kind: 'checkpoint', architecture, fileName: checkpoint.name, bytes },
      settings: checkpointSettings,
      key: `${architecture}:file:${checkpoint.name}:${size}`,
    };
  }
  if (choice.weights === 'url' && choice.url) {
    return {
      source: { kind: 'url', architecture, url: choice.url },
      settings: checkpointSettings,
      key: `${architecture}:url:${choice.url}:${size}`,
    };
  }
  const { demoProposals, demoDetections } = choice;
  return {
    source: { kind: 'deterministic', architecture },
    settings: { minSize: size, maxSize: size, proposals: demoProposals, detectionsPerImage: demoDetections },
    key: `${architecture}:deterministic:${size}:${demoProposals}:${demoDetections}`,
  };
}
