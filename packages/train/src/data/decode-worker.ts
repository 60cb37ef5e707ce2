/**
 * Worker-thread entry of {@link DecodePool}: receives `{ id, task }`, answers `{ id, sample }`
 * (buffers transferred) or `{ id, error }`.
 */
import { parentPort } from 'node:worker_threads';
import { prepareSample, type SampleTask, sampleBuffers } from './prepare-sample';

parentPort?.on('message', async ({ id, task }: { id: number; task: SampleTask }) => {
  try {
    const sample = await prepareSample(task);
    parentPort?.postMessage({ id, sample }, sampleBuffers(sample));
  } catch (error) {
    parentPort?.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
