import { writeSafetensors } from '@rcnn/core';
import { describe, expect, it } from 'vitest';
import { MODEL_RECORD_KEY, type ModelRecord, modelRecordMetadata } from './model-record';
import { readCheckpoint } from './read-checkpoint';

const weights = new Map([['w', { dtype: 'float32' as const, shape: [2], data: Float32Array.of(1, 2) }]]);
const RECORD: ModelRecord = {
  architecture: 'maskrcnn_resnet18_fpn',
  options: { numClasses: 3 },
  categoryNames: ['circle', 'square'],
};

describe('readCheckpoint', () => {
  it('gives the tensors, the metadata and the record of a safetensors file', () => {
    const metadata = { format: 'pt', ...modelRecordMetadata(RECORD) };
    const checkpoint = readCheckpoint(writeSafetensors(weights, metadata));
    expect([...checkpoint.stateDict.keys()]).toEqual(['w']);
    expect(Array.from(checkpoint.stateDict.get('w')!.data)).toEqual([1, 2]);
    expect(checkpoint.metadata).toEqual(metadata);
    expect(checkpoint.record).toEqual(RECORD);
  });

  it('has no record where the file has none', () => {
    const checkpoint = readCheckpoint(writeSafetensors(weights, { format: 'pt' }));
    expect(checkpoint.record).toBeUndefined();
    expect('record' in checkpoint).toBe(false);
  });

  it('says what is wrong with unreadable bytes and with a malformed record', () => {
    expect(() => readCheckpoint(new TextEncoder().encode('just some notes'))).toThrow(
      /^not a readable \.pth or \.safetensors state_dict: weights: 15 bytes that are neither/,
    );
    const truncated = writeSafetensors(weights, { format: 'pt' }).subarray(0, 40);
    expect(() => readCheckpoint(truncated)).toThrow(/^not a readable \.pth or \.safetensors state_dict: /);
    expect(() =>
      readCheckpoint(writeSafetensors(weights, { [MODEL_RECORD_KEY]: '{"architecture":' })),
    ).toThrow(/^"rcnn\.model" record: not valid JSON/);
  });
});
