/// <reference lib="webworker" />
import { decodeImagePixels, imageToTensor, RcnnError } from '@rcnn/core';
import type { GeneralizedRcnn } from '@rcnn/models';
import * as tf from '@tensorflow/tfjs-core';
import { buildDetector } from '../build-detector';
import { detectInstances } from '../detect-instances';
import type {
  BackendName,
  DetectionReport,
  DetectorSettings,
  ImagePayload,
  LocalModelSource,
  ModelReport,
  ModelSource,
  StageCounts,
  StageTimes,
  WorkerRequest,
  WorkerResponse,
} from '../protocol';
import { countDeviceWork } from './device-counters';
import { fetchWeights } from './fetch-weights';
import { startBackend } from './start-backend';

declare const self: DedicatedWorkerGlobalScope;

interface Loaded {
  readonly model: GeneralizedRcnn;
  readonly report: ModelReport;
  readonly source: LocalModelSource;
  readonly settings: DetectorSettings;
}

let backend: BackendName | undefined;
let loaded: Loaded | undefined;
/** Backends that failed during a detection, with the reason (the app then runs on the next one). */
const broken = new Map<BackendName, string>();

function post(message: WorkerResponse, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

function load(source: LocalModelSource, settings: DetectorSettings): Loaded {
  loaded?.model.dispose();
  loaded = undefined;
  const built = buildDetector(source, settings);
  loaded = { ...built, source, settings };
  return loaded;
}

/** A `url` source's bytes (Cache API, else the network with progress messages) as a checkpoint source. */
async function resolveSource(
  id: number,
  source: ModelSource,
): Promise<{ local: LocalModelSource; cached?: boolean }> {
  if (source.kind !== 'url') return { local: source };
  const { bytes, cached } = await fetchWeights(source.url, (loaded, total) =>
    post({ type: 'progress', id, loaded, ...(total === undefined ? {} : { total }) }),
  );
  return {
    local: {
      kind: 'checkpoint',
      architecture: source.architecture,
      fileName: source.name ?? source.url,
      bytes,
    },
    cached,
  };
}

/** The image as an int32 `[H, W, 3]` tensor plus RGBA bytes for the page to draw. */
function decode(image: ImagePayload): {
  tensor: tf.Tensor3D;
  rgba: Uint8ClampedArray;
  width: number;
  height: number;
} {
  if (image.kind === 'rgba') {
    const { width, height, data } = image;
    return { tensor: imageToTensor({ width, height, data }), rgba: data, width, height };
  }
  const { width, height, data } = decodeImagePixels(new Uint8Array(image.bytes));
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let pixel = 0; pixel < width * height; pixel++) {
    rgba[pixel * 4] = data[pixel * 3]!;
    rgba[pixel * 4 + 1] = data[pixel * 3 + 1]!;
    rgba[pixel * 4 + 2] = data[pixel * 3 + 2]!;
    rgba[pixel * 4 + 3] = 255;
  }
  return { tensor: tf.tensor3d(Int32Array.from(data), [height, width, 3], 'int32'), rgba, width, height };
}

async function detectOnce(id: number, model: Loaded, image: ImagePayload): Promise<DetectionReport> {
  const { tensor, rgba, width, height } = decode(image);
  const stages: StageTimes = {};
  const counts: StageCounts = {};
  const deviceWork = countDeviceWork();
  let before = deviceWork();
  const start = performance.now();
  try {
    const instances = await detectInstances(
      model.model,
      tensor,
      (stage, milliseconds) => {
        stages[stage] = milliseconds;
        const after = deviceWork();
        counts[stage] = { reads: after.reads - before.reads, compiles: after.compiles - before.compiles };
        before = after;
        post({ type: 'stage', id, stage, milliseconds });
      },
      model.report.categoryNames,
    );
    const totalMs = performance.now() - start;
    return {
      width,
      height,
      rgba,
      instances,
      stages,
      counts,
      totalMs,
      backend: backend!,
      numTensors: 0,
      numBytes: 0,
    };
  } finally {
    tensor.dispose();
  }
}

async function detect(id: number, image: ImagePayload): Promise<DetectionReport> {
  if (!loaded || !backend) throw new RcnnError('INVALID_ARGUMENT', 'load a model before detecting');
  try {
    return await detectOnce(id, loaded, image);
  } catch (error) {
    if (error instanceof RcnnError || backend === 'cpu') throw error;
    // A backend failure (a kernel missing or failing on this device): note it, move to the
    // next backend, rebuild the model there and detect again; the reason reaches the page.
    broken.set(backend, `failed during detection: ${error instanceof Error ? error.message : String(error)}`);
    const report = await startBackend(undefined, false, broken);
    backend = report.backend;
    post({ type: 'backend-started', id, report });
    const { source, settings } = loaded;
    const reloaded = load(source, settings);
    post({ type: 'model-loaded', id, report: reloaded.report });
    return detectOnce(id, reloaded, image);
  }
}

async function handle(request: WorkerRequest): Promise<void> {
  switch (request.type) {
    case 'start-backend': {
      const report = await startBackend(request.preferred, request.strict, broken);
      if (loaded && backend !== report.backend) load(loaded.source, loaded.settings);
      backend = report.backend;
      post({ type: 'backend-started', id: request.id, report });
      return;
    }
    case 'load-model': {
      const start = performance.now();
      const { local, cached } = await resolveSource(request.id, request.source);
      const { report } = load(local, request.settings);
      const loadMs = performance.now() - start;
      post({
        type: 'model-loaded',
        id: request.id,
        report: { ...report, loadMs, ...(cached === undefined ? {} : { cached }) },
      });
      return;
    }
    case 'detect': {
      const report = await detect(request.id, request.image);
      const { numTensors, numBytes } = tf.memory();
      const withTensors = { ...report, numTensors, numBytes };
      post({ type: 'detected', id: request.id, report: withTensors }, [report.rgba.buffer]);
      return;
    }
    default: {
      const unknown: never = request;
      throw new Error(`unknown request ${JSON.stringify(unknown)}`);
    }
  }
}

// Requests run one after another, in the order they arrive.
let queue: Promise<void> = Promise.resolve();
self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  queue = queue.then(() =>
    handle(request).catch((error: unknown) => {
      const code = error instanceof RcnnError ? error.code : 'ERROR';
      const message = error instanceof Error ? error.message : String(error);
      post({ type: 'failed', id: request.id, code, message });
    }),
  );
};
