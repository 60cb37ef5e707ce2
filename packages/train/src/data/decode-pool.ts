import { Worker } from 'node:worker_threads';
import { RcnnError } from '@rcnn/core';
import type { SampleTask } from './prepare-sample';
import type { TrainingSample } from './training-sample';

interface Pending {
  resolve: (sample: TrainingSample) => void;
  reject: (error: Error) => void;
  worker: number;
}

/**
 * A small pool of worker threads that read, decode and augment samples off the main thread
 * (the model's thread never decodes). Tasks go to the least busy worker; results come back with
 * their buffers transferred, not copied. A worker that dies fails its pending tasks and is
 * replaced. Call {@link close} when done.
 */
export class DecodePool {
  private readonly workers: Worker[] = [];
  private readonly busy: number[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;

  /**
   * @param size number of worker threads
   * @param workerUrl the built `decode-worker.js` (the package's `dist/decode-worker.js` by default)
   */
  constructor(
    size: number,
    private readonly workerUrl: URL,
  ) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RcnnError('INVALID_ARGUMENT', `worker count must be >= 1, got ${size}`);
    }
    for (let slot = 0; slot < size; slot++) {
      this.busy.push(0);
      this.workers.push(this.start(slot));
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

  /** Starts the worker of `slot`, wired to settle its tasks and to be replaced when it dies. */
  private start(slot: number): Worker {
    const worker = new Worker(this.workerUrl);
    worker.unref();
    worker.on('message', (message: { id: number; sample?: TrainingSample; error?: string }) => {
      const entry = this.pending.get(message.id);
      if (!entry) return;
      this.pending.delete(message.id);
      this.busy[entry.worker]--;
      if (message.error !== undefined || !message.sample) {
        entry.reject(new RcnnError('INVALID_IMAGE', message.error ?? 'no sample'));
      } else {
        entry.resolve(message.sample);
      }
    });
    let failed = false;
    const fail = (error: Error) => {
      if (failed || this.closed) return;
      failed = true;
      for (const [id, entry] of this.pending) {
        if (entry.worker !== slot) continue;
        this.pending.delete(id);
        entry.reject(error);
      }
      this.busy[slot] = 0;
      this.workers[slot] = this.start(slot);
    };
    worker.on('error', fail);
    worker.on('exit', (code) =>
      fail(new RcnnError('INVALID_IMAGE', `a decode worker exited (code ${code})`)),
    );
    return worker;
  }
}
