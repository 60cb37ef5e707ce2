/** A small seeded PRNG (mulberry32) for tests that need reproducible random data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` valid xyxy boxes inside a `width x height` image as a flat Float32Array [n * 4]. */
export function randomBoxes(n: number, { width = 100, height = 100, seed = 1 } = {}): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    const x1 = random() * width * 0.9;
    const y1 = random() * height * 0.9;
    out.set([x1, y1, x1 + 1 + random() * (width - x1 - 1), y1 + 1 + random() * (height - y1 - 1)], i * 4);
  }
  return out;
}
