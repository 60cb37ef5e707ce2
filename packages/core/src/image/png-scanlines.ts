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
 * Undoes one row's filter (None, Sub, Up, Average, Paeth; PNG spec section 9) in place.
 * @param filter the row's filter byte
 * @param row the filtered row bytes (without the filter byte); overwritten with raw bytes
 * @param previous the previous raw row of the same pass, or undefined on its first row
 *   ("up" then reads as 0)
 */
export function unfilterRow(
  filter: number,
  row: Uint8Array,
  previous: Uint8Array | undefined,
  bytesPerPixel: number,
): void {
  const length = row.length;
  switch (filter) {
    case 0:
      return;
    case 1:
      for (let i = bytesPerPixel; i < length; i++) row[i] = (row[i]! + row[i - bytesPerPixel]!) & 0xff;
      return;
    case 2:
      if (previous) for (let i = 0; i < length; i++) row[i] = (row[i]! + previous[i]!) & 0xff;
      return;
    case 3:
      for (let i = 0; i < length; i++) {
        const left = i >= bytesPerPixel ? row[i - bytesPerPixel]! : 0;
        row[i] = (row[i]! + ((left + (previous ? previous[i]! : 0)) >> 1)) & 0xff;
      }
      return;
    case 4:
      for (let i = 0; i < length; i++) {
        const left = i >= bytesPerPixel ? row[i - bytesPerPixel]! : 0;
        const up = previous ? previous[i]! : 0;
        const upLeft = previous && i >= bytesPerPixel ? previous[i - bytesPerPixel]! : 0;
        row[i] = (row[i]! + paeth(left, up, upLeft)) & 0xff;
      }
      return;
    default:
      throw new RcnnError('INVALID_IMAGE', `PNG: unknown row filter ${filter}`);
  }
}

/**
 * Converts one raw row of a pass to 8-bit RGB (`pass.width * 3` bytes into `rgb`):
 * alpha dropped, gray expanded, palette looked up (indices past the palette read as
 * black, as browsers do), sub-byte gray scaled to 0..255, 16-bit samples keep their
 * high byte (what PIL does for 16-bit RGB and libpng's `png_set_strip_16`).
 */
export function rowToRgb(
  row: Uint8Array,
  pass: PngPass,
  header: PngHeader,
  palette: Uint8Array | undefined,
  rgb: Uint8Array,
): void {
  const { bitDepth, colorType } = header;
  const channels = channelsOf(colorType);
  const maximum = (1 << bitDepth) - 1;
  const bytesPerSample = bitDepth === 16 ? 2 : 1;
  for (let x = 0; x < pass.width; x++) {
    const out = x * 3;
    if (bitDepth < 8) {
      const bit = x * bitDepth;
      const value = (row[bit >> 3]! >> (8 - bitDepth - (bit & 7))) & maximum;
      if (colorType === 3) copyPaletteEntry(palette, value, rgb, out);
      else rgb.fill(Math.round((value * 255) / maximum), out, out + 3);
      continue;
    }
    const first = x * channels * bytesPerSample; // high byte comes first (big-endian)
    if (colorType === 3) copyPaletteEntry(palette, row[first]!, rgb, out);
    else if (channels <= 2) rgb.fill(row[first]!, out, out + 3);
    else {
      rgb[out] = row[first]!;
      rgb[out + 1] = row[first + bytesPerSample]!;
      rgb[out + 2] = row[first + 2 * bytesPerSample]!;
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
