/**
 * A camera for Chromium's fake capture device: a real portrait turned into a short raw Y4M video
 * (`--use-file-for-fake-video-capture`), as a tablet camera held at the right distance would see it.
 */
import { writeFile } from 'node:fs/promises';
import sharp from 'sharp';

export interface FakeCameraOptions {
  /** Frame size; both even (4:2:0 chroma covers 2×2 pixels). */
  width: number;
  height: number;
  /** The square portrait is scaled to this size and centred, cropped where it overflows the frame. */
  portraitSize: number;
  /** Degrees clockwise, to tilt the head (roll). */
  rotate?: number;
  /** Frames in the file; Chromium loops them. */
  frames?: number;
}

/** The studio backdrop's grey, so the frame around the portrait reads as the same plain background. */
const BACKDROP = { r: 181, g: 185, b: 186 };

async function framePixels(source: string, options: FakeCameraOptions): Promise<Buffer> {
  const { width, height, portraitSize: size } = options;
  let portrait = await sharp(source).resize(size, size).removeAlpha().toBuffer();
  if (options.rotate) {
    const rotated = await sharp(portrait).rotate(options.rotate, { background: BACKDROP }).toBuffer({ resolveWithObject: true });
    const offset = Math.round((rotated.info.width - size) / 2);
    portrait = await sharp(rotated.data).extract({ left: offset, top: offset, width: size, height: size }).toBuffer();
  }
  const w = Math.min(width, size);
  const h = Math.min(height, size);
  const crop = await sharp(portrait)
    .extract({ left: Math.round((size - w) / 2), top: Math.round((size - h) / 2), width: w, height: h })
    .toBuffer();
  return sharp({ create: { width, height, channels: 3, background: BACKDROP } })
    .composite([{ input: crop, left: Math.round((width - w) / 2), top: Math.round((height - h) / 2) }])
    .removeAlpha()
    .raw()
    .toBuffer();
}

/** Interleaved RGB → planar I420 (BT.601, studio range, as Chromium reads Y4M). */
export function rgbToI420(rgb: Buffer, width: number, height: number): Buffer {
  const ySize = width * height;
  const cSize = (width / 2) * (height / 2);
  const out = Buffer.alloc(ySize + 2 * cSize);
  const at = (x: number, y: number, c: number) => (rgb[(y * width + x) * 3 + c] ?? 0) / 255;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      out[y * width + x] = Math.round(16 + 65.481 * at(x, y, 0) + 128.553 * at(x, y, 1) + 24.966 * at(x, y, 2));
    }
  }
  for (let y = 0; y < height / 2; y++) {
    for (let x = 0; x < width / 2; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
        r += at(2 * x + dx, 2 * y + dy, 0) / 4;
        g += at(2 * x + dx, 2 * y + dy, 1) / 4;
        b += at(2 * x + dx, 2 * y + dy, 2) / 4;
      }
      const i = y * (width / 2) + x;
      out[ySize + i] = Math.round(128 - 37.797 * r - 74.203 * g + 112 * b);
      out[ySize + cSize + i] = Math.round(128 + 112 * r - 93.786 * g - 18.214 * b);
    }
  }
  return out;
}

export async function writePortraitY4m(source: string, target: string, options: FakeCameraOptions): Promise<void> {
  const { width, height } = options;
  if (width % 2 !== 0 || height % 2 !== 0) throw new Error('Y4M 4:2:0 frames need even sides');
  const planes = rgbToI420(await framePixels(source, options), width, height);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F25:1 Ip A1:1 C420jpeg\n`, 'ascii');
  const frame = Buffer.concat([Buffer.from('FRAME\n', 'ascii'), planes]);
  await writeFile(target, Buffer.concat([header, ...Array.from({ length: options.frames ?? 3 }, () => frame)]));
}
