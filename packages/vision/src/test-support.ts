/** Shared helpers for vision tests: fixtures in the repo and the consented datasets beside it. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

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

/** Pupil centres from a Psychomorph template: point 0 is on the image left, point 1 on the right. */
export async function templatePupils(temPath: string): Promise<[[number, number], [number, number]]> {
  const lines = (await readFile(temPath, 'utf8')).split('\n');
  const point = (line: string | undefined): [number, number] => {
    const [x, y] = (line ?? '').trim().split(/\s+/).map(Number);
    return [x ?? NaN, y ?? NaN];
  };
  return [point(lines[1]), point(lines[2])];
}
