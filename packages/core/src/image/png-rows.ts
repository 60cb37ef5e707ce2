import { Unzlib } from 'fflate';
import { RcnnError } from '../errors/rcnn-error';
import { channelsOf, type PngHeader, pngPasses, rowToRgb, unfilterRow } from './png-scanlines';

/**
 * Receives one decoded row: `count` RGB pixels of image row `y` at columns
 * `xStart, xStart + xStep, ...` (xStep > 1 only for Adam7 passes). `rgb` is reused for
 * the next row: copy what you keep.
 */
export type PngRowSink = (y: number, rgb: Uint8Array, xStart: number, xStep: number, count: number) => void;

/** Compressed bytes pushed per inflate step: at most ~1032x this (16.5 MB) is inflated at once. */
const INPUT_SLICE = 16 * 1024;

/**
 * Inflates the concatenated IDAT data as a stream and hands each unfiltered row to
 * `sink` as RGB, keeping only two scanlines and one inflated slice in memory (never
 * the whole inflated image). Inflation stops as soon as every row is complete, so
 * trailing data (or a deflate bomb behind the image) is never expanded; libpng also
 * ignores data after the last row.
 * @throws RcnnError `INVALID_IMAGE` for data that does not inflate, a bad row filter,
 *   or fewer bytes than the image needs.
 */
export function forEachPngRow(
  header: PngHeader,
  palette: Uint8Array | undefined,
  parts: readonly Uint8Array[],
  sink: PngRowSink,
): void {
  const passes = pngPasses(header);
  const expected = passes.reduce((sum, pass) => sum + pass.height * (pass.rowBytes + 1), 0);
  const bytesPerPixel = Math.max(1, (channelsOf(header.colorType) * header.bitDepth) >> 3);
  const widest = Math.max(...passes.map((pass) => pass.rowBytes)) + 1;
  let current = new Uint8Array(widest);
  let previous = new Uint8Array(widest);
  const plainRgb = header.colorType === 2 && header.bitDepth === 8;
  const rgb = new Uint8Array(plainRgb ? 0 : header.width * 3);
  let passIndex = 0;
  let rowInPass = 0;
  let filled = 0;
  let received = 0;
  let done = passes.length === 0;

  const consume = (chunk: Uint8Array) => {
    let offset = 0;
    while (offset < chunk.length && !done) {
      const pass = passes[passIndex]!;
      const need = pass.rowBytes + 1;
      const take = Math.min(need - filled, chunk.length - offset);
      current.set(chunk.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      received += take;
      if (filled < need) return;
      const row = current.subarray(1, need);
      unfilterRow(current[0]!, row, rowInPass > 0 ? previous.subarray(1, need) : undefined, bytesPerPixel);
      // 8-bit RGB rows already are what the sink takes; other formats are converted.
      if (!plainRgb) rowToRgb(row, pass, header, palette, rgb);
      sink(pass.yStart + rowInPass * pass.yStep, plainRgb ? row : rgb, pass.xStart, pass.xStep, pass.width);
      [current, previous] = [previous, current];
      filled = 0;
      if (++rowInPass === pass.height) {
        passIndex++;
        rowInPass = 0;
        done = passIndex === passes.length;
      }
    }
  };

  const stream = new Unzlib((chunk) => consume(chunk));
  try {
    for (const part of parts) {
      for (let start = 0; start < part.length && !done; start += INPUT_SLICE) {
        stream.push(part.subarray(start, start + INPUT_SLICE));
      }
    }
    if (!done) stream.push(new Uint8Array(0), true);
  } catch (error) {
    if (error instanceof RcnnError) throw error;
    throw new RcnnError('INVALID_IMAGE', 'PNG: image data does not inflate (corrupt or truncated)', {
      cause: error,
    });
  }
  if (!done) {
    throw new RcnnError('INVALID_IMAGE', `PNG: image data has ${received} of ${expected} bytes (truncated)`);
  }
}
