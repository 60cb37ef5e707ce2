import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensors } from '@rcnn/core';
import { useBackend } from '@rcnn/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { ToyDetector } from '../__test-helpers__/toy-detector';
import { Sgd } from '../optim/sgd';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';

beforeAll(() => useBackend('cpu'));

describe('saveCheckpoint', () => {
  it("writes further metadata into the model file only; the training state's key wins", async () => {
    const directory = mkdtempSync(join(tmpdir(), 'rcnn-checkpoint-'));
    const model = new ToyDetector();
    const optimizer = new Sgd();
    const state = { iteration: 2, seed: 7, labelMap: { categoryIds: [3, 8], names: ['a', 'b'] } };
    const record = JSON.stringify({ architecture: 'maskrcnn_resnet18_fpn' });
    const paths = await saveCheckpoint(directory, model, optimizer, state, {
      'rcnn.model': record,
      'rcnn.train': 'overridden?',
    });
    const modelFile = readSafetensors(new Uint8Array(readFileSync(paths.model)));
    expect(modelFile.metadata).toEqual({ 'rcnn.model': record, 'rcnn.train': JSON.stringify(state) });
    const optimizerFile = readSafetensors(new Uint8Array(readFileSync(paths.optimizer)));
    expect(optimizerFile.metadata['rcnn.model']).toBeUndefined();
    expect((await loadCheckpoint(paths.model)).state).toEqual(state);
    model.dispose();
    optimizer.dispose();
  });
});
