import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'vitest';
import { decodePhoto } from './image.js';
import { LandmarkPool } from './landmark-pool.js';
import { flipAveragedFace } from './simulate/closed-loop.js';
import { DATASETS } from './test-support.js';

it('dump', async () => {
  const pool = await LandmarkPool.start(2);
  const dir = join(DATASETS, 'london/neutral');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.jpg')).sort();
  const out: Record<string, unknown> = {};
  await Promise.all(files.map(async (f) => {
    const image = await decodePhoto(await readFile(join(dir, f)));
    out[f.slice(0, 3)] = await flipAveragedFace(image, pool);
  }));
  await writeFile('/tmp/lips/landmarks.json', JSON.stringify(out));
  await pool.close();
}, 900_000);
