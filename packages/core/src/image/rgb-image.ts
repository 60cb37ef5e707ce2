/** Decoded pixels: `height * width * 3` bytes, row-major, interleaved R, G, B. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/**
 * What `decodeImagePixels` returns: the pixels (possibly shrunk while decoding, see
 * `DecodeImageOptions.fitWithin`) and the size of the file's image. A point `(x, y)` in
 * these pixels (continuous coordinates, 0 at the left/top edge) is
 * `(x * scaleX, y * scaleY)` in the original image; boxes map the same way.
 */
export interface DecodedImage extends RgbImage {
  /** Width of the image stored in the file, in pixels. */
  readonly originalWidth: number;
  /** Height of the image stored in the file, in pixels. */
  readonly originalHeight: number;
  /** `originalWidth / width`; 1 when not shrunk. */
  readonly scaleX: number;
  /** `originalHeight / height`; 1 when not shrunk. */
  readonly scaleY: number;
}
