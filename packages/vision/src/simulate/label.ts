/**
 * The label every exported simulation carries, twice: burned into the pixels (a band added below the photo,
 * so it never covers the face and the photo's own pixels outside the treated zones stay untouched) and written
 * in the JPEG's metadata (EXIF ImageDescription, XMP dc:description, and a JPEG comment). Both can be read back
 * (`readLabel`): the pixels with the same bitmap font the label was drawn in, the metadata by parsing the file.
 *
 * The font is a 5 × 7 bitmap drawn here, not a system font: the band must look the same on every machine (and
 * be byte-identical for the same input), and must be readable back without OCR.
 */
import sharp from 'sharp';
import type { RgbImage } from '../face-result.js';

export const SIMULATION_LABEL = 'Simulated projection, not a guaranteed outcome';

/** 5 × 7 glyphs, row by row ('#' ink). Any two differ in at least 3 pixels, so one misread pixel is corrected. */
const GLYPHS: Record<string, string> = {
  A: '.###.#...##...#######...##...##...#', B: '####.#...##...#####.#...##...#####.', C: '.###.#...##....#....#....#...#.###.',
  D: '###..#..#.#...##...##...##..#.###..', E: '######....#....####.#....#....#####', F: '######....#....####.#....#....#....',
  G: '.###.#...##....#.####...##...#.####', H: '#...##...##...#######...##...##...#', I: '.###...#....#....#....#....#...###.',
  J: '..###...#....#....#....#.#..#..##..', K: '#...##..#.#.#..##...#.#..#..#.#...#', L: '#....#....#....#....#....#....#####',
  M: '#...###.###.#.##.#.##...##...##...#', N: '#...##...###..##.#.##..###...##...#', O: '.###.#...##...##...##...##...#.###.',
  P: '####.#...##...#####.#....#....#....', Q: '.###.#...##...##...##.#.##..#..##.#', R: '####.#...##...#####.#.#..#..#.#...#',
  S: '.#####....#.....###.....#....#####.', T: '#####..#....#....#....#....#....#..', U: '#...##...##...##...##...##...#.###.',
  V: '#...##...##...##...##...#.#.#...#..', W: '#...##...##...##.#.##.#.##.#.#.#.#.', X: '#...##...#.#.#...#...#.#.#...##...#',
  Y: '#...##...#.#.#...#....#....#....#..', Z: '#####....#...#...#...#...#....#####', '0': '.###.#...##..###.#.###..##...#.###.',
  '1': '..#...##....#....#....#....#...###.', '2': '.###.#...#....#...#...#...#...#####', '3': '#####...#...#.....#.....##...#.###.',
  '4': '...#...##..#.#.#..#.#####...#....#.', '5': '######....####.....#....##...#.###.', '6': '..##..#...#....####.#...##...#.###.',
  '7': '#####....#...#...#...#....#....#...', '8': '.###.#...##...#.###.#...##...#.###.', '9': '.###.#...##...#.####....#...#..##..',
  ' ': '...................................', ',': '.....................##....#...#...', '.': '..........................##...##..',
  '(': '...#...#...#....#....#.....#.....#.', ')': '.#.....#.....#....#....#...#...#...', '-': '...............#####...............',
  ':': '......##...##........##...##.......', '/': '.........#...#...#...#...#.........',
};
const COLS = 5, ROWS = 7, CELL = COLS + 1, LINE = ROWS + 3;
const BACKGROUND = 24, INK = 255;

/** The band's text lines: the label itself, then what produced the picture. */
export function labelLines(variant: string): string[] {
  return [SIMULATION_LABEL.toUpperCase(), `CONTOUR SIMULATION, ${variant.toUpperCase()} VARIANT`];
}

/** Longest line the layout makes room for (the label and the longest variant line fit). */
const MAX_CHARS = 48;

export interface BandLayout {
  /** Font pixels per bitmap pixel. */
  scale: number;
  lines: number;
  /** Characters per line (longer lines are wrapped). */
  chars: number;
  height: number;
  left: number;
  top: number;
}

/**
 * The band's layout follows from the photo's width alone (so a reader can find every character cell): as
 * large as fits (at most 6× the bitmap), and wrapped onto four lines rather than drawn smaller than 2×.
 * Photos narrower than about 310 px cannot carry a legible label and are refused.
 */
export function bandLayout(width: number): BandLayout {
  for (const lines of [2, 4]) {
    const chars = (MAX_CHARS * 2) / lines;
    const scale = Math.min(6, Math.floor((width * 0.94) / (chars * CELL)));
    if (scale >= 2) {
      return { scale, lines, chars, height: lines * LINE * scale + 2 * scale, left: Math.floor((width - chars * CELL * scale) / 2), top: 2 * scale };
    }
  }
  throw new Error(`a ${width} px wide image is too narrow for a legible simulation label`);
}

