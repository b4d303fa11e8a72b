// Regenerates the small committed test fixtures from ../shared/datasets (see fixtures/ATTRIBUTION.md).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';

const datasets = new URL('../../shared/datasets/', import.meta.url);
const out = new URL('../fixtures/', import.meta.url);
mkdirSync(new URL('faces/', out), { recursive: true });

for (const [source, name] of [
  ['london/neutral/001_03.jpg', 'london-001-neutral.jpg'],
  ['london/smiling/001_08.jpg', 'london-001-smiling.jpg'],
  ['london/neutral/002_03.jpg', 'london-002-neutral.jpg'],
  ['london/smiling/002_08.jpg', 'london-002-smiling.jpg'],
  // A face whose left cheekbone has a second edge about as clear beside it (the analysis marks its figures an estimate).
  ['london/neutral/141_03.jpg', 'london-141-neutral.jpg'],
]) {
  const bytes = await sharp(readFileSync(new URL(source, datasets))).resize(1000, 1000).jpeg({ quality: 80 }).toBuffer();
  writeFileSync(new URL(`faces/${name}`, out), bytes);
}

// A drawn signature as the consent pad sends it: dark strokes on a transparent canvas.
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="120">
  <path d="M20 80 C 60 10, 90 110, 130 60 S 200 20, 230 80 C 250 110, 300 30, 380 70" stroke="#1b2733" stroke-width="3" fill="none"/>
</svg>`;
writeFileSync(new URL('signature.png', out), await sharp(Buffer.from(svg)).png().toBuffer());
