export { forEachTextPixel, GLYPH_HEIGHT, GLYPH_WIDTH, measureText } from './bitmap-font';
export { decodeImage, decodeImagePixels } from './decode-image';
export { encodePng } from './encode-png';
export { detectImageFormat, type ImageFormat } from './image-format';
export { type ImageHeader, readImageHeader } from './image-header';
export { type ImageInput, imageToTensor, type RgbaPixels } from './image-to-tensor';
export type { DecodedImage, RgbImage } from './rgb-image';
export type { DecodeImageOptions } from './shrink-to';
