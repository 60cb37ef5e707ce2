import { describe, expect, it } from 'vitest';
import { RcnnError } from '../errors/rcnn-error';
import { deterministicTensor } from './deterministic-weights';
import { tfjsToTorchLayout, torchToTfjsLayout } from './torch-layout';

describe('torch <-> tfjs weight layouts', () => {
  it('transposes a linear [out, in] to [in, out]', () => {
    // torch [[1, 2, 3], [4, 5, 6]] (2 outputs, 3 inputs) -> [[1, 4], [2, 5], [3, 6]]
    expect(Array.from(torchToTfjsLayout(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]))).toEqual([
      1, 4, 2, 5, 3, 6,
    ]);
  });

  it('turns a conv OIHW into HWIO element by element', () => {
    const [o, i, h, w] = [3, 2, 2, 4];
    const torch = deterministicTensor('layout/conv', [o, i, h, w]);
    const tfjs = torchToTfjsLayout(torch, [o, i, h, w]);
    for (let oc = 0; oc < o; oc++)
      for (let ic = 0; ic < i; ic++)
        for (let y = 0; y < h; y++)
          for (let x = 0; x < w; x++)
            expect(tfjs[((y * w + x) * i + ic) * o + oc]).toBe(torch[((oc * i + ic) * h + y) * w + x]);
  });

  it('reorders a linear that reads CHW-flattened features to read HWC-flattened ones', () => {
    const [channels, height, width, outFeatures] = [3, 2, 2, 5];
    const torch = deterministicTensor('layout/fc6', [outFeatures, channels * height * width]);
    const features = deterministicTensor('layout/features', [channels, height, width]); // CHW
    const tfjs = torchToTfjsLayout(
      torch,
      [outFeatures, channels * height * width],
      [channels, height, width],
    );
    for (let o = 0; o < outFeatures; o++) {
      let torchDot = 0;
      let tfjsDot = 0;
      for (let c = 0; c < channels; c++)
        for (let s = 0; s < height * width; s++) {
          torchDot +=
            torch[o * channels * height * width + c * height * width + s]! *
            features[c * height * width + s]!;
          tfjsDot += tfjs[(s * channels + c) * outFeatures + o]! * features[c * height * width + s]!;
        }
      expect(tfjsDot).toBeCloseTo(torchDot, 5);
    }
  });

  it('matches hand-computed layouts for linear-from-CHW, conv and conv-transpose', () => {
    // one output, C = 2, H = 1, W = 2: torch column c*2 + w holds 10*c + w; HWC order reads (w, c)
    expect(Array.from(torchToTfjsLayout(Float32Array.of(0, 1, 10, 11), [1, 4], [2, 1, 2]))).toEqual([
      0, 10, 1, 11,
    ]);
    // two outputs interleave as [in, out]
    const two = Float32Array.of(0, 1, 10, 11, 100, 101, 110, 111);
    expect(Array.from(torchToTfjsLayout(two, [2, 4], [2, 1, 2]))).toEqual([0, 100, 10, 110, 1, 101, 11, 111]);
    // shape [2, 1, 1, 2], value 10*a + d: conv OIHW -> [kh=1, kw=2, I=1, O=2]; conv-transpose [in, out, kh, kw] -> [kh, kw, out, in]
    expect(Array.from(torchToTfjsLayout(Float32Array.of(0, 1, 10, 11), [2, 1, 1, 2]))).toEqual([
      0, 10, 1, 11,
    ]);
    expect(Array.from(torchToTfjsLayout(Float32Array.of(5, 6), [1, 2, 1, 1]))).toEqual([5, 6]);
  });

  it.each([
    [[7], undefined],
    [[4, 6], undefined],
    [[4, 12], [3, 2, 2] as const],
    [[5, 3, 3, 3], undefined],
    [[2, 3, 4], undefined],
  ] as const)('round-trips shape %j exactly', (shape, flattenedFrom) => {
    const torch = deterministicTensor(`layout/${shape.join('x')}`, shape);
    expect(
      Array.from(tfjsToTorchLayout(torchToTfjsLayout(torch, shape, flattenedFrom), shape, flattenedFrom)),
    ).toEqual(Array.from(torch));
  });

  it('rejects mismatched sizes with an RcnnError', () => {
    expect(() => torchToTfjsLayout(new Float32Array(5), [2, 3])).toThrowError(RcnnError);
    expect(() => torchToTfjsLayout(new Float32Array(12), [4, 3], [2, 2, 2])).toThrowError(/flattenedFrom/);
  });
});
