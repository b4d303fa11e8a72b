/**
 * Closed loop on the London set (consented studio portraits, CC BY 4.0; in CI, skipped loudly elsewhere): each
 * simulated JPEG is analysed again like any photo (decoded, Contour's own landmarks found again (measured-face.ts),
 * zones and skin indicators re-measured) and compared with what the dose model promised. Figures go to docs/validation.md
 * ("Outcome simulation") by hand.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateSeverity, zoneShapes, type DoseItem, type SimulationVariant, type ZoneId } from '@contour/domain';
import type { RgbImage } from '../face-result.js';
import type { MeasuredFace } from '../measured-face.js';
import { decodePhoto } from '../image.js';
import { LandmarkPool } from '../landmark-pool.js';
import { zoneIndicators } from '../skin.js';
import { DATASETS, datasetsAvailable } from '../test-support.js';
import { CLOSED_LOOP_PORTRAITS, FULL_FACE_PLAN, SHAPE_ONLY, SHAPE_PLAN, clearIn, decodeSimulatedPhoto, edgesOf, foundAgain, maskWeights, outsideLandmarkShift, outsideMad, rulerReadings, seamRatios, targetedMm } from './closed-loop.js';
import { readLabel } from './label.js';
import { edgeContrast, edgeLine, jowlShadow } from './measure.js';
import { simulate, type SimulationResult } from './simulate.js';

const available = datasetsAvailable();
const PORTRAITS = CLOSED_LOOP_PORTRAITS;
const FULL_FACE = FULL_FACE_PLAN;
const SHAPE_ITEMS = SHAPE_PLAN;
const LIPS: DoseItem[] = FULL_FACE.filter((i) => i.zoneId === 'upper_lip' || i.zoneId === 'lower_lip');
/** Skin quality alone (booster on the cheeks, a peel series on the forehead), so its indicators move only by it. */
const SKIN: DoseItem[] = [
  { zoneId: 'cheek', treatmentClass: 'skin_booster', amount: 2, unit: 'mL' },
  { zoneId: 'forehead', treatmentClass: 'peel', amount: 3, unit: 'session' },
];

interface Analysed {
  image: RgbImage;
  face: MeasuredFace;
}
interface Portrait {
  id: string;
  original: Analysed;
  full: SimulationResult;
  fullAgain: Analysed;
  shape: SimulationResult;
  shapeAgain: Analysed;
  empty: SimulationResult;
  emptyAgain: Analysed;
  lips: SimulationResult;
  lipsAgain: Analysed;
  skin: SimulationResult;
  skinAgain: Analysed;
  variants: Map<SimulationVariant, SimulationResult>;
}

const mean = (xs: number[]): number => xs.reduce((a, x) => a + x, 0) / xs.length;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;
const fmt = (v: number, d = 2): string => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');

