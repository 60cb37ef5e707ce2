import { PNG_SIGNATURE } from './png-decode';

/** Image formats recognised by their leading bytes ("magic numbers"). */
export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp' | 'tiff' | 'unknown';

/** Which format `bytes` hold, judged by content only (file names and MIME types can lie). */
export function detectImageFormat(bytes: Uint8Array): ImageFormat {
  const startsWith = (...prefix: (number | null)[]) =>
    bytes.length >= prefix.length && prefix.every((byte, i) => byte === null || bytes[i] === byte);
  if (startsWith(...PNG_SIGNATURE)) return 'png';
  if (startsWith(0xff, 0xd8, 0xff)) return 'jpeg';
  if (startsWith(0x47, 0x49, 0x46, 0x38)) return 'gif';
  if (startsWith(0x52, 0x49, 0x46, 0x46, null, null, null, null, 0x57, 0x45, 0x42, 0x50)) return 'webp';
  if (startsWith(0x42, 0x4d)) return 'bmp';
  if (startsWith(0x49, 0x49, 0x2a, 0x00) || startsWith(0x4d, 0x4d, 0x00, 0x2a)) return 'tiff';
  return 'unknown';
}
