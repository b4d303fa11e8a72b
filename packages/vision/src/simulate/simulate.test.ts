/**
 * Outcome simulation on a committed fixture (always runs): label, determinism, untouched pixels outside the
 * treated zones, seams, the rendered change measured back in the pixels, variant order and the clinician's
 * maxima. The closed loop on the London set (landmarks and estimates found again) is simulate-london.test.ts.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { estimateSeverity, zoneShapes, type DoseItem, type HeadPose, type Point3, type SimulationVariant, type ZoneLimit, type ZoneId } from '@contour/domain';
import { decodePhoto } from '../image.js';
import { measureFace } from '../measured-face.js';
import { FaceLandmarker } from '../landmarks.js';
import { zoneIndicators } from '../skin.js';
import { RecentFaces } from '../steady-landmarks.js';
import { fixture } from '../test-support.js';
import { FULL_FACE_PLAN, SHAPE_ONLY, SHAPE_PLAN, decodeSimulatedPhoto, foundAgain, maskWeights, outsideMad, rulerReadings, seamRatios } from './closed-loop.js';
import { SIMULATION_LABEL, readLabel } from './label.js';
import { SimulationRefused, simulate, type SimulationResult } from './simulate.js';

const FULL_FACE = FULL_FACE_PLAN;
const SHAPE_ITEMS = SHAPE_PLAN;

describe('outcome simulation (fixture)', () => {
  let landmarker: FaceLandmarker;
  let bytes: Buffer;
  let original: Awaited<ReturnType<typeof decodePhoto>>;
  let face: { landmarks: Point3[]; pose: HeadPose };
  let full: SimulationResult;
  const shapes = new Map<SimulationVariant, SimulationResult>();
  beforeAll(async () => {
    landmarker = await FaceLandmarker.load();
    bytes = await fixture('faces/london-001-neutral.jpg');
    original = await decodePhoto(bytes);
    full = await simulate(bytes, { items: FULL_FACE }, { variant: 'expected', finder: landmarker });
    // The photo's steady landmarks, as the facial analysis stores them for later renders.
    const measured = await measureFace(original, landmarker);
    face = { landmarks: measured!.mesh, pose: measured!.pose };
    for (const variant of ['conservative', 'expected', 'upper'] as const) {
      shapes.set(variant, await simulate(bytes, { items: SHAPE_ITEMS }, { variant, face, maxChangePerZone: SHAPE_ONLY }));
    }
  }, 120_000);

  it('labels the export in its pixels and in its metadata, and says what it did', async () => {
    const check = await readLabel(full.jpeg);
    expect(check).toMatchObject({ ok: true, exif: SIMULATION_LABEL, xmp: true });
    expect(check.pixels).toEqual([SIMULATION_LABEL.toUpperCase(), 'CONTOUR SIMULATION, EXPECTED VARIANT']);
    const metadata = await sharp(full.jpeg).metadata();
    expect(metadata.exif?.toString('latin1')).toContain(SIMULATION_LABEL);
    expect(metadata.xmp?.toString('utf8')).toContain(SIMULATION_LABEL);
    expect(metadata).toMatchObject({ format: 'jpeg', width: 1000, height: full.height });
    expect(full.labelBand).toEqual({ x: 0, y: 1000, width: 1000, height: full.height - 1000 });
    expect(full.sourceSha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(full.parameters).toMatchObject({ renderer: 'contour-simulate/1', variant: 'expected', landmarks: 'steady detection (8 averaged)', quality: 95 });
    expect(full.bbox).not.toBeNull();
    // Every intended change was drawn or says why not.
    const drawn = new Set(full.rendered.flatMap((r) => r.effects.map((e) => `${r.zoneId}|${r.side}|${e}`)));
    for (const c of full.changes) expect(drawn.has(`${c.zoneId}|${c.side}|${c.effect}`), `${c.zoneId} ${c.side} ${c.effect}`).toBe(true);
    for (const r of full.rendered.filter((e) => e.kind !== 'mm')) expect(r.strength !== undefined || r.note !== undefined).toBe(true);
  });

  it('is deterministic: the same photo and plan give the same bytes', async () => {
    const again = await simulate(bytes, { items: FULL_FACE }, { variant: 'expected', finder: landmarker });
    expect(Buffer.compare(again.jpeg, full.jpeg)).toBe(0);
  }, 60_000);

  it('reuses the landmarks of a photo it has seen, with the same result, and finds them for another', async () => {
    let detections = 0;
    const counting = { detect: (image: Parameters<FaceLandmarker['detect']>[0]) => (detections++, landmarker.detect(image)) };
    const recentFaces = new RecentFaces(1);
    const first = await simulate(bytes, { items: FULL_FACE }, { finder: counting, recentFaces });
    expect(detections).toBe(8);
    const second = await simulate(bytes, { items: FULL_FACE }, { finder: counting, recentFaces });
    expect(detections).toBe(8);
    expect(Buffer.compare(second.jpeg, first.jpeg)).toBe(0);
    expect(Buffer.compare(first.jpeg, full.jpeg)).toBe(0);
    // Another photo (here: the same face re-encoded) is found again, and pushes the first out of a one-face memory.
    const other = await sharp(bytes).jpeg({ quality: 90 }).toBuffer();
    await simulate(other, { items: [] }, { finder: counting, recentFaces });
    expect(detections).toBe(16);
    await simulate(bytes, { items: [] }, { finder: counting, recentFaces });
    expect(detections).toBe(24);
  }, 120_000);

  it('leaves the photo outside the treated zones as it was, with no seam at their edges', async () => {
    const simulated = await decodeSimulatedPhoto(full.jpeg, full.photo.height);
    const untouched = full.treated.reduce((n, w) => n + (w === 0 ? 1 : 0), 0);
    expect(untouched / full.treated.length).toBeGreaterThan(0.6);
    // Only the JPEG re-encoding (quality 95, no chroma subsampling) moves those pixels.
    expect(outsideMad(original, simulated, full.treated)).toBeLessThan(1);
    const seams = seamRatios(original, simulated, full.treated);
    expect(seams.rimPixels).toBeGreaterThan(1000);
    expect(seams.rim).toBeGreaterThan(0.85);
    expect(seams.rim).toBeLessThan(1.15);
    // Across the feather of the retouching windows the skin edits smooth (ratio at most 1); a seam would add
    // energy. The edge-definition edits are left out: raising contrast along an edge is what they are for.
    const retouch = seamRatios(original, simulated, maskWeights(full, (name) => !/definition|vermilion|chin_length|contour/.test(name)));
    expect(retouch.featherPixels).toBeGreaterThan(1000);
    expect(retouch.feather).toBeLessThan(1.05);
  });

  it('moves the edges it promises to, by the promised millimetres (measured in the pixels)', async () => {
    const readings = await rulerReadings(shapes.get('expected')!, original);
    expect(readings.map((r) => r.id).sort()).toEqual(['cheek_left', 'cheek_right', 'chin', 'jaw_left', 'jaw_right', 'lower_vermilion', 'upper_vermilion']);
    for (const r of readings) {
      expect(Number.isFinite(r.measured), r.id).toBe(true);
      expect(Math.abs(r.measured - r.promised), `${r.id}: promised ${r.promised.toFixed(2)}, measured ${r.measured.toFixed(2)}`).toBeLessThanOrEqual(0.25 * Math.abs(r.promised));
    }
  });

  it('orders the variants: conservative ≤ expected ≤ upper, promised and measured', async () => {
    const byVariant = await Promise.all((['conservative', 'expected', 'upper'] as const).map((v) => rulerReadings(shapes.get(v)!, original)));
    const [c, e, u] = byVariant;
    e!.forEach((r, k) => {
      expect(c![k]!.promised).toBeLessThan(r.promised);
      expect(r.promised).toBeLessThan(u![k]!.promised);
      // Measured, with a tenth of a millimetre for the ruler's resolution.
      expect(c![k]!.measured, r.id).toBeLessThanOrEqual(r.measured + 0.1);
      expect(r.measured, r.id).toBeLessThanOrEqual(u![k]!.measured + 0.1);
    });
  });

  it('never exceeds the clinician’s maximum, in the plan or in the pixels', async () => {
    const maxima: Partial<Record<ZoneId, ZoneLimit>> = { upper_lip: { mm: 0.3, ratio: 0 }, chin: { mm: 0.5 }, tear_trough: { grade: 0.3 } };
    const items: DoseItem[] = [
      { zoneId: 'upper_lip', treatmentClass: 'ha_filler', amount: 2, unit: 'mL' },
      { zoneId: 'chin', treatmentClass: 'ha_filler', amount: 3, unit: 'mL' },
      { zoneId: 'tear_trough', treatmentClass: 'ha_filler', amount: 2, unit: 'mL' },
    ];
    const result = await simulate(bytes, { items }, { variant: 'upper', face, maxChangePerZone: maxima });
    const lip = result.changes.find((c) => c.effect === 'vermilion_height')!;
    expect(lip).toMatchObject({ amount: 0.3, clampedBy: 'clinician-max' });
    expect(lip.unclampedAmount).toBeGreaterThan(0.3);
    for (const r of await rulerReadings(result, original)) expect(r.measured, r.id).toBeLessThanOrEqual(r.id === 'chin' ? 0.5 + 0.1 : 0.3 + 0.1);
    // The tear troughs' estimate falls by at most 0.3 (measured on the same zones before and after).
    const simulated = await decodeSimulatedPhoto(result.jpeg, result.photo.height);
    const zones = zoneShapes(face.landmarks, original);
    const [before, after] = [original, simulated].map((image) => zoneIndicators(image, zones, result.parameters.interPupilPx));
    for (const side of ['right', 'left'] as const) {
      const grade = (set: typeof before): number => estimateSeverity('tear_trough', set!.find((z) => z.zone.id === 'tear_trough' && z.zone.side === side)!.indicators).severity!;
      expect(grade(after) - grade(before), side).toBeGreaterThanOrEqual(-0.3 - 0.05);
      expect(grade(after) - grade(before), side).toBeLessThan(-0.1);
    }
  });

  it('changes nothing but the label for an empty plan, and lists what it cannot simulate', async () => {
    const result = await simulate(bytes, { items: [{ zoneId: 'temple', side: 'right', treatmentClass: 'ha_filler', amount: 1, unit: 'mL' }] }, { face });
    expect(result.changes).toEqual([]);
    expect(result.unsupported).toMatchObject([{ index: 0, reason: expect.stringMatching(/temple/) }]);
    expect(result.bbox).toBeNull();
    expect(result.treated.every((w) => w === 0)).toBe(true);
    const simulated = await decodeSimulatedPhoto(result.jpeg, result.photo.height);
    expect(outsideMad(original, simulated, result.treated)).toBeLessThan(0.5);
    expect((await readLabel(result.jpeg)).ok).toBe(true);
  });

  it('refuses a photo without exactly one face, and one without a scale', async () => {
    const blank = await sharp({ create: { width: 800, height: 800, channels: 3, background: '#b0a090' } }).jpeg().toBuffer();
    await expect(simulate(blank, { items: FULL_FACE }, { finder: landmarker })).rejects.toBeInstanceOf(SimulationRefused);
    const turned = { landmarks: face.landmarks, pose: { ...face.pose, yaw: 25 } };
    await expect(simulate(bytes, { items: FULL_FACE }, { face: turned })).rejects.toThrow(/No mm scale/);
  });

  it('re-measures as a photo: the face is found again in the export', async () => {
    const simulated = await decodeSimulatedPhoto(full.jpeg, full.photo.height);
    const again = await foundAgain(simulated, landmarker);
    expect(again.landmarks).toHaveLength(478);
  });
});
