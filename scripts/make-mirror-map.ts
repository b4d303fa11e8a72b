/* eslint-disable @typescript-eslint/no-non-null-assertion, no-console -- a one-off generator script: indices are in range by construction, and it reports on the console */
/**
 * Regenerates packages/domain/src/face-mirror-map.ts: for each of the 478 mesh points, its left/right
 * counterpart, measured rather than assumed. Run: `npx tsx scripts/make-mirror-map.ts` (needs ../shared/datasets).
 *
 * Method: detect every London neutral portrait and its horizontal flip; mirror the flip's points back
 * (x → W − x). Point i of the original lands near point j of the flip exactly when j is i's counterpart.
 * The cost of pairing i with j is their distance (÷ inter-pupil distance) averaged over the portraits and
 * over both directions (i→j and j→i), and the pairing is the one-to-one assignment of least total cost
 * (Hungarian method), with iris points paired only among themselves. A symmetric cost makes the answer an
 * involution in practice; the script checks it, and checks the midline points map to themselves.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodePhoto } from '../packages/vision/src/image.ts';
import { LandmarkPool } from '../packages/vision/src/landmark-pool.ts';

const N = 478;
const dir = new URL('../../shared/datasets/london/neutral/', import.meta.url).pathname;
const files = (await readdir(dir)).filter((f) => f.endsWith('.jpg')).sort();
const pool = await LandmarkPool.start(2);
const cost = Array.from({ length: N }, () => new Float64Array(N));
const votes = Array.from({ length: N }, () => new Map<number, number>());
let portraits = 0;
await Promise.all(
  files.map(async (file) => {
    const bytes = await readFile(join(dir, file));
    const [original, flipped] = await Promise.all([decodePhoto(bytes), sharp(bytes).flop().jpeg({ quality: 95 }).toBuffer().then(decodePhoto)]);
    const [[a], [b]] = await Promise.all([pool.detect(original), pool.detect(flipped)]);
    if (!a || !b) return;
    portraits++;
    const back = b.landmarks.map(([x, y]) => [original.width - x, y]);
    const ipd = Math.hypot(a.landmarks[468]![0] - a.landmarks[473]![0], a.landmarks[468]![1] - a.landmarks[473]![1]);
    for (let i = 0; i < N; i++) {
      let nearest = -1, best = Infinity;
      for (let j = 0; j < N; j++) {
        const d = Math.hypot(a.landmarks[i]![0] - back[j]![0], a.landmarks[i]![1] - back[j]![1]) / ipd;
        cost[i]![j]! += d;
        if (d < best) [best, nearest] = [d, j];
      }
      votes[i]!.set(nearest, (votes[i]!.get(nearest) ?? 0) + 1);
    }
  }),
);
await pool.close();

const isIris = (i: number): boolean => i >= 468;
const pairCost = (i: number, j: number): number => (isIris(i) !== isIris(j) ? 1e6 : (cost[i]![j]! + cost[j]![i]!) / 2 / portraits);

/** Least-cost one-to-one assignment (Hungarian method with potentials), O(n³). */
function assign(n: number, c: (i: number, j: number) => number): number[] {
  const u = new Float64Array(n + 1), v = new Float64Array(n + 1), p = new Int32Array(n + 1), way = new Int32Array(n + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(n + 1).fill(Infinity), used = new Uint8Array(n + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0]!;
      let delta = Infinity, j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const cur = c(i0 - 1, j - 1) - u[i0]! - v[j]!;
        if (cur < minv[j]!) { minv[j] = cur; way[j] = j0; }
        if (minv[j]! < delta) { delta = minv[j]!; j1 = j; }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) { u[p[j]!]! += delta; v[j]! -= delta; } else minv[j]! -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do { const j1 = way[j0]!; p[j0] = p[j1]!; j0 = j1; } while (j0);
  }
  const result = new Array<number>(n);
  for (let j = 1; j <= n; j++) result[p[j]! - 1] = j - 1;
  return result;
}

const map = assign(N, pairCost);
const notInvolution = map.filter((j, i) => map[j] !== i);
if (notInvolution.length) throw new Error(`not an involution at ${notInvolution.length} points`);
for (const midline of [1, 10, 152]) if (map[midline] !== midline) throw new Error(`midline point ${midline} maps to ${map[midline]}`);
const majority = map.filter((j, i) => [...votes[i]!].sort((x, y) => y[1] - x[1])[0]?.[0] === j).length;
const costs = map.map((j, i) => pairCost(i, j));
const selfMapped = map.filter((j, i) => j === i).length;
const summary = `${portraits} portraits, ${selfMapped} midline points; mean pair distance ${(costs.reduce((s, x) => s + x, 0) / N).toFixed(4)} IPD, max ${Math.max(...costs).toFixed(4)}`;
const agreement = `the single nearest point per image (majority over images) agrees on ${majority} of ${N}; the dense eye and lip rings disagree point by point`;;
console.log(`${summary}; ${agreement}`);

const rows: string[] = [];
for (let i = 0; i < N; i += 20) rows.push(`  ${map.slice(i, i + 20).join(', ')},`);
await writeFile(
  new URL('../packages/domain/src/face-mirror-map.ts', import.meta.url),
  `/**
 * MIRROR_MAP[i] is the mesh point on the other side of the face from point i (midline points map to
 * themselves). Generated by scripts/make-mirror-map.ts from the London neutral portraits and their
 * horizontal flips: the least-cost one-to-one pairing of each point with the flip's points mirrored back.
 * ${summary};
 * ${agreement}.
 * It is an involution, and it also equals the mirror of the model's canonical UV layout (Human's UV468,
 * u → 1 − u), point for point (checked when it was generated).
 */
export const MIRROR_MAP: readonly number[] = [
${rows.join('\n')}
];
`,
);
