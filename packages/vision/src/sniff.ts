/**
 * What a file really is, from its first bytes, whatever its name or declared type says.
 * Uploads are refused when the bytes do not match an accepted type.
 */
export type SniffedType = 'image/jpeg' | 'image/png' | 'image/heic' | 'image/webp' | 'application/pdf';

const startsWith = (bytes: Uint8Array, signature: number[], offset = 0): boolean =>
  bytes.length >= offset + signature.length && signature.every((b, i) => bytes[offset + i] === b);

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

export function sniffFileType(bytes: Uint8Array): SniffedType | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, ascii('%PDF-'))) return 'application/pdf';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  // ISO-BMFF: [size]['ftyp'][brand]; HEIC/HEIF brands from phone cameras.
  if (startsWith(bytes, ascii('ftyp'), 4)) {
    const brand = String.fromCharCode(...bytes.subarray(8, 12));
    if (['heic', 'heix', 'hevc', 'heim', 'heis', 'mif1', 'msf1'].includes(brand)) return 'image/heic';
  }
  return null;
}

export interface ImageSize {
  width: number;
  height: number;
}

/** Width and height from a PNG header, without decoding pixels (a cheap guard before any decode). */
export function pngSize(bytes: Uint8Array): ImageSize | null {
  if (sniffFileType(bytes) !== 'image/png' || bytes.length < 24 || !startsWith(bytes, ascii('IHDR'), 12)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
