/** Shared helpers for vision tests: fixtures in the repo and the consented datasets beside it. */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Point3 } from '@contour/domain';
import type { FaceFinder } from './analyze.js';
import type { RgbImage } from './face-result.js';
import { decodePhoto } from './image.js';
import { steadyLandmarks } from './steady-landmarks.js';

export const fixture = (path: string): Promise<Buffer> => readFile(new URL(`../../../fixtures/${path}`, import.meta.url));

export const DATASETS = fileURLToPath(new URL('../../../../shared/datasets/', import.meta.url));

/** The London set is in CI (shared/ beside the clone); elsewhere its tests are skipped, loudly. */
export function datasetsAvailable(): boolean {
  const present = existsSync(`${DATASETS}london/neutral`);
  if (!present && process.env.CI === 'true') throw new Error(`CI needs the face datasets at ${DATASETS}`);
  // eslint-disable-next-line no-console -- a skipped suite must say why
  if (!present) console.warn(`Skipping dataset tests: ${DATASETS} is not present (fixtures still run).`);
  return present;
}

/** The points of a Psychomorph template (first line: how many; then one `x y` per line, image pixels). */
export async function templatePoints(temPath: string): Promise<[number, number][]> {
  const lines = (await readFile(temPath, 'utf8')).split('\n');
  return lines.slice(1, 1 + Number(lines[0])).map((line) => {
    const [x, y] = line.trim().split(/\s+/).map(Number);
    return [x ?? NaN, y ?? NaN];
  });
}

/** Pupil centres from a Psychomorph template: point 0 is on the image left, point 1 on the right. */
export async function templatePupils(temPath: string): Promise<[[number, number], [number, number]]> {
  const [right, left] = await templatePoints(temPath);
  return [right ?? [NaN, NaN], left ?? [NaN, NaN]];
}

export interface TemplatedFace {
  id: string;
  image: RgbImage;
  /** Steady landmarks (steady-landmarks.ts). */
  landmarks: Point3[];
  template: [number, number][];
}

/** Every London neutral portrait with one face: decoded, its steady landmarks and its manual template, in id order. */
export async function londonWithTemplates(finder: FaceFinder): Promise<TemplatedFace[]> {
  const dir = join(DATASETS, 'london/neutral');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.jpg')).sort();
  const faces: TemplatedFace[] = [];
  await Promise.all(
    files.map(async (file) => {
      const image = await decodePhoto(await readFile(join(dir, file)));
      const steady = await steadyLandmarks(image, finder);
      if (!steady) return;
      faces.push({ id: file.slice(0, 3), image, landmarks: steady.landmarks, template: await templatePoints(join(dir, file.replace('.jpg', '.tem'))) });
    }),
  );
  return faces.sort((a, b) => a.id.localeCompare(b.id));
}