describe.skipIf(!available)('outcome simulation, closed loop on the London set', () => {
  let pool: LandmarkPool;
  const portraits: Portrait[] = [];
  beforeAll(async () => {
    pool = await LandmarkPool.start(2);
    const again = async (result: SimulationResult): Promise<Analysed> => {
      const image = await decodeSimulatedPhoto(result.jpeg, result.photo.height);
      return { image, face: await foundAgain(image, pool) };
    };
    for (const id of PORTRAITS) {
      const bytes = await readFile(join(DATASETS, `london/neutral/${id}_03.jpg`));
      const image = await decodePhoto(bytes);
      const measured = await foundAgain(image, pool);
      const face = { landmarks: measured.mesh, pose: measured.pose };
      const full = await simulate(bytes, { items: FULL_FACE }, { face });
      const shape = await simulate(bytes, { items: SHAPE_ITEMS }, { face, maxChangePerZone: SHAPE_ONLY });
      const empty = await simulate(bytes, { items: [] }, { face });
      const lips = await simulate(bytes, { items: LIPS }, { face });
      const skin = await simulate(bytes, { items: SKIN }, { face });
      const variants = new Map<SimulationVariant, SimulationResult>([['expected', shape]]);
      if (portraits.length < 3) {
        for (const variant of ['conservative', 'upper'] as const) variants.set(variant, await simulate(bytes, { items: SHAPE_ITEMS }, { face, variant, maxChangePerZone: SHAPE_ONLY }));
      }
      portraits.push({
        id,
        original: { image, face: measured },
        full,
        fullAgain: await again(full),
        shape,
        shapeAgain: await again(shape),
        empty,
        emptyAgain: await again(empty),
        lips,
        lipsAgain: await again(lips),
        skin,
        skinAgain: await again(skin),
        variants,
      });
    }
  }, 600_000);
  afterAll(async () => pool?.close());

  it('labels every export, in the pixels and the metadata', async () => {
    for (const p of portraits) for (const r of [p.full, p.shape, p.empty, p.lips, p.skin]) expect((await readLabel(r.jpeg)).ok, p.id).toBe(true);
  });

  it('moves each promised edge by the promised millimetres, within ±25 % (pixel rulers)', async () => {
    const lines: string[] = [];
    const ratios: Record<string, number[]> = {};
    const all: { portrait: string; id: string; promised: number; measured: number }[] = [];
    for (const p of portraits) {
      const readings = await rulerReadings(p.shape, p.original.image);
      lines.push(`${p.id}: ${readings.map((r) => `${r.id} ${fmt(r.promised)}→${fmt(r.measured)}`).join(', ')}`);
      for (const r of readings) {
        all.push({ portrait: p.id, ...r });
        if (Number.isFinite(r.measured)) (ratios[r.id] ??= []).push(r.measured / r.promised);
      }
    }
    const unmeasured = all.filter((r) => !Number.isFinite(r.measured)).length;
    console.log(`pixel rulers, promised → measured mm (shape plan, expected):\n  ${lines.join('\n  ')}\n  measured ÷ promised, median per edge: ${Object.entries(ratios).map(([k, v]) => `${k} ${fmt(median(v))} (n=${v.length})`).join('; ')}; unmeasurable ${unmeasured}/${all.length}`);
    for (const r of all.filter((x) => Number.isFinite(x.measured))) {
      expect(Math.abs(r.measured - r.promised), `${r.portrait} ${r.id}: promised ${fmt(r.promised)}, measured ${fmt(r.measured)}`).toBeLessThanOrEqual(0.25 * Math.abs(r.promised));
    }
    expect(unmeasured / all.length).toBeLessThanOrEqual(0.1);
  });

  it('shows the promised change to Contour’s own landmarks, found again in the export', () => {
    const rows: Record<string, { promised: number[]; measured: number[]; noise: number[]; lines: string[] }> = {};
    const over: string[] = [];
    for (const p of portraits) {
      const mm = p.shape.parameters.mmPerPx;
      for (const c of p.shape.changes.filter((ch) => ch.kind === 'mm' && ch.measurementId)) {
        const side = c.side === 'centre' ? undefined : c.side;
        // As the facial geometry measures (measured-face.ts): steady landmarks, the lips and the face outline found in the pixels.
        const at = (a: Analysed): number => targetedMm(a.face.measuredOn, c, mm);
        const measured = at(p.shapeAgain) - at(p.original);
        const noise = at(p.emptyAgain) - at(p.original);
        const row = (rows[`${c.measurementId!}${side ? ` ${side}` : ''}`] ??= { promised: [], measured: [], noise: [], lines: [] });
        row.promised.push(c.amount);
        row.measured.push(measured);
        row.noise.push(noise);
        row.lines.push(`${p.id} ${fmt(measured)}`);
        // Never more than promised, beyond the noise of finding the landmarks again (re-encoding alone) and a pixel.
        if (measured > c.amount + mm + Math.abs(noise)) over.push(`${p.id} ${c.measurementId} ${c.side}: ${fmt(measured)} > ${fmt(c.amount)}`);
      }
    }
    const response = (r: { promised: number[]; measured: number[] }): number => median(r.measured) / median(r.promised);
    console.log(
      `landmarks found again, promised → measured mm (median over portraits; re-encoding alone moves them by the noise figure):\n  ${Object.entries(rows)
        .map(([id, r]) => `${id}: promised ${fmt(median(r.promised))}, measured ${fmt(median(r.measured))} (mean ${fmt(mean(r.measured))}), re-encoding noise median |${fmt(median(r.noise.map(Math.abs)))}|, response ${fmt(response(r))}, within ±25 % on ${r.measured.filter((m, i) => Math.abs(m / r.promised[i]! - 1) <= 0.25).length}/${r.measured.length}\n    ${r.lines.join(', ')}`)
        .join('\n  ')}`,
    );
    // Single readings can swap edges (a hair, a shadow's second line) in one of the two photos; they are counted, not
    // asserted: whether the render went beyond the promise is the pixel rulers' check, on every portrait.
    console.log(`  single readings more than a pixel beyond the promise and the noise: ${over.length ? over.join('; ') : 'none'}`);
    // Met (median over the portraits within ±25 % of the promise): every shape change.
    for (const id of ['upper_vermilion_height', 'lower_vermilion_height', 'cheek_contour right', 'cheek_contour left', 'jaw_contour right', 'jaw_contour left', 'lower_face_height']) {
      expect(Math.abs(response(rows[id]!) - 1), id).toBeLessThanOrEqual(0.25);
    }
    // The lower lip's height is read between two edges found in the pixels (the meeting line and the lower border),
    // and follows on every portrait. The others do on most (docs/validation.md): where an edge is faint (a soft chin
    // above an equally light neck, hair at the outline) one of the two photos can take another edge or none.
    for (const [i, measured] of rows['lower_vermilion_height']!.measured.entries()) {
      expect(Math.abs(measured / rows['lower_vermilion_height']!.promised[i]! - 1), PORTRAITS[i]).toBeLessThanOrEqual(0.25);
    }
  });

  it('follows the promise on the face outline wherever its edge is clear in both the photo and the export', () => {
    // Where an edge is not clear (outline-edges.ts: unused, or a rival about as clear beside it), the analysis marks
    // the figure an estimate; the readings where both photos' edges are clear are the ones it gives as measured.
    const clear: string[] = [], unclear: string[] = [];
    for (const p of portraits) {
      const mm = p.shape.parameters.mmPerPx;
      for (const c of p.shape.changes.filter((ch) => ch.kind === 'mm' && ch.measurementId)) {
        if (!['cheek_contour', 'jaw_contour', 'lower_face_height'].includes(c.measurementId!)) continue;
        const isClear = (a: Analysed): boolean => clearIn(a.face, edgesOf(c));
        const ratio = (targetedMm(p.shapeAgain.face.measuredOn, c, mm) - targetedMm(p.original.face.measuredOn, c, mm)) / c.amount;
        const reading = `${p.id} ${c.measurementId!} ${c.side} ${fmt(ratio)}`;
        if (isClear(p.original) && isClear(p.shapeAgain)) {
          clear.push(reading);
          expect(Math.abs(ratio - 1), reading).toBeLessThanOrEqual(0.25);
        } else unclear.push(reading);
      }
    }
    console.log(`face outline readings (measured ÷ promised), the edge clear in both photos: ${clear.join(', ')}\n  not clear in one or both: ${unclear.join(', ')}`);
    // Measured (2026-12-02): 30 of the nine portraits' 45 outline readings clear in both (391 of 510 over all 102).
    expect(clear.length).toBeGreaterThanOrEqual(0.6 * (clear.length + unclear.length));
  });

  it('changes Contour’s 0–4 estimates by what was rendered; shadows and folds by what was promised', () => {
    const byZone: Record<string, { promised: number[]; rendered: number[]; measured: number[]; noise: number[] }> = {};
    for (const p of portraits) {
      const ipd = p.full.parameters.interPupilPx;
      const before = zoneIndicators(p.original.image, zoneShapes(p.original.face.landmarks, p.original.image), ipd);
      const after = zoneIndicators(p.fullAgain.image, zoneShapes(p.fullAgain.face.landmarks, p.fullAgain.image), ipd);
      const empty = zoneIndicators(p.emptyAgain.image, zoneShapes(p.emptyAgain.face.landmarks, p.emptyAgain.image), ipd);
      const grade = (set: typeof before, zoneId: ZoneId, side: string): number => estimateSeverity(zoneId, set.find((z) => z.zone.id === zoneId && z.zone.side === side)!.indicators).severity!;
      for (const r of p.full.rendered.filter((e) => e.kind === 'grade' && e.before !== undefined)) {
        const row = (byZone[r.zoneId] ??= { promised: [], rendered: [], measured: [], noise: [] });
        const measured = grade(after, r.zoneId, r.side) - grade(before, r.zoneId, r.side);
        row.promised.push(r.intended);
        row.rendered.push(r.after! - r.before!);
        row.measured.push(measured);
        row.noise.push(grade(empty, r.zoneId, r.side) - grade(before, r.zoneId, r.side));
      }
    }
    console.log(
      `0–4 estimates, promised / rendered / measured on the re-analysed export (mean per zone side over portraits; noise = re-encoding alone, mean |Δ|):\n  ${Object.entries(byZone)
        .map(([z, r]) => `${z}: ${fmt(mean(r.promised))} / ${fmt(mean(r.rendered))} / ${fmt(mean(r.measured))} (noise ${fmt(mean(r.noise.map(Math.abs)))}, n=${r.measured.length})`)
        .join('\n  ')}`,
    );
    for (const zone of ['glabella', 'forehead', 'crows_feet']) {
      // Lines are limited by what the photo holds (the estimates also count brows, lashes and hair at the zones'
      // edges, which the edit leaves alone); what was found again is what was rendered.
      const r = byZone[zone]!;
      expect(Math.abs(mean(r.measured) - mean(r.rendered)), zone).toBeLessThanOrEqual(Math.max(0.25 * Math.abs(mean(r.rendered)), 0.1));
    }
    for (const zone of ['tear_trough', 'nasolabial', 'marionette']) {
      const r = byZone[zone]!;
      // Shadows and folds are not limited by what the photo holds: rendered as promised, measured within ±25 %.
      expect(Math.abs(mean(r.rendered) - mean(r.promised)), zone).toBeLessThanOrEqual(0.1 * Math.abs(mean(r.promised)));
      expect(Math.abs(mean(r.measured) - mean(r.promised)), zone).toBeLessThanOrEqual(0.25 * Math.abs(mean(r.promised)));
    }
  }, 120_000);

  it('changes texture, tone, edge contrast and jaw shadow by the intended fraction', () => {
    type Rows = Record<string, { promised: number[]; measured: number[] }>;
    const measure = (result: SimulationResult, p: Portrait, after: Analysed, rows: Rows, sameGeometry: boolean): void => {
      const ipd = result.parameters.interPupilPx;
      const mm = result.parameters.mmPerPx;
      const zonesBefore = zoneShapes(p.original.face.landmarks, p.original.image);
      // Found again in the export, or (sameGeometry) the geometry the simulation drew on (the original landmarks
      // moved by its shape changes), which isolates the edit from where the landmarks land the second time.
      const afterLandmarks = sameGeometry ? result.movedLandmarks : after.face.landmarks;
      const zonesAfter = zoneShapes(afterLandmarks, after.image);
      // Only the skin zones the plan's texture and tone changes are on (the indicators are the slow part).
      const skinZones = new Set(result.rendered.filter((e) => e.effects[0] === 'texture' || e.effects[0] === 'tone').map((e) => e.zoneId));
      const before = zoneIndicators(p.original.image, zonesBefore.filter((z) => skinZones.has(z.id)), ipd);
      const found = zoneIndicators(after.image, zonesAfter.filter((z) => skinZones.has(z.id)), ipd);
      for (const r of result.rendered.filter((e) => e.kind === 'ratio')) {
        const effect = r.effects[0]!;
        let ratio = NaN;
        if (effect === 'texture' || effect === 'tone') {
          const name = effect === 'texture' ? 'texture' : 'pigment';
          const v = (set: typeof before): number => set.find((z) => z.zone.id === r.zoneId && z.zone.side === r.side)!.indicators[name]!;
          ratio = v(found) / v(before) - 1;
        } else if (effect === 'border_definition' || effect === 'jawline_definition') {
          const which = r.zoneId as 'upper_lip' | 'lower_lip' | 'jawline';
          ratio = edgeContrast(after.image, edgeLine(afterLandmarks, which, r.side), mm) / edgeContrast(p.original.image, edgeLine(p.original.face.landmarks, which, r.side), mm) - 1;
        } else if (effect === 'jowl_softening') {
          const poly = (zones: typeof zonesBefore): [number, number][] => zones.find((z) => z.id === 'jawline' && z.side === r.side)!.polygon;
          ratio = jowlShadow(after.image, poly(zonesAfter), mm, ipd) / jowlShadow(p.original.image, poly(zonesBefore), mm, ipd) - 1;
        }
        const row = (rows[effect] ??= { promised: [], measured: [] });
        row.promised.push(r.intended);
        row.measured.push(ratio);
      }
    };
    const report = (title: string, rows: Rows): string =>
      `${title}:\n  ${Object.entries(rows).map(([e, r]) => `${e}: ${fmt(mean(r.promised), 3)} → ${fmt(mean(r.measured), 3)} (median ${fmt(median(r.measured), 3)}, n=${r.measured.length})`).join('\n  ')}`;
    const skinFound: Rows = {}, fullFound: Rows = {}, fullSame: Rows = {};
    for (const p of portraits) {
      measure(p.skin, p, p.skinAgain, skinFound, false);
      measure(p.full, p, p.fullAgain, fullFound, false);
      measure(p.full, p, p.fullAgain, fullSame, true);
    }
    console.log(
      `ratios, promised → measured (mean):\n${report('skin plan alone, zones found again', skinFound)}\n${report('full plan, zones and edges found again', fullFound)}\n${report('full plan, the zones and edges the simulation drew on', fullSame)}`,
    );
    for (const effect of ['texture', 'tone']) {
      const r = skinFound[effect]!;
      expect(Math.abs(mean(r.measured) - mean(r.promised)), effect).toBeLessThanOrEqual(0.25 * Math.abs(mean(r.promised)));
    }
    for (const effect of ['border_definition', 'jawline_definition', 'jowl_softening']) {
      // Medians: on a face with almost no jaw shadow its fraction is a ratio of two small numbers.
      const r = fullSame[effect]!;
      expect(Math.abs(median(r.measured) - median(r.promised)), effect).toBeLessThanOrEqual(0.25 * Math.abs(median(r.promised)));
    }
  }, 120_000);

  it('leaves the pixels outside the treated zones as they were, with no seams; untreated landmarks move less than 0.3 mm', () => {
    const lines: string[] = [];
    const moves = { full: [] as number[], lips: [] as number[], empty: [] as number[] };
    const figures: { id: string; mad: number; rim: number; retouch: number }[] = [];
    for (const p of portraits) {
      const mad = outsideMad(p.original.image, p.fullAgain.image, p.full.treated);
      const seams = seamRatios(p.original.image, p.fullAgain.image, p.full.treated);
      // Across the retouching windows' feather (edge definition, which raises contrast on purpose, and the shape
      // changes' outer margins left out), a seam would add gradient energy.
      const retouch = seamRatios(p.original.image, p.fullAgain.image, maskWeights(p.full, (name) => !/definition|vermilion|chin_length|contour/.test(name)));
      const mm = p.full.parameters.mmPerPx;
      const w = p.full.photo.width;
      const full = outsideLandmarkShift(p.original.face.landmarks, p.fullAgain.face.landmarks, p.full.treated, w, mm);
      const lips = outsideLandmarkShift(p.original.face.landmarks, p.lipsAgain.face.landmarks, p.lips.treated, w, mm);
      const empty = outsideLandmarkShift(p.original.face.landmarks, p.emptyAgain.face.landmarks, p.lips.treated, w, mm);
      moves.full.push(full.mean);
      moves.lips.push(lips.mean);
      moves.empty.push(empty.mean);
      figures.push({ id: p.id, mad, rim: seams.rim, retouch: retouch.feather });
      lines.push(
        `${p.id}: outside MAD ${fmt(mad, 3)}; seams rim ${fmt(seams.rim, 3)}, feather ${fmt(seams.feather, 3)} (retouching only ${fmt(retouch.feather, 3)}); untreated landmarks moved mean/p95/max mm: full plan ${fmt(full.mean)}/${fmt(full.p95)}/${fmt(full.max)} (n=${full.n}), lips only ${fmt(lips.mean)}/${fmt(lips.p95)}/${fmt(lips.max)} (n=${lips.n}), label only ${fmt(empty.mean)}/${fmt(empty.p95)}/${fmt(empty.max)}`,
      );
    }
    console.log(`${lines.join('\n')}\nuntreated landmarks, mean of per-portrait means: full ${fmt(mean(moves.full))} mm, lips only ${fmt(mean(moves.lips))} mm, label only (re-encoding) ${fmt(mean(moves.empty))} mm`);
    for (const f of figures) {
      expect(f.mad, f.id).toBeLessThan(1);
      expect(f.rim, f.id).toBeGreaterThan(0.85);
      expect(f.rim, f.id).toBeLessThan(1.15);
      expect(f.retouch, f.id).toBeLessThan(1.1);
    }
    expect(mean(moves.full)).toBeLessThan(0.3);
    expect(mean(moves.lips)).toBeLessThan(0.3);
  });

  it('keeps conservative ≤ expected ≤ upper, measured, and never exceeds the default maxima', async () => {
    for (const p of portraits.filter((q) => q.variants.size === 3)) {
      const [c, e, u] = await Promise.all((['conservative', 'expected', 'upper'] as const).map((v) => rulerReadings(p.variants.get(v)!, p.original.image)));
      e!.forEach((r, k) => {
        if (![c![k]!.measured, r.measured, u![k]!.measured].every(Number.isFinite)) return;
        expect(c![k]!.measured, `${p.id} ${r.id}`).toBeLessThanOrEqual(r.measured + 0.1);
        expect(r.measured, `${p.id} ${r.id}`).toBeLessThanOrEqual(u![k]!.measured + 0.1);
      });
      for (const r of p.variants.get('upper')!.changes) expect(r.clampedBy === undefined || Math.abs(r.amount) <= Math.abs(r.unclampedAmount!)).toBe(true);
    }
  });

  it('reads a fuller lower lip where its border is clear on five midline columns in only one photo of the pair', async () => {
    // Two of the other 93 portraits (067, 144): the columns agree in one photo and not in the other, so the border is
    // traced across the lip there (lip-borders.ts). Left at the mesh point instead, they read −0.99 and −1.91 mm for
    // 0.78 and 0.88; traced, 0.74 and 1.01.
    for (const id of ['067', '144']) {
      const bytes = await readFile(join(DATASETS, `london/neutral/${id}_03.jpg`));
      const original = await foundAgain(await decodePhoto(bytes), pool);
      const shape = await simulate(bytes, { items: SHAPE_ITEMS }, { face: { landmarks: original.mesh, pose: original.pose }, maxChangePerZone: SHAPE_ONLY });
      const again = await foundAgain(await decodeSimulatedPhoto(shape.jpeg, shape.photo.height), pool);
      const change = shape.changes.find((c) => c.measurementId === 'lower_vermilion_height')!;
      const mm = shape.parameters.mmPerPx;
      const measured = targetedMm(again.measuredOn, change, mm) - targetedMm(original.measuredOn, change, mm);
      expect(Math.abs(measured / change.amount - 1), `${id}: ${fmt(measured)} mm for ${fmt(change.amount)}`).toBeLessThanOrEqual(0.25);
    }
  }, 300_000);
});
