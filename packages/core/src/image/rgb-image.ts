/** Decoded pixels: `height * width * 3` bytes, row-major, interleaved R, G, B. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}
