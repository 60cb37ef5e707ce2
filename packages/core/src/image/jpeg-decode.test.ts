import { readFixtureBytes } from '@rcnn/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { RcnnError } from '../errors/rcnn-error';
import { decodeJpeg, JPEG_MEMORY_LIMIT_MB } from './jpeg-decode';

// jpeg-js's own refusals, as it words them (decoder.js requestMemoryAllocation and decode):
// reaching them for real allocates hundreds of megabytes, so the library is stubbed here.
const failure = vi.hoisted(() => ({ message: '' }));
vi.mock('jpeg-js', () => ({
  decode: () => {
    throw new Error(failure.message);
  },
}));

describe('decodeJpeg when jpeg-js refuses', () => {
  it.each([
    [
      'maxMemoryUsageInMB limit exceeded by at least 6MB',
      /too large to decode within the 768 MB JPEG memory limit/,
    ],
    [
      'Could not allocate enough memory for the image. Required: 900000000',
      /too large to decode within the 768 MB/,
    ],
    ['unknown JPEG marker 0', /^JPEG: cannot decode \(unknown JPEG marker 0\)$/],
  ])('turns "%s" into INVALID_IMAGE saying why', (message, expected) => {
    failure.message = message;
    expect(JPEG_MEMORY_LIMIT_MB).toBe(768);
    const decode = () => decodeJpeg(readFixtureBytes(import.meta.url, 'photo-420.jpg'));
    expect(decode).toThrowError(RcnnError);
    expect(decode).toThrowError(expected);
  });
});
