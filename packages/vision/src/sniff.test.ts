import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pngSize, sniffFileType } from './sniff.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../../fixtures/${name}`, import.meta.url));

describe('sniffFileType', () => {
  it('recognises a real JPEG portrait and a real PNG', () => {
    expect(sniffFileType(fixture('faces/london-001-neutral.jpg'))).toBe('image/jpeg');
    expect(sniffFileType(fixture('signature.png'))).toBe('image/png');
  });

  it('recognises PDF, WebP and HEIC by their signatures', () => {
    expect(sniffFileType(Buffer.from('%PDF-1.7\n'))).toBe('application/pdf');
    expect(sniffFileType(Buffer.from('RIFF\x00\x00\x00\x00WEBPVP8 ', 'latin1'))).toBe('image/webp');
    expect(sniffFileType(Buffer.from('\x00\x00\x00\x18ftypheic\x00\x00\x00\x00', 'latin1'))).toBe('image/heic');
  });

  it('refuses text renamed to .jpg, empty and truncated input', () => {
    expect(sniffFileType(Buffer.from('hello, this is not an image'))).toBeNull();
    expect(sniffFileType(new Uint8Array())).toBeNull();
    expect(sniffFileType(new Uint8Array([0xff, 0xd8]))).toBeNull();
  });
});

describe('pngSize', () => {
  it('reads the dimensions from the header', () => {
    const size = pngSize(fixture('signature.png'));
    expect(size).not.toBeNull();
    expect(size?.width).toBeGreaterThan(0);
  });

  it('returns null for non-PNG input', () => {
    expect(pngSize(fixture('faces/london-001-neutral.jpg'))).toBeNull();
  });
});
