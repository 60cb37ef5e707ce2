import { Worker } from 'node:worker_threads';
import { RcnnError } from '@rcnn/core';
import type { SampleTask } from './prepare-sample';
import type { TrainingSample } from './training-sample';

interface Pending {
  resolve: (sample: TrainingSample) => void;
  reject: (error: Error) => void;
}

/**
 * A small pool of worker threads that read, decode and augment samples off the main thread
 * (the model's thread never decodes). Tasks go to the least busy worker; results come back with
 * their buffers transferred, not copied. Call {@link close} when done.
 */
export class DecodePool {
  private readonly workers: Worker[] = [];
  private readonly busy: number[] = [];
  private readonly pending = new Map<number, Pending & { worker: number }>();
  private nextId = 0;
  private closed = false;

  /**
   * @param size number of worker threads
   * @param workerUrl the built `decode-worker.js` (the package's `dist/decode-worker.js` by default)
   */
  constructor(size: number, workerUrl: URL) {
    if (!Number.isInteger(size) || size < 1)
      throw new RcnnError('INVALID_ARGUMENT', `worker count must be >= 1, got ${size}`);
    for (let i = 0; i < size; i++) {
      const worker = new Worker(workerUrl);
      worker.unref();
      worker.on('message', (message: { id: number; sample?: TrainingSample; error?: string }) => {
        const entry = this.pending.get(message.id);
        if (!entry) return;
        this.pending.delete(message.id);
        this.busy[entry.worker]--;
        if (message.error !== undefined || !message.sample)
          entry.reject(new RcnnError('INVALID_IMAGE', message.error ?? 'no sample'));
        else entry.resolve(message.sample);
      });
      worker.on('error', (error) => this.failAll(i, error));
      this.workers.push(worker);
      this.busy.push(0);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** Runs one task on the least busy worker. */
  run(task: SampleTask): Promise<TrainingSample> {
    if (this.closed) return Promise.reject(new RcnnError('INVALID_ARGUMENT', 'the decode pool is closed'));
    let worker = 0;
    for (let i = 1; i < this.workers.length; i++) if (this.busy[i] < this.busy[worker]) worker = i;
    const id = this.nextId++;
    this.busy[worker]++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker });
      this.workers[worker].postMessage({ id, task });
    });
  }

  /** Stops the workers; pending tasks are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const [id, entry] of this.pending) {
      entry.reject(new RcnnError('INVALID_ARGUMENT', 'the decode pool was closed'));
      this.pending.delete(id);
    }
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private failAll(worker: number, error: Error): void {
    for (const [id, entry] of this.pending) {
      if (entry.worker !== worker) continue;
      this.pending.delete(id);
      entry.reject(error);
    }
  }
}
