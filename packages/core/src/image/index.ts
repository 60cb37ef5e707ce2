export { decodeImage, decodeImagePixels } from './decode-image';
export { encodePng } from './encode-png';
export { detectImageFormat, type ImageFormat } from './image-format';
export { type ImageInput, imageToTensor, type RgbaPixels } from './image-to-tensor';
export type { RgbImage } from './rgb-image';
