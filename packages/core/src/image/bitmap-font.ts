/** Glyph cell: 5 columns by 7 rows of pixels, plus one column of spacing. */
export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;
const ADVANCE = GLYPH_WIDTH + 1;

/**
 * rcnn's own 5x7 bitmap font (labels on drawn detections, legends of loss curves): each glyph is 7 rows, each row two hex digits whose
 * low 5 bits are the pixels left (bit 4) to right (bit 0). Upper-case letters, digits and
 * the punctuation labels need; lower case is drawn upper case, anything else as '?'.
 */
const GLYPHS: Readonly<Record<string, string>> = {
  A: '0e11111f111111',
  B: '1e11111e11111e',
  C: '0e11101010110e',
  D: '1e11111111111e',
  E: '1f10101e10101f',
  F: '1f10101e101010',
  G: '0e11101711110f',
  H: '1111111f111111',
  I: '0e04040404040e',
  J: '0702020202120c',
  K: '11121418141211',
  L: '1010101010101f',
  M: '111b1515111111',
  N: '11111915131111',
  O: '0e11111111110e',
  P: '1e11111e101010',
  Q: '0e11111115120d',
  R: '1e11111e141211',
  S: '0f10100e01011e',
  T: '1f040404040404',
  U: '1111111111110e',
  V: '11111111110a04',
  W: '1111111515150a',
  X: '11110a040a1111',
  Y: '11110a04040404',
  Z: '1f01020408101f',
  '0': '0e11131519110e',
  '1': '040c040404040e',
  '2': '0e11010204081f',
  '3': '1f02040201110e',
  '4': '02060a121f0202',
  '5': '1f101e0101110e',
  '6': '0608101e11110e',
  '7': '1f010204080808',
  '8': '0e11110e11110e',
  '9': '0e11110f01020c',
  '.': '00000000000c0c',
  ':': '000c0c000c0c00',
  '-': '0000001f000000',
  _: '0000000000001f',
  '%': '18190204081303',
  '/': '00010204081000',
  '(': '02040808080402',
  ')': '08040202020408',
  '?': '0e110102040004',
  '+': '0004041f040400',
  ',': '000000000c0408',
  "'": '04040800000000',
  ' ': '00000000000000',
};

function glyphFor(character: string): string {
  return GLYPHS[character.toUpperCase()] ?? GLYPHS['?']!;
}

/** Width and height in pixels of `text` drawn at integer `scale`. */
export function measureText(text: string, scale = 1): { width: number; height: number } {
  return { width: text.length === 0 ? 0 : (text.length * ADVANCE - 1) * scale, height: GLYPH_HEIGHT * scale };
}

/**
 * Visits the pixels of `text` drawn with its top-left corner at (x, y), each font pixel a
 * `scale x scale` square: `put(px, py)` once per covered pixel (unclipped: the caller clips).
 */
export function forEachTextPixel(
  text: string,
  x: number,
  y: number,
  scale: number,
  put: (px: number, py: number) => void,
): void {
  for (let index = 0; index < text.length; index++) {
    const glyph = glyphFor(text[index]!);
    const left = x + index * ADVANCE * scale;
    for (let row = 0; row < GLYPH_HEIGHT; row++) {
      const bits = Number.parseInt(glyph.slice(row * 2, row * 2 + 2), 16);
      for (let column = 0; column < GLYPH_WIDTH; column++) {
        if (!(bits & (1 << (GLYPH_WIDTH - 1 - column)))) continue;
        for (let dy = 0; dy < scale; dy++) {
          for (let dx = 0; dx < scale; dx++) put(left + column * scale + dx, y + row * scale + dy);
        }
      }
    }
  }
}
