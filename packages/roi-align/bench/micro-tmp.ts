import { roiAlignBackward, roiAlignForward } from '../src/kernels/shared/roi-align-loops';

const C = 256,
  H = 200,
  W = 200;
let q = 7;
const data = new Float32Array(H * W * C).map(() => {
  q = (q * 48271) % 2147483647;
  return q / 2147483647;
});
const R = 1000;
const boxes = new Float32Array(R * 4);
let s = 1;
const rnd = () => {
  s = (s * 16807) % 2147483647;
  return s / 2147483647;
};
for (let i = 0; i < R; i++) {
  const side = 56 + 56 * rnd();
  const x = rnd() * 700,
    y = rnd() * 700;
  boxes.set([x, y, x + side, y + side], i * 4);
}
const box = { boxes, batchIndices: new Int32Array(R), levels: new Int32Array(R) };
const attrs = {
  outputHeight: 7,
  outputWidth: 7,
  spatialScales: [0.25],
  samplingRatio: 2,
  aligned: false,
  poolingMode: 'avg' as const,
};
const out = new Float32Array(R * 49 * C);
const levels = [{ data, batch: 1, height: H, width: W }];
for (let k = 0; k < 5; k++) {
  const t = performance.now();
  roiAlignForward(levels, C, box, attrs, out);
  console.log('fwd', (performance.now() - t).toFixed(1));
}
const grad = new Float32Array(H * W * C);
for (let k = 0; k < 3; k++) {
  const t = performance.now();
  grad.fill(0);
  roiAlignBackward(out, levels, 0, C, box, attrs, grad);
  console.log('bwd', (performance.now() - t).toFixed(1));
}
let sum = 0;
for (let i = 0; i < out.length; i += 97) sum += out[i]!;
console.log('checksum', sum.toFixed(4));
