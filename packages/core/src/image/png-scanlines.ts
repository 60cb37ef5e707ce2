import { RcnnError } from '../errors/rcnn-error';

/** PNG IHDR fields this decoder needs. */
export interface PngHeader {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  /** 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA. */
  readonly colorType: number;
  readonly interlaced: boolean;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Adam7 passes: [xStart, yStart, xStep, yStep]. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

export interface PngPass {
  readonly xStart: number;
  readonly yStart: number;
  readonly xStep: number;
  readonly yStep: number;
  readonly width: number;
  readonly height: number;
  readonly rowBytes: number;
}

export function channelsOf(colorType: number): number {
  return CHANNELS[colorType]!;
}

/** The sub-images the filtered data holds: one for plain PNGs, up to seven (Adam7) when interlaced. */
export function pngPasses(header: PngHeader): PngPass[] {
  const bitsPerPixel = channelsOf(header.colorType) * header.bitDepth;
  const geometry = header.interlaced ? ADAM7 : [[0, 0, 1, 1] as const];
  const passes: PngPass[] = [];
  for (const [xStart, yStart, xStep, yStep] of geometry) {
    const width = Math.ceil((header.width - xStart) / xStep);
    const height = Math.ceil((header.height - yStart) / yStep);
    if (width <= 0 || height <= 0) continue; // empty passes carry no filter bytes at all
    passes.push({
      xStart,
      yStart,
      xStep,
      yStep,
      width,
      height,
      rowBytes: Math.ceil((width * bitsPerPixel) / 8),
    });
  }
  return passes;
}

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const distanceLeft = Math.abs(estimate - left);
  const distanceUp = Math.abs(estimate - up);
  const distanceUpLeft = Math.abs(estimate - upLeft);
  if (distanceLeft <= distanceUp && distanceLeft <= distanceUpLeft) return left;
  return distanceUp <= distanceUpLeft ? up : upLeft;
}

/**
 * Undoes the per-row filters (None, Sub, Up, Average, Paeth; PNG spec section 9) of
 * one pass starting at `offset` in the inflated data, returning its raw rows back to back.
 */
export function unfilterPass(
  data: Uint8Array,
  offset: number,
  pass: PngPass,
  bytesPerPixel: number,
): Uint8Array {
  const { rowBytes, height } = pass;
  const out = new Uint8Array(rowBytes * height);
  for (let y = 0; y < height; y++) {
    const filter = data[offset + y * (rowBytes + 1)]!;
    const source = offset + y * (rowBytes + 1) + 1;
    const row = y * rowBytes;
    const previous = row - rowBytes; // negative on the first row: "up" reads as 0
    for (let i = 0; i < rowBytes; i++) {
      const raw = data[source + i]!;
      const left = i >= bytesPerPixel ? out[row + i - bytesPerPixel]! : 0;
      const up = y > 0 ? out[previous + i]! : 0;
      let value: number;
      switch (filter) {
        case 0:
          value = raw;
          break;
        case 1:
          value = raw + left;
          break;
        case 2:
          value = raw + up;
          break;
        case 3:
          value = raw + ((left + up) >> 1);
          break;
        case 4:
          value = raw + paeth(left, up, i >= bytesPerPixel && y > 0 ? out[previous + i - bytesPerPixel]! : 0);
          break;
        default:
          throw new RcnnError('INVALID_IMAGE', `PNG: unknown row filter ${filter}`);
      }
      out[row + i] = value & 0xff;
    }
  }
  return out;
}

/**
 * Writes one unfiltered pass into `rgb` ([height, width, 3] bytes): alpha dropped,
 * gray expanded, palette looked up (indices past the palette read as black, as
 * browsers do), sub-byte gray scaled to 0..255, 16-bit samples keep their high byte
 * (what PIL does for 16-bit RGB and libpng's `png_set_strip_16`).
 */
export function writePassRgb(
  rows: Uint8Array,
  pass: PngPass,
  header: PngHeader,
  palette: Uint8Array | undefined,
  rgb: Uint8Array,
): void {
  const { bitDepth, colorType } = header;
  const channels = channelsOf(colorType);
  const maximum = (1 << bitDepth) - 1;
  const bytesPerSample = bitDepth === 16 ? 2 : 1;
  for (let y = 0; y < pass.height; y++) {
    const row = y * pass.rowBytes;
    const outRow = (pass.yStart + y * pass.yStep) * header.width;
    for (let x = 0; x < pass.width; x++) {
      const out = (outRow + pass.xStart + x * pass.xStep) * 3;
      if (bitDepth < 8) {
        const bit = x * bitDepth;
        const value = (rows[row + (bit >> 3)]! >> (8 - bitDepth - (bit & 7))) & maximum;
        if (colorType === 3) copyPaletteEntry(palette, value, rgb, out);
        else rgb.fill(Math.round((value * 255) / maximum), out, out + 3);
        continue;
      }
      const first = row + x * channels * bytesPerSample; // high byte comes first (big-endian)
      if (colorType === 3) copyPaletteEntry(palette, rows[first]!, rgb, out);
      else if (channels <= 2) rgb.fill(rows[first]!, out, out + 3);
      else {
        rgb[out] = rows[first]!;
        rgb[out + 1] = rows[first + bytesPerSample]!;
        rgb[out + 2] = rows[first + 2 * bytesPerSample]!;
      }
    }
  }
}

function copyPaletteEntry(
  palette: Uint8Array | undefined,
  index: number,
  rgb: Uint8Array,
  out: number,
): void {
  if (palette && index * 3 + 2 < palette.length) rgb.set(palette.subarray(index * 3, index * 3 + 3), out);
  else rgb.fill(0, out, out + 3);
}
