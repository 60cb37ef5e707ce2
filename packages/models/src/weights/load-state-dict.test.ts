import {
  deterministicWeight,
  RcnnError,
  readSafetensors,
  readStateDict,
  type StateDict,
  writeSafetensors,
} from '@rcnn/core';
import { describeEachBackend, expectNoLeaks, readFixtureBytes } from '@rcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { disposeDetections } from '../detector-instances';
import { deterministicWeightsFor } from '../deterministic-weights-for';
import { fasterRcnnResnet50Fpn } from '../presets/resnet-fpn-presets';
import { type FixtureName, fixtureModel, modelFixture } from '../test-support/model-fixture';
import { plainInstances } from '../test-support/parity-checks';
import { smallImages, smallModel, smallModelUnloaded } from '../test-support/small-model';
import { StateDictMismatchError } from './state-dict-mismatch-error';

function expectSameDict(actual: StateDict, expected: StateDict, names = [...expected.keys()]): void {
  for (const name of names) {
    const a = actual.get(name);
    const b = expected.get(name)!;
    expect(a?.shape, name).toEqual(b.shape);
    expect(
      Buffer.from(a!.data.buffer, a!.data.byteOffset, a!.data.byteLength).equals(
        Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength),
      ),
      `${name} bit for bit`,
    ).toBe(true);
  }
}

/** The same names with every value scaled: a checkpoint that is valid but different. */
function scaled(dict: StateDict, factor: number): StateDict {
  return new Map(
    [...dict].map(([name, entry]) => [
      name,
      { ...entry, data: Float32Array.from(entry.data, (v) => v * factor) },
    ]),
  );
}

async function catchError(run: () => unknown): Promise<StateDictMismatchError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(StateDictMismatchError);
    expect(error).toBeInstanceOf(RcnnError);
    return error as StateDictMismatchError;
  }
  throw new Error('expected a StateDictMismatchError');
}

describeEachBackend('stateDictShapes', () => {
  for (const name of [
    'fasterrcnn_resnet50_fpn',
    'maskrcnn_resnet50_fpn',
    'keypointrcnn_resnet50_fpn',
  ] as FixtureName[]) {
    it(`${name}: torchvision's state_dict names, shapes and order (BatchNorm counters aside)`, async () => {
      const fixture = modelFixture(name);
      const expected = fixture.stateDictShapes.filter(([key]) => !key.endsWith('num_batches_tracked'));
      // Loading the fixture's own state_dict (counters included) is clean.
      const model = fixtureModel(fixture);
      expect(model.stateDictShapes()).toEqual(expected);
      model.dispose();
    });
  }
}, ['wasm']);

