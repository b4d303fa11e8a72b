/**
 * Skin indicators on the London set (102 neutral portraits with ages, 10 also smiling): rank correlation of
 * every indicator with age, the calibration anchors of DEFAULT_SEVERITY_TABLE (5th and 95th percentiles), and
 * dynamic crow's-feet lines (smiling vs neutral). Figures go to docs/validation.md ("Skin indicators") by hand
 * from this test's output.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zoneShapes } from '@contour/domain/face-geometry';
import { DEFAULT_SEVERITY_TABLE } from '@contour/domain/severity';
import type { ZoneId, ZoneIndicators } from '@contour/domain';
import type { RgbImage } from './face-result.js';
import { decodePhoto } from './image.js';
import { LandmarkPool } from './landmark-pool.js';
import { interPupilDistance } from './measure.js';
import { zoneIndicators, type ZoneSkin } from './skin.js';
import { DATASETS, datasetsAvailable } from './test-support.js';

const available = datasetsAvailable();
const london = join(DATASETS, 'london');
type Indicator = keyof ZoneIndicators;
const INDICATORS: Indicator[] = ['lines', 'shadow', 'texture', 'redness', 'pigment'];
/** The calibrated zones (and the references they need): the rest have no skin scale and would only cost time. */
const ZONES = new Set<ZoneId>(['forehead', 'glabella', 'crows_feet', 'tear_trough', 'temple', 'cheek', 'nasolabial', 'marionette', 'perioral', 'neck']);

function ranks(xs: number[]): number[] {
  const order = xs.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(xs.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) r[order[k]![1]] = (i + j) / 2;
    i = j + 1;
  }
  return r;
}

function spearman(a: number[], b: number[]): number {
  const [ra, rb] = [ranks(a), ranks(b)];
  const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
  const [ma, mb] = [mean(ra), mean(rb)];
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < ra.length; i++) {
    ab += (ra[i]! - ma) * (rb[i]! - mb);
    aa += (ra[i]! - ma) ** 2;
    bb += (rb[i]! - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q, lo = Math.floor(i);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (i - lo);
}

describe.skipIf(!available)('skin indicators on the London set', () => {
  let pool: LandmarkPool;
  let ages: Map<string, number>;
  beforeAll(async () => {
    pool = await LandmarkPool.start(2);
    const csv = (await readFile(join(london, 'london_info.csv'), 'utf8')).trim().split('\n').slice(1);
    ages = new Map(csv.map((line) => [line.split(',')[0]!, Number(line.split(',')[1])]));
  });
  afterAll(async () => pool?.close());

  async function measure(path: string, only = ZONES): Promise<ZoneSkin[]> {
    const image: RgbImage = await decodePhoto(await readFile(path));
    const [face] = await pool.detect(image);
    const landmarks = face!.landmarks;
    return zoneIndicators(image, zoneShapes(landmarks, image).filter((z) => only.has(z.id)), interPupilDistance(landmarks));
  }

  it('correlates each indicator with age (Spearman) and sets the calibration anchors from its 5th–95th percentiles', async () => {
    const files = (await readdir(join(london, 'neutral'))).filter((f) => f.endsWith('.jpg')).sort();
    // Landmarks run on the pool's workers while this thread measures the previous photo.
    const results = await Promise.all(files.map(async (file) => ({ id: file.slice(0, 3), zones: await measure(join(london, 'neutral', file)) })));
    expect(results).toHaveLength(102);

    const rows: string[] = [];
    const drift: string[] = [];
    for (const zone of ZONES) {
      for (const indicator of INDICATORS) {
        // Per face: the mean of both sides (for correlation); per zone side: every value (for the anchors).
        const perFace: [number, number][] = [];
        const perSide: number[] = [];
        for (const r of results) {
          const values = r.zones.filter((z) => z.zone.id === zone).map((z) => z.indicators[indicator]).filter((v): v is number => Number.isFinite(v));
          if (!values.length) continue;
          perSide.push(...values);
          // Two portraits have no recorded age ("NA"): they count for the anchors, not the correlation.
          const age = ages.get(r.id);
          if (age !== undefined && Number.isFinite(age)) perFace.push([age, values.reduce((a, v) => a + v, 0) / values.length]);
        }
        if (perFace.length < 50) continue;
        const rho = spearman(perFace.map((p) => p[0]), perFace.map((p) => p[1]));
        const [p5, p50, p95] = [0.05, 0.5, 0.95].map((q) => quantile(perSide, q)) as [number, number, number];
        expect(Number.isFinite(rho)).toBe(true);
        rows.push(`| ${zone} | ${indicator} | ${rho.toFixed(2)} | ${p5.toFixed(3)} | ${p50.toFixed(3)} | ${p95.toFixed(3)} |`);
        // The default table must be the one these figures give (within a tenth of the spread).
        const cal = DEFAULT_SEVERITY_TABLE[zone]?.indicators.find((c) => c.indicator === indicator);
        if (cal) {
          const [lo, hi] = [cal.anchors[0]![0], cal.anchors[cal.anchors.length - 1]![0]];
          const tolerance = 0.1 * (p95 - p5);
          if (Math.abs(lo - p5) > tolerance || Math.abs(hi - p95) > tolerance) drift.push(`${zone}.${indicator}: table ${lo}–${hi}, London ${p5.toFixed(3)}–${p95.toFixed(3)}`);
        }
      }
    }
    console.log(`London neutral: Spearman with age (n=${results.filter((r) => Number.isFinite(ages.get(r.id))).length}) and percentiles per zone side (n=102):\n| zone | indicator | ρ with age | P5 | P50 | P95 |\n|---|---|---|---|---|---|\n${rows.join('\n')}`);
    expect(drift, 'DEFAULT_SEVERITY_TABLE no longer matches the London percentiles: recalibrate from the figures above').toEqual([]);
  }, 120_000);

  it('scores crow’s-feet lines higher smiling than neutral in most of the 10 pairs', async () => {
    const smiles = (await readdir(join(london, 'smiling'))).filter((f) => f.endsWith('.jpg')).sort();
    const crows = new Set<ZoneId>(['crows_feet', 'cheek', 'forehead']);
    const lines = (zones: ZoneSkin[]): number => {
      const values = zones.filter((z) => z.zone.id === 'crows_feet').map((z) => z.indicators.lines!);
      return values.reduce((a, v) => a + v, 0) / values.length;
    };
    const pairs = await Promise.all(
      smiles.map(async (file) => {
        const id = file.slice(0, 3);
        const [neutral, smiling] = await Promise.all([measure(join(london, 'neutral', `${id}_03.jpg`), crows), measure(join(london, 'smiling', file), crows)]);
        return { id, neutral: lines(neutral), smiling: lines(smiling) };
      }),
    );
    expect(pairs).toHaveLength(10);
    const higher = pairs.filter((p) => p.smiling > p.neutral);
    console.log(`crow's feet lines higher smiling than neutral: ${higher.length} / ${pairs.length}`, pairs.map((p) => `${p.id}: ${p.neutral.toFixed(2)} → ${p.smiling.toFixed(2)}`).join(', '));
    expect(higher.length).toBeGreaterThanOrEqual(6);
  }, 60_000);
});
