import type { PredictStage } from '@rcnn/models';
import type {
  BackendName,
  BackendReport,
  DetectionReport,
  DetectorSettings,
  ImagePayload,
  ModelReport,
  ModelSource,
  WorkerRequest,
  WorkerResponse,
} from '../protocol';

/** What the page hears from the worker besides answers: stage times and backend or model changes. */
export interface DetectorEvents {
  onStage?(stage: PredictStage, milliseconds: number): void;
  onBackend?(report: BackendReport): void;
  onModel?(report: ModelReport): void;
  /** Weight bytes received so far while loading a `url` source. */
  onProgress?(loaded: number, total: number | undefined): void;
}

type Answer = Extract<WorkerResponse, { type: 'backend-started' | 'model-loaded' | 'detected' }>;

interface Pending {
  readonly expect: Answer['type'];
  resolve(response: Answer): void;
  reject(error: Error): void;
}

/** A failure the worker reported, with its `RcnnError` code (or `ERROR`). */
export class WorkerError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'WorkerError';
  }
}

/**
 * The page's side of the worker protocol: each method posts one request and resolves with
 * its answer; progress messages go to `events`. Requests run in the worker in call order.
 */
export class DetectorClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly events: DetectorEvents = {}) {
    this.worker = new Worker(new URL('../worker/detector-worker.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (event: MessageEvent<WorkerResponse>) => this.receive(event.data);
    this.worker.onerror = (event) => {
      const error = new WorkerError('WORKER', event.message || 'the detector worker failed to start');
      for (const pending of this.pending.values()) pending.reject(error);
      this.pending.clear();
    };
  }

  async startBackend(preferred?: BackendName, strict = false): Promise<BackendReport> {
    const answer = await this.request({
      type: 'start-backend',
      id: 0,
      ...(preferred ? { preferred } : {}),
      strict,
    });
    return (answer as Extract<Answer, { type: 'backend-started' }>).report;
  }

  /** Builds and loads a model; the checkpoint's bytes (if any) are transferred, not copied. */
  async loadModel(source: ModelSource, settings: DetectorSettings): Promise<ModelReport> {
    const transfer = source.kind === 'checkpoint' ? [source.bytes] : [];
    const answer = await this.request({ type: 'load-model', id: 0, source, settings }, transfer);
    return (answer as Extract<Answer, { type: 'model-loaded' }>).report;
  }

  /** Detects in one image; its bytes or pixels are transferred. */
  async detect(image: ImagePayload): Promise<DetectionReport> {
    const transfer = image.kind === 'encoded' ? [image.bytes] : [image.data.buffer];
    const answer = await this.request({ type: 'detect', id: 0, image }, transfer as Transferable[]);
    return (answer as Extract<Answer, { type: 'detected' }>).report;
  }

  dispose(): void {
    this.worker.terminate();
  }

  private request(request: WorkerRequest, transfer: Transferable[] = []): Promise<Answer> {
    const id = this.nextId++;
    const expect: Answer['type'] =
      request.type === 'start-backend'
        ? 'backend-started'
        : request.type === 'load-model'
          ? 'model-loaded'
          : 'detected';
    return new Promise<Answer>((resolve, reject) => {
      this.pending.set(id, { expect, resolve, reject });
      this.worker.postMessage({ ...request, id }, transfer);
    });
  }

  private receive(response: WorkerResponse): void {
    const pending = this.pending.get(response.id);
    switch (response.type) {
      case 'stage':
        this.events.onStage?.(response.stage, response.milliseconds);
        return;
      case 'progress':
        this.events.onProgress?.(response.loaded, response.total);
        return;
      case 'failed':
        this.pending.delete(response.id);
        pending?.reject(new WorkerError(response.code, response.message));
        return;
      case 'backend-started':
        this.events.onBackend?.(response.report);
        break;
      case 'model-loaded':
        this.events.onModel?.(response.report);
        break;
      case 'detected':
        break;
      default: {
        const unknown: never = response;
        throw new Error(`unknown worker message ${JSON.stringify(unknown)}`);
      }
    }
    if (pending && pending.expect === response.type) {
      this.pending.delete(response.id);
      pending.resolve(response);
    }
  }
}
