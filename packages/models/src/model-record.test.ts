import { writeSafetensors } from '@rcnn/core';
import { describe, expect, it } from 'vitest';
import {
  labelNamesOf,
  MODEL_RECORD_KEY,
  type ModelRecord,
  modelRecordMetadata,
  modelRecordOf,
  parseModelRecord,
  readModelRecord,
} from './model-record';
import { COCO_CATEGORY_NAMES } from './presets/coco-category-names';

const RECORD: ModelRecord = {
  architecture: 'maskrcnn_resnet18_fpn',
  options: { numClasses: 4, normLayer: 'gn', minSize: [224, 256], rpnAnchorSizes: [16, 32, 64, 128, 256] },
  categoryNames: ['circle', 'square', 'triangle'],
  categoryIds: [1, 2, 5],
};

const weights = new Map([['w', { dtype: 'float32' as const, shape: [1], data: Float32Array.of(1) }]]);

describe('model record', () => {
  it('round-trips through safetensors metadata, fields in the table order', () => {
    const { architecture, options, categoryNames, categoryIds } = RECORD;
    const metadata = modelRecordMetadata({ categoryIds, categoryNames, options, architecture });
    expect(Object.keys(JSON.parse(metadata[MODEL_RECORD_KEY]!))).toEqual([
      'architecture',
      'options',
      'categoryNames',
      'categoryIds',
    ]);
    const bytes = writeSafetensors(weights, { format: 'pt', ...metadata });
    expect(readModelRecord(bytes)).toEqual(RECORD);
    expect(readModelRecord(writeSafetensors(weights, { format: 'pt' }))).toBeUndefined();
    expect(modelRecordOf({})).toBeUndefined();
  });

  it('reads a record without category ids and ignores keys it does not know', () => {
    const { categoryIds: _, ...withoutIds } = RECORD;
    expect(parseModelRecord(JSON.stringify({ ...withoutIds, addedLater: 1 }))).toEqual(withoutIds);
  });

  it.each([
    ['{"architecture":', /^"rcnn\.model" record: not valid JSON/],
    ['[]', /must be a JSON object, got a list/],
    [JSON.stringify({ ...RECORD, architecture: undefined }), /missing "architecture"/],
    [JSON.stringify({ ...RECORD, architecture: 'yolo' }), /"architecture": unknown architecture 'yolo'/],
    [JSON.stringify({ ...RECORD, options: [] }), /"options" must be an object/],
    [
      JSON.stringify({ ...RECORD, options: { numClasses: 4, minSize: { a: 1 } } }),
      /"options\.minSize" must be/,
    ],
    [JSON.stringify({ ...RECORD, options: { numClasses: 4, weights: 'x' } }), /"options\.weights" must be/],
    [
      JSON.stringify({ ...RECORD, options: { numClasses: 1.5 } }),
      /"options\.numClasses" must be a positive integer/,
    ],
    [
      JSON.stringify({ ...RECORD, options: { numClasses: 5 } }),
      /numClasses" is 5 but "categoryNames" names 3 classes/,
    ],
    [JSON.stringify({ ...RECORD, options: { numClasses: 4, numKeypoints: 0 } }), /"options\.numKeypoints"/],
    [
      JSON.stringify({ ...RECORD, categoryNames: ['a', 2, 'c'] }),
      /"categoryNames" must be a list of strings/,
    ],
    [JSON.stringify({ ...RECORD, categoryIds: [1, 2] }), /"categoryIds" has 2 ids for 3 names/],
    [JSON.stringify({ ...RECORD, categoryIds: [1, 1, 2] }), /repeated ids/],
    [JSON.stringify({ ...RECORD, categoryIds: [1, 'b', 2] }), /"categoryIds" must be a list of integers/],
  ])('refuses %s with a one-line RcnnError', (text, message) => {
    let error: unknown;
    try {
      parseModelRecord(text);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toMatchObject({ name: 'RcnnError', code: 'INVALID_WEIGHTS' });
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('refuses to write a record that would not read back', () => {
    expect(() => modelRecordMetadata({ ...RECORD, categoryNames: ['one'] })).toThrowError(/numClasses" is 4/);
  });

  it('names labels by the record, else by COCO for torchvision layouts, else not at all', () => {
    expect(labelNamesOf(RECORD, 'maskrcnn_resnet18_fpn', 4)).toEqual([
      '__background__',
      'circle',
      'square',
      'triangle',
    ]);
    expect(labelNamesOf(undefined, 'maskrcnn_resnet50_fpn', 91)).toBe(COCO_CATEGORY_NAMES);
    expect(labelNamesOf(undefined, 'keypointrcnn_resnet50_fpn', 2)).toEqual(['__background__', 'person']);
    expect(labelNamesOf(undefined, 'fasterrcnn_resnet18_fpn', 3)).toBeUndefined();
  });
});