/** Splits the text lines into at most `chars` per line, at spaces. */
function wrap(lines: string[], chars: number): string[] {
  const out: string[] = [];
  for (const line of lines) {
    let current = '';
    for (const word of line.split(' ')) {
      if (current && current.length + 1 + word.length > chars) {
        out.push(current);
        current = word;
      } else current = current ? `${current} ${word}` : word;
    }
    out.push(current.slice(0, chars));
  }
  return out;
}

/** The image with the label band added below it. */
export function burnLabel(image: RgbImage, variant: string): RgbImage {
  const layout = bandLayout(image.width);
  const text = wrap(labelLines(variant), layout.chars);
  if (text.length > layout.lines) throw new Error('the label does not fit its band');
  const height = image.height + layout.height;
  const data = new Uint8Array(image.width * height * 3);
  data.set(image.data);
  data.fill(BACKGROUND, image.data.length);
  const s = layout.scale;
  text.forEach((line, row) => {
    [...line].forEach((ch, col) => {
      const glyph = GLYPHS[ch] ?? GLYPHS[' '];
      for (let gy = 0; gy < ROWS; gy++) {
        for (let gx = 0; gx < COLS; gx++) {
          if (glyph?.[gy * COLS + gx] !== '#') continue;
          const x0 = layout.left + (col * CELL + gx) * s;
          const y0 = image.height + layout.top + (row * LINE + gy) * s;
          for (let y = y0; y < y0 + s; y++) for (let x = x0; x < x0 + s && x < image.width; x++) data.fill(INK, (y * image.width + x) * 3, (y * image.width + x) * 3 + 3);
        }
      }
    });
  });
  return { width: image.width, height, data };
}

/**
 * Reads the band back from decoded pixels: each character cell of the layout compared with every glyph
 * (majority of each bitmap pixel's block, thresholded half-way between band and ink). Returns the lines
 * (trailing blanks dropped), or null when the bottom of the image is not a label band.
 */
