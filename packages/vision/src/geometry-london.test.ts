/**
 * Facial geometry on the London set (102 consented studio portraits, CC BY 4.0): the inter-pupil distance
 * through the iris scale against adult norms, symmetry on faces made symmetric on purpose, and left/right
 * swapping on flipped photos and mirrored landmark sets. Figures go to docs/validation.md by hand.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faceGeometry, mirrorLandmarks, type Measurement } from '@contour/domain';
import { addFacialGeometry, type FrontalPhotoAnalysis } from './geometry.js';
import { decodePhoto } from './image.js';
import { LandmarkPool } from './landmark-pool.js';
import { MESH } from './mesh.js';
import { DATASETS, datasetsAvailable } from './test-support.js';

const available = datasetsAvailable();
const neutralDir = join(DATASETS, 'london/neutral');
const mean = (xs: number[]): number => xs.reduce((a, x) => a + x, 0) / xs.length;
const sd = (xs: number[]): number => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;
const valueOf = (ms: Measurement[], id: string, side?: 'right' | 'left'): number | undefined => ms.find((m) => m.id === id && m.side === side)?.value;
const other = (side: 'right' | 'left' | undefined): 'right' | 'left' | undefined => (side === 'right' ? 'left' : side === 'left' ? 'right' : undefined);

interface Portrait {
  file: string;
  gender: string;
  original: FrontalPhotoAnalysis;
  flipped: FrontalPhotoAnalysis;
}

describe.skipIf(!available)('facial geometry on the London set', () => {
  let pool: LandmarkPool;
  let portraits: Portrait[];
  beforeAll(async () => {
    pool = await LandmarkPool.start(2);
    const files = (await readdir(neutralDir)).filter((f) => f.endsWith('.jpg')).sort();
    const genders = new Map(
      (await readFile(join(DATASETS, 'london/london_info.csv'), 'utf8'))
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => { const [id, , gender] = line.split(','); return [id ?? '', gender ?? 'unknown'] as const; }),
    );
    const analyse = async (bytes: Buffer): Promise<FrontalPhotoAnalysis> => {
      const image = await decodePhoto(bytes);
      return addFacialGeometry(await pool.analyze(image, 'frontal'), image, pool);
    };
    portraits = await Promise.all(
      files.map(async (file) => {
        const bytes = await readFile(join(neutralDir, file));
        const [original, flipped] = await Promise.all([analyse(bytes), sharp(bytes).flop().jpeg({ quality: 95 }).toBuffer().then(analyse)]);
        return { file, gender: genders.get(file.slice(0, 3)) ?? 'unknown', original, flipped };
      }),
    );
  }, 600_000);
  afterAll(async () => pool?.close());

  it('gives every portrait a scale, and an adult inter-pupil distance distribution (mean 60–65 mm)', () => {
    expect(portraits).toHaveLength(102);
    expect(portraits.filter((p) => !p.original.geometry.scale).map((p) => p.file)).toEqual([]);
    const ipd = (ps: Portrait[]): number[] => ps.map((p) => valueOf(p.original.geometry.measurements, 'interpupillary_distance')!);
    const all = ipd(portraits);
    const report = (label: string, xs: number[]): string => `${label} n=${xs.length} mean ${mean(xs).toFixed(1)} SD ${sd(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;
    const ratios = portraits.map((p) => p.original.geometry.scale!.irisDiameterPx).map(({ right, left }) => Math.max(right, left) / Math.min(right, left));
    console.log(
      `IPD mm: ${report('all', all)}; ${report('men', ipd(portraits.filter((p) => p.gender === 'male')))}; ${report('women', ipd(portraits.filter((p) => p.gender === 'female')))}; ` +
        `iris L/R diameter ratio median ${quantile(ratios, 0.5).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)}`,
    );
    expect(mean(all)).toBeGreaterThanOrEqual(60);
    expect(mean(all)).toBeLessThanOrEqual(65);
    for (const id of ['lower_face_proportion', 'vermilion_ratio', 'mouth_to_intercanthal', 'mouth_to_alar', 'bigonial_to_bizygomatic', 'face_width_to_height', 'mouth_width', 'intercanthal_width', 'alar_width', 'bizygomatic_width', 'bigonial_width', 'upper_vermilion_height', 'lower_vermilion_height']) {
      const xs = portraits.map((p) => valueOf(p.original.geometry.measurements, id)!);
      console.log(`${id}: mean ${mean(xs).toFixed(2)} SD ${sd(xs).toFixed(2)}`);
    }
    for (const id of ['canthal_tilt', 'brow_height', 'palpebral_fissure_height', 'palpebral_fissure_width']) {
      const xs = portraits.flatMap((p) => [valueOf(p.original.geometry.measurements, id, 'right')!, valueOf(p.original.geometry.measurements, id, 'left')!]);
      console.log(`${id} (both sides): mean ${mean(xs).toFixed(2)} SD ${sd(xs).toFixed(2)}`);
    }
    for (const zone of ['brow', 'eye', 'cheek', 'mouth_corner', 'jaw']) {
      const xs = portraits.map((p) => valueOf(p.original.geometry.measurements, `symmetry_${zone}`)).filter((x): x is number => x !== undefined);
      console.log(`symmetry_${zone} (real faces, n=${xs.length}): median ${quantile(xs, 0.5).toFixed(1)} mm, 90th percentile ${quantile(xs, 0.9).toFixed(1)} mm`);
    }
  });

  it('swaps right and left exactly on every mirrored landmark set (single detections, before flip-averaging)', () => {
    for (const { original } of portraits) {
      const face = original.face!;
      const a = faceGeometry(face.landmarks, face.pose, original);
      const b = faceGeometry(mirrorLandmarks(face.landmarks, original.width), { ...face.pose, yaw: -face.pose.yaw, roll: -face.pose.roll }, original);
      expect(b.measurements).toHaveLength(a.measurements.length);
      for (const m of a.measurements) expect(valueOf(b.measurements, m.id, other(m.side))).toBeCloseTo(m.value, 9);
    }
  });

  it('swaps right and left on a flipped photo within the landmark model’s noise', () => {
    const perSide = ['canthal_tilt', 'brow_height', 'palpebral_fissure_height', 'palpebral_fissure_width'];
    const lines: string[] = [];
    for (const id of [...perSide, 'interpupillary_distance', 'mouth_width', 'lower_face_proportion', 'bigonial_to_bizygomatic']) {
      const sides: ('right' | 'left' | undefined)[] = perSide.includes(id) ? ['right', 'left'] : [undefined];
      const diffs = portraits.flatMap((p) =>
        sides.map((side) => Math.abs(valueOf(p.original.geometry.measurements, id, side)! - valueOf(p.flipped.geometry.measurements, id, other(side))!)),
      );
      lines.push(`${id}: median |diff| ${quantile(diffs, 0.5).toFixed(2)}, 95th ${quantile(diffs, 0.95).toFixed(2)}`);
      const unit = portraits[0]!.original.geometry.measurements.find((m) => m.id === id)!.unit;
      // Within noise: the flipped photo is re-encoded, so its pixels (and landmarks) differ slightly.
      expect(quantile(diffs, 0.5)).toBeLessThan(unit === 'deg' ? 0.5 : unit === 'mm' ? 1 : 0.01);
    }
    console.log(`flipped photo vs original, other side:\n  ${lines.join('\n  ')}`);
  });

  it('finds near-zero asymmetry on faces made symmetric (one half mirrored onto itself)', async () => {
    const zones = ['brow', 'eye', 'cheek', 'mouth_corner', 'jaw'];
    const values: Record<string, number[]> = Object.fromEntries(zones.map((z) => [z, []]));
    const singles: Record<string, number[]> = Object.fromEntries(zones.map((z) => [z, []]));
    for (const { file, original } of portraits.filter((_, k) => k % 6 === 0)) {
      const bytes = await readFile(join(neutralDir, file));
      // The pupils' mid-point is the mirror line; the patient's right half (image left) is kept.
      const r = original.face!.landmarks[MESH.rightIrisCentre]!;
      const l = original.face!.landmarks[MESH.leftIrisCentre]!;
      const half = Math.round((r[0] + l[0]) / 2);
      const left = await sharp(bytes).extract({ left: 0, top: 0, width: half, height: original.height }).png().toBuffer();
      const symmetric = await sharp({ create: { width: 2 * half, height: original.height, channels: 3, background: '#000' } })
        .composite([{ input: left, left: 0, top: 0 }, { input: await sharp(left).flop().png().toBuffer(), left: half, top: 0 }])
        // Saved as a JPEG like any photo: compression breaks the pixel-exact symmetry a little, as noise would.
        .jpeg({ quality: 90 })
        .toBuffer();
      const image = await decodePhoto(symmetric);
      const analysis = await addFacialGeometry(await pool.analyze(image, 'frontal'), image, pool);
      for (const zone of zones) values[zone]!.push(valueOf(analysis.geometry.measurements, `symmetry_${zone}`) ?? NaN);
      // The same face from a single detection, without flip-averaging: the model's own handedness.
      const single = faceGeometry(analysis.face!.landmarks, analysis.face!.pose, analysis).measurements;
      for (const zone of zones) singles[zone]!.push(valueOf(single, `symmetry_${zone}`) ?? NaN);
    }
    const summary = (v: Record<string, number[]>): string => zones.map((z) => `${z} mean ${mean(v[z]!).toFixed(2)} max ${Math.max(...v[z]!).toFixed(2)} mm`).join('; ');
    console.log(`symmetric faces (n=${values.brow!.length}), flip-averaged: ${summary(values)}\n  single detection: ${summary(singles)}`);
    for (const zone of zones) expect(Math.max(...values[zone]!)).toBeLessThan(1);
  }, 300_000);
});
