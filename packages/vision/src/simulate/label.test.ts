/** The label band and metadata on synthetic images: drawn, encoded, read back; and refused when missing. */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../face-result.js';
import { SIMULATION_LABEL, bandLayout, burnLabel, encodeLabelled, exifImageDescription, insertJpegComment, jpegComments, readBurnedLabel, readLabel } from './label.js';

function noise(width: number, height: number, seed = 7): RgbImage {
  let a = seed;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) {
    a = (a * 1103515245 + 12345) >>> 0;
    data[i] = 60 + (a >>> 24) / 2;
  }
  return { width, height, data };
}

describe('simulation label', () => {
  it('draws the label in a band below the photo and reads it back from the pixels, at several widths', () => {
    for (const width of [320, 640, 1000, 1350, 4000]) {
      const photo = noise(width, 200);
      const labelled = burnLabel(photo, 'expected');
      expect(labelled.height).toBe(200 + bandLayout(width).height);
      // The photo above the band is untouched.
      expect(Buffer.from(labelled.data.subarray(0, photo.data.length)).equals(Buffer.from(photo.data))).toBe(true);
      expect(readBurnedLabel(labelled)?.join(' ')).toBe(`${SIMULATION_LABEL.toUpperCase()} CONTOUR SIMULATION, EXPECTED VARIANT`);
    }
    expect(() => bandLayout(200)).toThrow(/too narrow/);
  });

  it('finds no label where there is none', () => {
    expect(readBurnedLabel(noise(800, 400))).toBeNull();
  });

  it('writes the label into EXIF, XMP and a JPEG comment, survives encoding, and reads all of it back', async () => {
    const jpeg = await encodeLabelled(burnLabel(noise(900, 300), 'upper'), 'upper', 92);
    const check = await readLabel(jpeg);
    expect(check.ok).toBe(true);
    expect(check.pixels?.[0]).toBe(SIMULATION_LABEL.toUpperCase());
    expect(check.exif).toBe(SIMULATION_LABEL);
    // Independently of our parsers: the raw EXIF and XMP blocks sharp returns carry the text.
    const metadata = await sharp(jpeg).metadata();
    expect(metadata.exif?.toString('latin1')).toContain(SIMULATION_LABEL);
    expect(metadata.xmp?.toString('utf8')).toContain(`<rdf:li xml:lang="x-default">${SIMULATION_LABEL}</rdf:li>`);
    expect(metadata.xmp?.toString('utf8')).toContain('upper variant');
    expect(jpegComments(jpeg)).toEqual([`${SIMULATION_LABEL} (Contour, upper variant)`]);
  });

  it('fails the check when any of the four places lacks the label', async () => {
    const plain = await sharp(Buffer.from(noise(900, 300).data), { raw: { width: 900, height: 300, channels: 3 } }).jpeg().toBuffer();
    expect((await readLabel(plain)).ok).toBe(false);
    // Pixels but no metadata.
    const bandOnly = burnLabel(noise(900, 300), 'expected');
    const noMeta = await sharp(Buffer.from(bandOnly.data), { raw: { width: 900, height: bandOnly.height, channels: 3 } }).jpeg({ quality: 95 }).toBuffer();
    const c1 = await readLabel(noMeta);
    expect(c1.pixels?.[0]).toBe(SIMULATION_LABEL.toUpperCase());
    expect(c1.ok).toBe(false);
    // Metadata but the band cropped off.
    const full = await encodeLabelled(bandOnly, 'expected', 95);
    const cropped = await sharp(full).extract({ left: 0, top: 0, width: 900, height: 300 }).withExif({ IFD0: { ImageDescription: SIMULATION_LABEL } }).jpeg().toBuffer();
    const c2 = await readLabel(insertJpegComment(cropped, SIMULATION_LABEL));
    expect(c2.exif).toBe(SIMULATION_LABEL);
    expect(c2.pixels).toBeNull();
    expect(c2.ok).toBe(false);
  });

  it('parses EXIF in both byte orders', () => {
    const text = Buffer.from(`${SIMULATION_LABEL}\0`, 'latin1');
    for (const le of [true, false]) {
      const tiff = Buffer.alloc(8 + 2 + 12 + 4 + text.length);
      tiff.write(le ? 'II' : 'MM', 0, 'latin1');
      const u16 = (v: number, o: number): number => (le ? tiff.writeUInt16LE(v, o) : tiff.writeUInt16BE(v, o));
      const u32 = (v: number, o: number): number => (le ? tiff.writeUInt32LE(v, o) : tiff.writeUInt32BE(v, o));
      u16(42, 2);
      u32(8, 4);
      u16(1, 8);
      u16(0x010e, 10);
      u16(2, 12);
      u32(text.length, 14);
      u32(26, 18);
      text.copy(tiff, 26);
      expect(exifImageDescription(Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]))).toBe(SIMULATION_LABEL);
    }
  });
});
