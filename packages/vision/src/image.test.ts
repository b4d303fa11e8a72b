import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ImageRejected, cleanPhotoForStorage, decodePhoto, inspectPhoto } from './image.js';
import { fixture } from './test-support.js';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes: Buffer): number => {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type: string, data: Buffer): Buffer => {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
};

/** A valid PNG header declaring `width`×`height` greyscale pixels, with `rows` rows of zeros compressed. */
export function pngDeclaring(width: number, height: number, rows: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.writeUInt8(8, 8); // bit depth
  ihdr.writeUInt8(0, 9); // greyscale
  const raw = Buffer.alloc(rows * (width + 1)); // filter byte + zeros per row
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

const rejection = async (promise: Promise<unknown>): Promise<string> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ImageRejected) return error.reason;
    throw error;
  }
  throw new Error('expected a rejection');
};

describe('photo decoding guards', () => {
  it('decodes a real portrait upright to RGB', async () => {
    const image = await decodePhoto(await fixture('faces/london-001-neutral.jpg'));
    expect(image).toMatchObject({ width: 1000, height: 1000, contentType: 'image/jpeg' });
    expect(image.data.length).toBe(1000 * 1000 * 3);
  });

  it('refuses text named .jpg, empty and truncated files', async () => {
    expect(await rejection(decodePhoto(Buffer.from('not a photo at all, just words')))).toBe('unsupported-type');
    expect(await rejection(decodePhoto(Buffer.alloc(0)))).toBe('empty');
    const jpeg = await fixture('faces/london-002-neutral.jpg');
    expect(await rejection(decodePhoto(jpeg.subarray(0, 4000)))).toBe('unreadable');
  });

  it('refuses a 20,000 × 20,000 PNG and a zip-bomb-like PNG from the header, before decoding', async () => {
    const huge = pngDeclaring(20_000, 20_000, 1);
    expect(huge.length).toBeLessThan(2000);
    expect(await rejection(inspectPhoto(huge))).toBe('too-many-pixels');
    // 60 megapixels of zeros compress to a few kilobytes.
    const bomb = pngDeclaring(10_000, 6_000, 6_000);
    expect(bomb.length).toBeLessThan(200_000);
    expect(await rejection(decodePhoto(bomb))).toBe('too-many-pixels');
  });

  it('refuses files above the byte limit', async () => {
    const jpeg = await fixture('faces/london-002-neutral.jpg');
    expect(await rejection(inspectPhoto(jpeg, { maxBytes: 1000, maxPixels: 50_000_000 }))).toBe('too-large');
  });
});

describe('cleaning a photo for storage', () => {
  it('removes EXIF and GPS, applies the orientation, and makes a thumbnail', async () => {
    const original = await fixture('faces/london-001-neutral.jpg');
    // Portrait-shaped input stored sideways with orientation 6 (rotate 90° clockwise to view), plus GPS.
    const sideways = await sharp(original)
      .resize(800, 600, { fit: 'fill' })
      .withMetadata({ orientation: 6 })
      .withExif({
        IFD0: { Make: 'ClinicCam' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' },
      })
      .jpeg()
      .toBuffer();
    const before = await sharp(sideways).metadata();
    expect(before.exif).toBeDefined();
    expect(before.orientation).toBe(6);
    const cleaned = await cleanPhotoForStorage(sideways);
    const after = await sharp(cleaned.photo).metadata();
    expect(after.exif).toBeUndefined();
    expect(after.orientation).toBeUndefined();
    expect([after.width, after.height]).toEqual([600, 800]);
    expect(cleaned.photo.includes(Buffer.from('ClinicCam'))).toBe(false);
    expect(cleaned.photo.includes(Buffer.from('GPS'))).toBe(false);
    const thumb = await sharp(cleaned.thumbnail).metadata();
    expect(Math.max(thumb.width ?? 0, thumb.height ?? 0)).toBe(320);
    expect(thumb.exif).toBeUndefined();
  });
});
