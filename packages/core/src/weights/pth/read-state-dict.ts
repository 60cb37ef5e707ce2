import { RcnnError } from '../../errors/rcnn-error';
import { readSafetensors } from '../safetensors';
import type { StateDict } from '../state-dict';
import { type PthReadOptions, readPth } from './read-pth';

/** Which weight format `bytes` hold, from their first bytes (file names can lie). */
export function detectWeightsFormat(bytes: Uint8Array): 'safetensors' | 'pth' | 'unknown' {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    return 'pth';
  }
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1]! >= 2 && bytes[1]! <= 5) return 'pth';
  // safetensors: an 8-byte little-endian header length, then a JSON object. The length is
  // not trusted here (a corrupt one is readSafetensors' to report, not "unknown format").
  if (bytes.length >= 10 && bytes[8] === 0x7b) return 'safetensors';
  return 'unknown';
}

/**
 * Reads a state_dict from safetensors or PyTorch `.pth` bytes, chosen by content.
 * `options` apply to `.pth` files (see `readPth`). Arrays are copies; torch layout kept.
 * @throws RcnnError `INVALID_WEIGHTS` when the bytes are neither format.
 */
export function readStateDict(bytes: Uint8Array, options: PthReadOptions = {}): StateDict {
  const format = detectWeightsFormat(bytes);
  if (format === 'safetensors') return readSafetensors(bytes).tensors;
  if (format === 'pth') return readPth(bytes, options);
  const head = Array.from(bytes.subarray(0, 10), (byte) => byte.toString(16).padStart(2, '0')).join(' ');
  throw new RcnnError(
    'INVALID_WEIGHTS',
    `weights: ${bytes.length} bytes that are neither safetensors nor a torch.save (.pth) file ` +
      `(starts ${head || 'empty'}; expected "PK" for a .pth zip, 0x80 for a legacy .pth pickle, or an ` +
      '8-byte header length then "{" for safetensors)',
  );
}