export function readBurnedLabel(image: RgbImage): string[] | null {
  const layout = bandLayout(image.width);
  const bandTop = image.height - layout.height;
  if (bandTop <= 0) return null;
  const s = layout.scale;
  const lum = (x: number, y: number): number => {
    const i = (y * image.width + x) * 3;
    return ((image.data[i] as number) + (image.data[i + 1] as number) + (image.data[i + 2] as number)) / 3;
  };
  // The band's margins must be the band's flat dark grey.
  let dark = 0, total = 0;
  for (let y = bandTop; y < bandTop + layout.top; y++) for (let x = 0; x < image.width; x += 3) { total++; if (Math.abs(lum(x, y) - BACKGROUND) < 24) dark++; }
  if (total === 0 || dark / total < 0.9) return null;
  const entries = Object.entries(GLYPHS);
  const lines: string[] = [];
  for (let row = 0; row < layout.lines; row++) {
    let line = '';
    for (let col = 0; col < layout.chars; col++) {
      let bits = '';
      for (let gy = 0; gy < ROWS; gy++) {
        for (let gx = 0; gx < COLS; gx++) {
          const x0 = layout.left + (col * CELL + gx) * s, y0 = bandTop + layout.top + (row * LINE + gy) * s;
          let on = 0, n = 0;
          for (let y = y0; y < y0 + s; y++) for (let x = x0; x < x0 + s && x < image.width; x++) { n++; if (lum(x, y) > (BACKGROUND + INK) / 2) on++; }
          bits += n > 0 && on * 2 > n ? '#' : '.';
        }
      }
      let best = '?', bestDistance = Infinity;
      for (const [ch, glyph] of entries) {
        let d = 0;
        for (let k = 0; k < glyph.length; k++) if (glyph[k] !== bits[k]) d++;
        if (d < bestDistance) { bestDistance = d; best = ch; }
      }
      line += bestDistance <= 1 ? best : '?';
    }
    lines.push(line.trimEnd());
  }
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

// ---------------------------------------------------------------------------------------------------------
// Metadata.

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function xmpPacket(variant: string): string {
  return (
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>' +
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
    '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/">' +
    `<dc:description><rdf:Alt><rdf:li xml:lang="x-default">${escapeXml(SIMULATION_LABEL)}</rdf:li></rdf:Alt></dc:description>` +
    `<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Contour outcome simulation (${escapeXml(variant)} variant)</rdf:li></rdf:Alt></dc:title>` +
    '<xmp:CreatorTool>Contour</xmp:CreatorTool>' +
    '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
  );
}

/** Adds a COM segment with `text` after the APPn segments (before the first table), where every reader expects it. */
export function insertJpegComment(jpeg: Buffer, text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  if (payload.length > 65533) throw new Error('comment too long');
  let at = 2;
  while (at + 4 <= jpeg.length && jpeg[at] === 0xff) {
    const marker = jpeg[at + 1] as number;
    if (marker < 0xe0 || marker > 0xef) break; // not an APPn segment
    at += 2 + jpeg.readUInt16BE(at + 2);
  }
  const segment = Buffer.alloc(4 + payload.length);
  segment[0] = 0xff;
  segment[1] = 0xfe;
  segment.writeUInt16BE(payload.length + 2, 2);
  payload.copy(segment, 4);
  return Buffer.concat([jpeg.subarray(0, at), segment, jpeg.subarray(at)]);
}

/** The COM segments' texts of a JPEG (before the scan). */
export function jpegComments(jpeg: Uint8Array): string[] {
  const out: string[] = [];
  const buf = Buffer.from(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
  let at = 2;
  while (at + 4 <= buf.length && buf[at] === 0xff) {
    const marker = buf[at + 1] as number;
    if (marker === 0xda || marker === 0xd9) break;
    const length = buf.readUInt16BE(at + 2);
    if (marker === 0xfe) out.push(buf.subarray(at + 4, at + 2 + length).toString('utf8'));
    at += 2 + length;
  }
  return out;
}

/** IFD0 ImageDescription (tag 0x010E) from a raw EXIF block ("Exif\0\0" + TIFF), or null. */
export function exifImageDescription(exif: Uint8Array): string | null {
  const buf = Buffer.from(exif.buffer, exif.byteOffset, exif.byteLength);
  const start = buf.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? 6 : 0;
  if (buf.length < start + 8) return null;
  const order = buf.subarray(start, start + 2).toString('latin1');
  if (order !== 'II' && order !== 'MM') return null;
  const le = order === 'II';
  const u16 = (o: number): number => (le ? buf.readUInt16LE(start + o) : buf.readUInt16BE(start + o));
  const u32 = (o: number): number => (le ? buf.readUInt32LE(start + o) : buf.readUInt32BE(start + o));
  const ifd = u32(4);
  if (start + ifd + 2 > buf.length) return null;
  const count = u16(ifd);
  for (let k = 0; k < count; k++) {
    const entry = ifd + 2 + k * 12;
    if (start + entry + 12 > buf.length) return null;
    if (u16(entry) !== 0x010e || u16(entry + 2) !== 2) continue;
    const length = u32(entry + 4);
    const offset = length <= 4 ? entry + 8 : u32(entry + 8);
    if (start + offset + length > buf.length) return null;
    return buf.subarray(start + offset, start + offset + length).toString('utf8').replace(/\0+$/, '');
  }
  return null;
}

/** Encodes the labelled pixels as JPEG with the label in EXIF, XMP and a comment; nothing else of any source. */
export async function encodeLabelled(image: RgbImage, variant: string, quality: number): Promise<Buffer> {
  const jpeg = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .jpeg({ quality, chromaSubsampling: '4:4:4' })
    .withExif({ IFD0: { ImageDescription: SIMULATION_LABEL, Software: 'Contour outcome simulation' } })
    .withXmp(xmpPacket(variant))
    .toBuffer();
  return insertJpegComment(jpeg, `${SIMULATION_LABEL} (Contour, ${variant} variant)`);
}

export interface LabelCheck {
  /** Lines read back from the pixels (null: no band). */
  pixels: string[] | null;
  exif: string | null;
  xmp: boolean;
  comments: string[];
  /** True when the pixels and every metadata place carry the label. */
  ok: boolean;
}

/** Reads the label back from an exported JPEG: pixels and metadata. */
export async function readLabel(jpeg: Buffer): Promise<LabelCheck> {
  const metadata = await sharp(jpeg).metadata();
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const pixels = readBurnedLabel({ width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
  const exif = metadata.exif ? exifImageDescription(metadata.exif) : null;
  const xmp = metadata.xmp ? metadata.xmp.toString('utf8').includes(SIMULATION_LABEL) : false;
  const comments = jpegComments(jpeg);
  const label = SIMULATION_LABEL.toUpperCase();
  const ok = (pixels?.join(' ').includes(label) ?? false) && exif === SIMULATION_LABEL && xmp && comments.some((c) => c.includes(SIMULATION_LABEL));
  return { pixels, exif, xmp, comments, ok };
}
