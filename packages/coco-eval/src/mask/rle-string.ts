import { CocoFormatError } from '../errors';
import { RunBuffer } from './run-buffer';

/**
 * Compresses run lengths to COCO's string form (maskApi.c `rleToString`): from the
 * fourth run on, each run is stored as its difference to the run two before; every
 * number is written as little-endian 5-bit groups with a continuation bit and a sign
 * bit, each group as one character in ASCII 48..111.
 * @param counts run lengths (non-negative integers below 2^32)
 */
export function rleToString(counts: ArrayLike<number>): string {
  const codes = new Uint8Array(counts.length * 7);
  let length = 0;
  for (let i = 0; i < counts.length; i++) {
    let value = counts[i];
    if (i > 2) value -= counts[i - 2];
    let more = true;
    while (more) {
      // value & 0x1f and value >> 5 on a 64-bit signed integer, done on exact doubles.
      const high = Math.floor(value / 32);
      let group = value - high * 32;
      value = high;
      more = group & 0x10 ? value !== -1 : value !== 0;
      if (more) group |= 0x20;
      codes[length++] = group + 48;
    }
  }
  return codesToString(codes, length);
}

function codesToString(codes: Uint8Array, length: number): string {
  let text = '';
  const chunk = 8192;
  for (let start = 0; start < length; start += chunk) {
    text += String.fromCharCode.apply(null, codes.subarray(start, Math.min(start + chunk, length)) as never);
  }
  return text;
}

/**
 * Decompresses a COCO RLE string to run lengths (maskApi.c `rleFrString`).
 * @returns run lengths; the caller checks them against the mask size
 * @throws CocoFormatError on characters outside ASCII 48..111, a truncated number, a
 *   number too long for 32 bits, or a run that decodes negative or above 2^32 - 1
 *   (pycocotools would silently wrap these)
 */
export function rleFromString(text: string, path?: string): Uint32Array {
  const runs = new RunBuffer(Math.max(1, text.length));
  decodeRleString(text, runs, path);
  return runs.toArray();
}

/** 32^i: the weight of the i-th 5-bit group. */
const POWERS_OF_32 = [1, 2 ** 5, 2 ** 10, 2 ** 15, 2 ** 20, 2 ** 25, 2 ** 30, 2 ** 35];

/**
 * rleFromString appending to a RunBuffer (no allocation per mask).
 * @returns the sum of the decoded runs (the pixel count they cover)
 */
export function decodeRleString(text: string, out: RunBuffer, path?: string): number {
  out.reserve(text.length);
  const counts = out.data;
  const start = out.length;
  const textLength = text.length;
  let length = start;
  let position = 0;
  let total = 0;
  while (position < textLength) {
    // Up to 6 characters (30 bits) in int32 arithmetic; longer numbers are rare.
    let group = text.charCodeAt(position++) - 48;
    if (group >>> 0 > 63) throw invalidCharacter(text, position - 1, path);
    let value = group & 0x1f;
    let digits = 1;
    while (group & 0x20) {
      if (position >= textLength) {
        throw new CocoFormatError(`RLE string ends inside a number at character ${position}`, path);
      }
      group = text.charCodeAt(position++) - 48;
      if (group >>> 0 > 63) throw invalidCharacter(text, position - 1, path);
      if (digits === 7) {
        throw new CocoFormatError(
          `RLE number ending at character ${position} is longer than 7 characters`,
          path,
        );
      }
      value += (group & 0x1f) * POWERS_OF_32[digits++];
    }
    if (group & 0x10) value -= POWERS_OF_32[digits];
    if (length - start > 2) value += counts[length - 2];
    if (value < 0 || value > 0xffffffff) {
      throw new CocoFormatError(
        `RLE run ${length - start} decodes to ${value}; runs must be 0..2^32-1`,
        path,
      );
    }
    counts[length++] = value;
    total += value;
  }
  out.length = length;
  return total;
}

function invalidCharacter(text: string, position: number, path?: string): CocoFormatError {
  return new CocoFormatError(
    `RLE string has ${JSON.stringify(text[position])} at character ${position}; only ASCII 48..111 is valid`,
    path,
  );
}
