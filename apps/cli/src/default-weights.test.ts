import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultWeightsPath } from './default-weights';
import { runCli } from './test-support/run-cli';

describe('the default model', () => {
  // Until the trained weights are committed to @rcnn/default-model, a command without
  // --weights must say so and how to go on (not crash on a missing file or a required flag).
  it('is not in this install yet: predict without --weights says what to pass instead (exit 2)', async () => {
    expect(defaultWeightsPath()).toBeUndefined();
    expect(existsSync(new URL('../../../packages/default-model/model', import.meta.url))).toBe(false);
    const { code, stderr } = await runCli('predict', '--image', 'x.png', '--out-json', 'y.json');
    expect(code).toBe(2);
    expect(stderr).toContain('rcnn predict: no --weights given, and this install has no default model');
    expect(stderr).toContain('--weights deterministic');
  });
});
