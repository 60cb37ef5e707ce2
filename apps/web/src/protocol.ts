import type { DetectedInstance } from '@rcnn/core';
import type { ArchitectureName, PredictStage } from '@rcnn/models';

/**
 * The typed messages between the page and the detector worker. Every request carries an
 * `id`; the worker answers it with progress messages and exactly one `done` or `failed`
 * message carrying the same `id`.
 */

/** The TensorFlow.js backends the worker can run on, in the order it tries them. */
export const BACKEND_ORDER = ['webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_ORDER)[number];

/**
 * Where the weights come from. The worker builds the architecture and loads them strictly. A
 * `.safetensors` file with a model record (`rcnn.model` metadata, as `rcnn train` writes and the
 * default model has) says its own architecture, options and class names: they win over
 * `architecture`, which may then be left out; the page's {@link DetectorSettings} go on top.
 */
export type ModelSource =
  | {
      /** Core's deterministic test weights (no checkpoint needed; untrained, for demos and tests). */
      readonly kind: 'deterministic';
      readonly architecture: ArchitectureName;
    }
  | {
      /** A torchvision state_dict the user picked: `.pth` or `.safetensors` bytes. */
      readonly kind: 'checkpoint';
      /** What to build when the file has no model record. */
      readonly architecture?: ArchitectureName;
      readonly fileName: string;
      readonly bytes: ArrayBuffer;
    }
  | {
      /**
       * A torchvision state_dict at a URL (the default model is one): fetched by the worker
       * with progress messages and kept in the Cache API, so later visits load it from disk.
       */
      readonly kind: 'url';
      /** What to build when the file has no model record. */
      readonly architecture?: ArchitectureName;
      readonly url: string;
      /** How messages name it (default: the URL). */
      readonly name?: string;
    };

/** A source whose bytes are at hand (what {@link ModelSource} `url` becomes once fetched). */
export type LocalModelSource = Exclude<ModelSource, { readonly kind: 'url' }>;

/** Preset options the page may set (the rest are the preset's torchvision defaults). */
export interface DetectorSettings {
  /** Short side the image is resized to (torchvision `min_size`). */
  readonly minSize?: number;
  /** Long side cap (torchvision `max_size`). */
  readonly maxSize?: number;
  /** Detections kept per image (torchvision `box_detections_per_img`). */
  readonly detectionsPerImage?: number;
  /** Proposals kept after the RPN's NMS (torchvision `rpn_post_nms_top_n_test`). */
  readonly proposals?: number;
}

/** An image for the worker: encoded PNG/JPEG bytes (decoded in the worker) or RGBA pixels. */
export type ImagePayload =
  | { readonly kind: 'encoded'; readonly bytes: ArrayBuffer }
  | {
      readonly kind: 'rgba';
      readonly width: number;
      readonly height: number;
      readonly data: Uint8ClampedArray;
    };

/** Messages the page sends. */
export type WorkerRequest =
  | {
      readonly type: 'start-backend';
      readonly id: number;
      /** Try this one first, then the rest of {@link BACKEND_ORDER}. */
      readonly preferred?: BackendName;
      /** Only the preferred backend: fail instead of falling back. */
      readonly strict?: boolean;
    }
  | {
      readonly type: 'load-model';
      readonly id: number;
      readonly source: ModelSource;
      readonly settings: DetectorSettings;
    }
  | { readonly type: 'detect'; readonly id: number; readonly image: ImagePayload };

/** The backend the worker runs on and why the ones before it were skipped. */
export interface BackendReport {
  readonly backend: BackendName;
  /** One line per backend tried before `backend`: `name: reason`. */
  readonly fallbacks: readonly string[];
}

/** A loaded model. */
export interface ModelReport {
  readonly description: string;
  /** The architecture built (a model record's, when the weights have one). */
  readonly architecture: ArchitectureName;
  /** Names by label, 0 being background (a model record's, or COCO's), if known. */
  readonly categoryNames?: readonly string[];
  readonly numClasses: number;
  readonly keypoints: boolean;
  readonly masks: boolean;
  /** Reading, building and loading the weights, in milliseconds. */
  readonly loadMs: number;
  /** For a `url` source: whether the weights came from the Cache API instead of the network. */
  readonly cached?: boolean;
}

/** Stage wall times of one detection, milliseconds (`postprocess` includes mask pasting and download). */
export type StageTimes = Partial<Record<PredictStage, number>>;

/**
 * Device work per stage of one detection: device-to-CPU read-backs and shader programs compiled
 * (both 0 on cpu and wasm, whose tensors live in CPU memory and which compile no shaders).
 */
export type StageCounts = Partial<
  Record<PredictStage, { readonly reads: number; readonly compiles: number }>
>;

/** One image's detections. */
export interface DetectionReport {
  readonly width: number;
  readonly height: number;
  /** The decoded image as RGBA, for drawing (transferred). */
  readonly rgba: Uint8ClampedArray;
  readonly instances: readonly DetectedInstance[];
  readonly stages: StageTimes;
  readonly counts: StageCounts;
  readonly totalMs: number;
  readonly backend: BackendName;
  /** `tf.memory().numTensors` after the call (steady across calls when nothing leaks). */
  readonly numTensors: number;
  /** `tf.memory().numBytes` after the call: bytes of all tensors, on the CPU or the GPU. */
  readonly numBytes: number;
}

/** Messages the worker sends. */
export type WorkerResponse =
  | { readonly type: 'backend-started'; readonly id: number; readonly report: BackendReport }
  | { readonly type: 'model-loaded'; readonly id: number; readonly report: ModelReport }
  | {
      readonly type: 'stage';
      readonly id: number;
      readonly stage: PredictStage;
      readonly milliseconds: number;
    }
  | {
      /** Bytes of a `url` source received so far; `total` when the server sent a length. */
      readonly type: 'progress';
      readonly id: number;
      readonly loaded: number;
      readonly total?: number;
    }
  | { readonly type: 'detected'; readonly id: number; readonly report: DetectionReport }
  | { readonly type: 'failed'; readonly id: number; readonly code: string; readonly message: string };
