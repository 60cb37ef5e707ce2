/**
 * Area-average ("box") downscaling of RGB rows as they arrive, so a large image is
 * never held at full resolution: each output pixel is the mean of the input area it
 * covers, `[x * inWidth / outWidth, (x + 1) * inWidth / outWidth)` by the same along y,
 * with input pixels cut at the boundaries weighted by the covered fraction (what
 * OpenCV's INTER_AREA and PIL's `Image.reduce` compute for shrinking; for integer
 * factors it is the plain k x k block mean). Rows may come in any order and sparsely
 * (Adam7 passes): every input pixel is added exactly once.
 *
 * Memory: `outWidth * outHeight * 3` float64 accumulators plus one output row, i.e.
 * about 25 MB for 1333 x 800, whatever the input size.
 */
export class AreaDownscaler {
  private readonly columnCell: Int32Array;
  private readonly columnWeight: Float64Array;
  private readonly rowCell: Int32Array;
  private readonly rowWeight: Float64Array;
  private readonly sums: Float64Array;
  private readonly rowSums: Float64Array;

  /** Sizes in pixels; the output may not be larger than the input along either axis. */
  constructor(
    readonly inWidth: number,
    readonly inHeight: number,
    readonly outWidth: number,
    readonly outHeight: number,
  ) {
    if (!(outWidth >= 1 && outHeight >= 1 && outWidth <= inWidth && outHeight <= inHeight)) {
      throw new RangeError(
        `AreaDownscaler: cannot shrink ${inWidth}x${inHeight} to ${outWidth}x${outHeight}`,
      );
    }
    [this.columnCell, this.columnWeight] = taps(inWidth, outWidth);
    [this.rowCell, this.rowWeight] = taps(inHeight, outHeight);
    this.sums = new Float64Array(outWidth * outHeight * 3);
    this.rowSums = new Float64Array(outWidth * 3);
  }

  /**
   * Adds `count` pixels of input row `y` at columns `xStart, xStart + xStep, ...`.
   * @param rgb at least `count * 3` bytes, R, G, B interleaved; read, not kept
   */
  addRow(y: number, rgb: Uint8Array, xStart = 0, xStep = 1, count = this.inWidth): void {
    const rowSums = this.rowSums;
    const columnCell = this.columnCell;
    const columnWeight = this.columnWeight;
    rowSums.fill(0);
    for (let k = 0, x = xStart; k < count; k++, x += xStep) {
      const cell = columnCell[x]! * 3;
      const weight = columnWeight[x]!;
      const r = rgb[k * 3]!;
      const g = rgb[k * 3 + 1]!;
      const b = rgb[k * 3 + 2]!;
      rowSums[cell] += r * weight;
      rowSums[cell + 1] += g * weight;
      rowSums[cell + 2] += b * weight;
      if (weight < 1) {
        const rest = 1 - weight;
        rowSums[cell + 3] += r * rest;
        rowSums[cell + 4] += g * rest;
        rowSums[cell + 5] += b * rest;
      }
    }
    const rowLength = this.outWidth * 3;
    const first = this.rowCell[y]! * rowLength;
    const weight = this.rowWeight[y]!;
    const { sums } = this;
    for (let i = 0; i < rowLength; i++) sums[first + i] += rowSums[i]! * weight;
    if (weight < 1) {
      const rest = 1 - weight;
      for (let i = 0; i < rowLength; i++) sums[first + rowLength + i] += rowSums[i]! * rest;
    }
  }

  /** The means, rounded to the nearest integer: `outHeight * outWidth * 3` bytes. */
  finish(): Uint8Array {
    const area = (this.inWidth / this.outWidth) * (this.inHeight / this.outHeight);
    const out = new Uint8Array(this.sums.length);
    for (let i = 0; i < out.length; i++)
      out[i] = Math.min(255, Math.max(0, Math.round(this.sums[i]! / area)));
    return out;
  }
}

/**
 * For each input index along one axis: the first output cell it overlaps and the
 * overlapped length (0..1]; the rest (1 - length) falls in the next cell. Boundaries
 * are `cell * inSize / outSize`, exact for integer ratios.
 */
function taps(inSize: number, outSize: number): [Int32Array, Float64Array] {
  const cells = new Int32Array(inSize);
  const weights = new Float64Array(inSize);
  for (let i = 0; i < inSize; i++) {
    const cell = Math.floor((i * outSize) / inSize);
    const boundary = ((cell + 1) * inSize) / outSize;
    cells[i] = cell;
    weights[i] = boundary >= i + 1 || cell + 1 >= outSize ? 1 : boundary - i;
  }
  return [cells, weights];
}
