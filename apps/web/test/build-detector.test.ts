import { writeSafetensors } from '@rcnn/core';
import {
  createDetector,
  deterministicWeightsFor,
  MODEL_RECORD_KEY,
  type ModelRecord,
  modelRecordMetadata,
} from '@rcnn/models';
import { useBackend } from '@rcnn/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDetector } from '../src/build-detector';
import type { LocalModelSource } from '../src/protocol';

/** A small Faster R-CNN's record (as `rcnn train` writes one): its options shape the weights. */
const RECORD: ModelRecord = {
  architecture: 'fasterrcnn_resnet18_fpn',
  options: { numClasses: 3, backboneBaseChannels: 8, fpnOutChannels: 16, minSize: [96, 112], maxSize: 160 },
  categoryNames: ['disc', 'star'],
};

/** The record's model with deterministic weights as a `.safetensors` file, with or without the record. */
function checkpoint(withRecord: boolean): LocalModelSource {
  const model = createDetector(RECORD.architecture, RECORD.options);
  const weights = deterministicWeightsFor(model);
  model.dispose();
  const bytes = writeSafetensors(weights, withRecord ? modelRecordMetadata(RECORD) : {});
  return { kind: 'checkpoint', fileName: 'small.safetensors', bytes: bytes.buffer as ArrayBuffer };
}

// How the page builds a weights file: a model record, when there is one, says what to build.
describe('buildDetector with model records', () => {
  beforeAll(() => useBackend('cpu'));

  it("builds a checkpoint's record: architecture, options and class names, the page's settings on top", () => {
    // The Model select's architecture loses to the record's.
    const source = { ...checkpoint(true), architecture: 'maskrcnn_resnet50_fpn' } as const;
    const { model, report } = buildDetector(source);
    try {
      expect(report.architecture).toBe('fasterrcnn_resnet18_fpn');
      expect(report.categoryNames).toEqual(['__background__', 'disc', 'star']);
      expect(report.numClasses).toBe(3);
      expect(report.description).toBe(
        'fasterrcnn_resnet18_fpn from small.safetensors, 2 classes by its model record',
      );
      expect(model.transform.minSizes).toEqual([96, 112]);
      expect(model.transform.maxSize).toBe(160);
    } finally {
      model.dispose();
    }
    const sized = buildDetector(checkpoint(true), { minSize: 64, maxSize: 107, proposals: 20 });
    expect(sized.model.transform.minSizes).toEqual([64]);
    expect(sized.model.transform.maxSize).toBe(107);
    sized.model.dispose();
  });

  it('needs an architecture for a file without a record, then loads it strictly', () => {
    expect(() => buildDetector(checkpoint(false))).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('no "rcnn.model" record'),
      }),
    );
    // Without its record the file's small shapes do not fit the preset's torchvision defaults.
    expect(() => buildDetector({ ...checkpoint(false), architecture: 'fasterrcnn_resnet18_fpn' })).toThrow(
      /small.safetensors|entries|shape/i,
    );
  });

  it('names the file that is not a weights file, or whose record is malformed', () => {
    const notes = new TextEncoder().encode('not weights at all');
    expect(() =>
      buildDetector({ kind: 'checkpoint', fileName: 'notes.pth', bytes: notes.buffer as ArrayBuffer }),
    ).toThrow(/^notes\.pth: not a readable \.pth or \.safetensors state_dict: /);
    const bad = writeSafetensors(new Map(), { [MODEL_RECORD_KEY]: '{"architecture":' });
    expect(() =>
      buildDetector({ kind: 'checkpoint', fileName: 'bad.safetensors', bytes: bad.buffer as ArrayBuffer }),
    ).toThrow(/^bad\.safetensors: "rcnn\.model" record: not valid JSON/);
  });
});
