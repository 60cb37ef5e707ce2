/**
 * `np.linspace(start, stop, count)` bit for bit: `i * ((stop - start) / (count - 1)) + start`,
 * with the last value set to `stop`. So `linspace(0.5, 0.95, 10)[8]` is 0.8999999999999999
 * and `linspace(0, 1, 101)[35]` is 0.35000000000000003, as in pycocotools' Params.
 */
export function linspace(start: number, stop: number, count: number): number[] {
  if (count <= 0) return [];
  if (count === 1) return [start];
  const step = (stop - start) / (count - 1);
  const values = new Array<number>(count);
  if (step === 0) {
    for (let i = 0; i < count; i++) values[i] = (i / (count - 1)) * (stop - start) + start;
  } else {
    for (let i = 0; i < count; i++) values[i] = i * step + start;
  }
  values[count - 1] = stop;
  return values;
}
