import { describe, expect, it } from 'vitest';
import { chwLinearToHwcInOut, convTransposeToHwoi, linearToInOut, oihwToHwio } from './torch-layouts';

describe('torch layout conversions', () => {
  it('transposes a linear weight [out, in] to [in, out]', () => {
    // w = [[1, 2, 3], [4, 5, 6]] (2 outputs, 3 inputs)
    expect(Array.from(linearToInOut(Float32Array.of(1, 2, 3, 4, 5, 6), 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('reorders fc6 columns from (C, H, W) to (H, W, C) flattening', () => {
    // one output, C = 2, H = 1, W = 2: torch column c*2 + w holds 10*c + w
    const torch = Float32Array.of(0, 1, 10, 11);
    // NHWC flattening reads (w, c): (0,0) (0,1) (1,0) (1,1)
    expect(Array.from(chwLinearToHwcInOut(torch, 1, [2, 1, 2]))).toEqual([0, 10, 1, 11]);
    // two outputs interleave as [in, out]
    const two = Float32Array.of(0, 1, 10, 11, 100, 101, 110, 111);
    expect(Array.from(chwLinearToHwcInOut(two, 2, [2, 1, 2]))).toEqual([0, 100, 10, 110, 1, 101, 11, 111]);
  });

  it('dot products agree: torch (C,H,W) input through torch weight == NHWC input through converted weight', () => {
    const [c, h, w, out] = [3, 2, 2, 2];
    const torchWeight = Float32Array.from({ length: out * c * h * w }, (_, i) => Math.sin(i + 1));
    const nchw = Float32Array.from({ length: c * h * w }, (_, i) => Math.cos(3 * i));
    const nhwc = new Float32Array(nchw.length);
    for (let ci = 0; ci < c; ci++) for (let s = 0; s < h * w; s++) nhwc[s * c + ci] = nchw[ci * h * w + s]!;
    const converted = chwLinearToHwcInOut(torchWeight, out, [c, h, w]);
    for (let o = 0; o < out; o++) {
      let torchDot = 0;
      let ourDot = 0;
      for (let i = 0; i < nchw.length; i++) {
        torchDot += torchWeight[o * nchw.length + i]! * nchw[i]!;
        ourDot += converted[i * out + o]! * nhwc[i]!;
      }
      expect(ourDot).toBeCloseTo(torchDot, 5);
    }
  });

  it('moves conv OIHW to HWIO and conv-transpose [in, out, kh, kw] to [kh, kw, out, in]', () => {
    // shape [2, 1, 1, 2]: value = 10*a + d (a: first dim, d: last dim)
    const data = Float32Array.of(0, 1, 10, 11);
    expect(Array.from(oihwToHwio(data, [2, 1, 1, 2]))).toEqual([0, 10, 1, 11]); // [kh=1, kw=2, I=1, O=2]
    expect(Array.from(convTransposeToHwoi(data, [2, 1, 1, 2]))).toEqual([0, 10, 1, 11]); // [1, 2, out=1, in=2]
    // [in=1, out=2, 1, 1] -> [1, 1, out=2, in=1]: same order
    expect(Array.from(convTransposeToHwoi(Float32Array.of(5, 6), [1, 2, 1, 1]))).toEqual([5, 6]);
  });
});
