import { readFixtureBytes } from '@rcnn/test-utils';
import { describe, expect, it } from 'vitest';
import { RcnnError } from '../errors/rcnn-error';
import { decodeImagePixels } from './decode-image';
import { readImageHeader } from './image-header';

const fixture = (name: string) => readFixtureBytes(import.meta.url, name);

describe('readImageHeader', () => {
  it.each([
    'rgb.png',
    'rgba.png',
    'palette.png',
    'gray16.png',
    'photo-420.jpg',
    'photo-progressive.jpg',
    'gray.jpg',
  ])('gives the size that decoding %s gives', (name) => {
    const bytes = fixture(name);
    const { width, height } = decodeImagePixels(bytes);
    expect(readImageHeader(bytes)).toEqual({ format: name.endsWith('.png') ? 'png' : 'jpeg', width, height });
  });

  it.each([
    ['a GIF', new TextEncoder().encode('GIF89a....'), /GIF images are not decoded here/],
    ['a PNG cut inside IHDR', fixture('rgb.png').subarray(0, 20), /^PNG: IHDR is not the first chunk/],
    [
      'a JPEG cut before its frame header',
      fixture('photo-420.jpg').subarray(0, 4),
      /^JPEG: file ends before the frame header/,
    ],
  ])('refuses %s with INVALID_IMAGE', (_, bytes, message) => {
    expect(() => readImageHeader(bytes)).toThrowError(RcnnError);
    expect(() => readImageHeader(bytes)).toThrowError(message);
  });
});
