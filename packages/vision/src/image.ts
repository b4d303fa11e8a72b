/**
 * Decoding photos safely: the bytes must be a real JPEG, PNG or HEIC image, within size and pixel limits
 * (a small file that decodes to gigapixels is refused before decoding), and orientation from EXIF is applied
 * so what is measured is what the camera saw.
 */
import sharp from 'sharp';
import type { RgbImage } from './face-result.js';
import { sniffFileType } from './sniff.js';

export interface ImageLimits {
  maxBytes: number;
  maxPixels: number;
}

export const PHOTO_LIMITS: ImageLimits = { maxBytes: 40 * 1024 * 1024, maxPixels: 50_000_000 };
export const ACCEPTED_PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/heic'] as const;

export type RejectionReason = 'empty' | 'too-large' | 'unsupported-type' | 'too-many-pixels' | 'unreadable';

export class ImageRejected extends Error {
  constructor(
    readonly reason: RejectionReason,
    message: string,
  ) {
    super(message);
    this.name = 'ImageRejected';
  }
}

export interface DecodedPhoto extends RgbImage {
  contentType: (typeof ACCEPTED_PHOTO_TYPES)[number];
}

/** Checks the bytes and the header before any pixel is decoded. */
export async function inspectPhoto(bytes: Uint8Array, limits: ImageLimits = PHOTO_LIMITS): Promise<{ contentType: DecodedPhoto['contentType']; width: number; height: number }> {
  if (bytes.length === 0) throw new ImageRejected('empty', 'The file is empty.');
  if (bytes.length > limits.maxBytes) throw new ImageRejected('too-large', `The file is larger than ${Math.round(limits.maxBytes / 1024 / 1024)} MB.`);
  const type = sniffFileType(bytes);
  if (!type || !(ACCEPTED_PHOTO_TYPES as readonly string[]).includes(type)) {
    throw new ImageRejected('unsupported-type', 'Only JPEG, PNG or HEIC photos are accepted.');
  }
  let metadata: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw new ImageRejected('unreadable', 'The image cannot be read: the file is damaged or not an image.');
  }
  const { width, height } = metadata;
  if (!width || !height) throw new ImageRejected('unreadable', 'The image has no dimensions.');
  if (width * height > limits.maxPixels) {
    throw new ImageRejected('too-many-pixels', `The image has ${Math.round((width * height) / 1e6)} megapixels; at most ${Math.round(limits.maxPixels / 1e6)} are accepted.`);
  }
  return { contentType: type as DecodedPhoto['contentType'], width, height };
}

/** Decodes to upright 8-bit RGB. Throws ImageRejected for anything that is not a sound photo. */
export async function decodePhoto(bytes: Uint8Array, limits: ImageLimits = PHOTO_LIMITS): Promise<DecodedPhoto> {
  const { contentType } = await inspectPhoto(bytes, limits);
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'truncated' })
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new ImageRejected('unreadable', 'The image is not an RGB photo.');
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, contentType };
  } catch (error) {
    if (error instanceof ImageRejected) throw error;
    throw new ImageRejected('unreadable', 'The image cannot be decoded: the file is damaged or truncated.');
  }
}

/**
 * What is kept: the upright image re-encoded as JPEG with no metadata at all (EXIF, GPS, maker notes,
 * thumbnails are dropped), and a small thumbnail for lists.
 */
export async function cleanPhotoForStorage(bytes: Uint8Array): Promise<{ photo: Buffer; thumbnail: Buffer; width: number; height: number }> {
  const upright = sharp(bytes, { limitInputPixels: PHOTO_LIMITS.maxPixels }).rotate();
  const { data: photo, info } = await upright.clone().jpeg({ quality: 92, chromaSubsampling: '4:4:4' }).toBuffer({ resolveWithObject: true });
  const thumbnail = await upright.clone().resize(320, 320, { fit: 'inside' }).jpeg({ quality: 80 }).toBuffer();
  return { photo, thumbnail, width: info.width, height: info.height };
}