describeEachBackend('GeneralizedRcnn weights', () => {
  it('a clean load reports nothing; saveStateDict returns every entry bit for bit, torchvision names', async () => {
    for (const family of ['fasterrcnn', 'maskrcnn', 'keypointrcnn'] as const) {
      const model = smallModelUnloaded(family);
      const weights = deterministicWeightsFor(model);
      expect(model.loadStateDict(weights)).toEqual({ missing: [], unexpected: [], misshaped: [] });
      const saved = await model.saveStateDict();
      expect([...saved.keys()]).toEqual([...weights.keys()]);
      expectSameDict(saved, weights);
      model.dispose();
    }
  });

  it('strict: missing and unexpected entries throw MISSING_KEYS with the whole report, loading nothing', async () => {
    const model = smallModel('fasterrcnn');
    const before = await model.saveStateDict();
    const changed = scaled(before, 0.5);
    changed.delete('roi_heads.box_predictor.cls_score.bias');
    changed.delete('backbone.body.layer1.0.conv1.weight');
    changed.set('roi_heads.mask_head.0.0.weight', deterministicWeight('x', [8, 256, 3, 3]));
    const error = await catchError(() => model.loadStateDict(changed));
    expect(error.code).toBe('MISSING_KEYS');
    expect(error.report).toEqual({
      missing: ['backbone.body.layer1.0.conv1.weight', 'roi_heads.box_predictor.cls_score.bias'],
      unexpected: ['roi_heads.mask_head.0.0.weight'],
      misshaped: [],
    });
    expect(error.message).toMatch(
      /missing 2: backbone\.body\.layer1\.0\.conv1\.weight.*unexpected 1: roi_heads\.mask_head/,
    );
    expectSameDict(await model.saveStateDict(), before);
    model.dispose();
  });

  it('mis-shaped entries throw INVALID_WEIGHTS in either mode', async () => {
    const model = smallModel('fasterrcnn');
    const weights = deterministicWeightsFor(model);
    weights.set('roi_heads.box_head.fc7.weight', deterministicWeight('fc7', [32, 31]));
    for (const strict of [true, false]) {
      const error = await catchError(() => model.loadStateDict(weights, { strict }));
      expect(error.code).toBe('INVALID_WEIGHTS');
      expect(error.report.misshaped).toEqual([
        'roi_heads.box_head.fc7.weight: got float32 [32, 31], expected float32 [32, 32]',
      ]);
    }
    model.dispose();
  });

  it('non-strict: absent entries keep their values (a Faster R-CNN checkpoint into Mask R-CNN), partial parts too', async () => {
    const faster = smallModelUnloaded('fasterrcnn');
    const fasterWeights = scaled(deterministicWeightsFor(faster), 0.5);
    faster.dispose();
    const mask = smallModel('maskrcnn');
    const before = await mask.saveStateDict();
    fasterWeights.delete('rpn.head.cls_logits.bias');
    fasterWeights.delete('backbone.fpn.layer_blocks.0.0.bias');
    const report = mask.loadStateDict(fasterWeights, { strict: false });
    const maskNames = [...before.keys()].filter((name) => name.startsWith('roi_heads.mask_'));
    expect(report.missing).toEqual([
      'backbone.fpn.layer_blocks.0.0.bias',
      'rpn.head.cls_logits.bias',
      ...maskNames,
    ]);
    expect(report.unexpected).toEqual([]);
    const after = await mask.saveStateDict();
    expectSameDict(after, before, [...report.missing]);
    expectSameDict(after, fasterWeights);
    const detections = await mask.predict(smallImages());
    expect(detections[0]!.masks).toBeDefined();
    disposeDetections(detections);
    mask.dispose();
  });

  it('older torchvision names (FPN inner_blocks.0.weight, rpn.head.conv.*, mask_head.mask_fcn1.*) load the same weights', async () => {
    const model = smallModelUnloaded('maskrcnn');
    const weights = deterministicWeightsFor(model);
    const legacy: StateDict = new Map(
      [...weights].map(([name, entry]) => [
        name
          .replace(/(fpn\.(?:inner|layer)_blocks\.\d+)\.0\./, '$1.')
          .replace('rpn.head.conv.0.0.', 'rpn.head.conv.')
          .replace(/mask_head\.(\d+)\.0\./, (_, i: string) => `mask_head.mask_fcn${Number(i) + 1}.`),
        entry,
      ]),
    );
    expect(legacy.has('rpn.head.conv.weight') && legacy.has('roi_heads.mask_head.mask_fcn2.bias')).toBe(true);
    expect(model.loadStateDict(legacy)).toEqual({ missing: [], unexpected: [], misshaped: [] });
    expectSameDict(await model.saveStateDict(), weights);
    model.dispose();
  });

  it('a torch.save checkpoint (.pth) loads by name', async () => {
    const checkpoint = readStateDict(
      readFixtureBytes(new URL('../index.ts', import.meta.url).href, 'fasterrcnn_box_predictor.pth'),
    );
    const model = fasterRcnnResnet50Fpn({ numClasses: 5 });
    const report = model.loadStateDict(checkpoint, { strict: false });
    expect(report.unexpected).toEqual([]);
    expect(report.missing).toHaveLength(model.stateDictShapes().length - 4);
    const slot = model.weightSlots().find((s) => s.prefix === 'roi_heads.box_predictor.')!;
    const saved = await slot.save();
    for (const [name, shape] of [
      ['roi_heads.box_predictor.cls_score.weight', [5, 1024]],
      ['roi_heads.box_predictor.cls_score.bias', [5]],
      ['roi_heads.box_predictor.bbox_pred.weight', [20, 1024]],
      ['roi_heads.box_predictor.bbox_pred.bias', [20]],
    ] as const) {
      expectSameDict(saved, new Map([[name, deterministicWeight(name, shape)]]));
    }
    // The rest starts from torchvision's init (the backbone included) and saves that.
    const whole = await model.saveStateDict();
    expect(whole.size).toBe(model.stateDictShapes().length);
    expect(whole.get('backbone.body.conv1.weight')!.shape).toEqual([64, 3, 7, 7]);
    model.dispose();
  });

  it('round trip: saveStateDict -> writeSafetensors -> readSafetensors -> a fresh model predicts the same', async () => {
    const model = smallModel('maskrcnn');
    const bytes = writeSafetensors(await model.saveStateDict());
    const copy = smallModelUnloaded('maskrcnn');
    expect(copy.loadStateDict(readSafetensors(bytes).tensors)).toEqual({
      missing: [],
      unexpected: [],
      misshaped: [],
    });
    const images = smallImages();
    const [ours, theirs] = [await model.predict(images), await copy.predict(images)];
    for (let i = 0; i < images.length; i++) {
      expect(await plainInstances(ours[i]!)).toEqual(await plainInstances(theirs[i]!));
    }
    [ours, theirs].forEach(disposeDetections);
    tf.dispose(images);
    model.dispose();
    copy.dispose();
  });

  it('loadStateDict and saveStateDict leak no tensors', async () => {
    const model = smallModel('keypointrcnn');
    const weights = deterministicWeightsFor(model);
    await expectNoLeaks(() => model.loadStateDict(weights), 2);
    await expectNoLeaks(() => model.saveStateDict(), 2);
    model.dispose();
  });
});
