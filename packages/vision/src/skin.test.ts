/**
 * Skin indicators on a real portrait (committed fixture), edited under control with sharp: a zone smoothed,
 * fine lines drawn, the tear trough darkened. Each edit must move its own indicator the expected way and leave
 * the other zones within noise, where noise is how much a JPEG re-encode of the same photo moves each figure.
 * The landmarks (and so the zones) are those of the unedited photo, so only the pixels change.
 */
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { zoneShapes } from '@contour/domain/face-geometry';
import { severityEstimator } from '@contour/domain/severity';
import type { ZoneIndicators, ZoneShape } from '@contour/domain';
import type { RgbImage } from './face-result.js';
import { decodePhoto } from './image.js';
import { FaceLandmarker } from './landmarks.js';
import { interPupilDistance } from './measure.js';
import { CANON_IPD, zoneFindings, zoneIndicators, type ZoneSkin } from './skin.js';
import { fixture } from './test-support.js';

type Indicator = keyof ZoneIndicators;
const key = (z: ZoneShape): string => `${z.id}/${z.side}`;

/** A greyscale mask (0–1) of the polygon, rendered by sharp, optionally feathered (then kept inside the polygon). */
async function polygonMask(image: RgbImage, polygon: [number, number][], feather = 0): Promise<Float32Array> {
  const svg = `<svg width="${image.width}" height="${image.height}" xmlns="http://www.w3.org/2000/svg"><rect width="100%" height="100%" fill="black"/><polygon points="${polygon.map((p) => p.join(',')).join(' ')}" fill="white"/></svg>`;
  const hard = await sharp(Buffer.from(svg)).removeAlpha().extractChannel(0).raw().toBuffer();
  const soft = feather > 0 ? await sharp(hard, { raw: { width: image.width, height: image.height, channels: 1 } }).blur(feather).extractChannel(0).raw().toBuffer() : hard;
  // The feathered mask's inner half only: the edit stays inside the polygon.
  return Float32Array.from(soft, (v, i) => (feather > 0 ? Math.max(0, 2 * v / 255 - 1) * ((hard[i] ?? 0) / 255) : v / 255));
}

const blend = (image: RgbImage, other: Uint8Array, mask: Float32Array): RgbImage => ({
  ...image,
  data: Uint8Array.from(image.data, (v, i) => Math.round(v + ((other[i] ?? 0) - v) * (mask[Math.floor(i / 3)] ?? 0))),
});

const raw = (image: RgbImage): sharp.Sharp => sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });

/** The zone blurred (σ ≈ 1.3 mm, a retoucher’s skin smoothing) and composited back through its feathered mask. */
async function smooth(image: RgbImage, zone: ZoneShape, ipd: number): Promise<RgbImage> {
  const blurred = await raw(image).blur(Math.max(0.5, (4 * ipd) / CANON_IPD)).raw().toBuffer();
  return blend(image, blurred, await polygonMask(image, zone.polygon, 3));
}

/** Fine dark lines (1.5 px, 30 % opacity) drawn by sharp inside the zone, in the given directions (radians). */
async function drawLines(image: RgbImage, zone: ZoneShape, directions: number[], spacing: number): Promise<RgbImage> {
  const xs = zone.polygon.map((p) => p[0]), ys = zone.polygon.map((p) => p[1]);
  const cx = (Math.min(...xs) + Math.max(...xs)) / 2, cy = (Math.min(...ys) + Math.max(...ys)) / 2;
  const reach = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
  const lines: string[] = [];
  directions.forEach((angle, k) => {
    const [dx, dy] = [Math.cos(angle), Math.sin(angle)];
    const offset = (k - (directions.length - 1) / 2) * spacing;
    const [ox, oy] = [cx - dy * offset, cy + dx * offset];
    lines.push(`<line x1="${ox - dx * reach}" y1="${oy - dy * reach}" x2="${ox + dx * reach}" y2="${oy + dy * reach}" stroke="rgb(60,40,35)" stroke-opacity="0.3" stroke-width="1.5"/>`);
  });
  const svg = `<svg width="${image.width}" height="${image.height}" xmlns="http://www.w3.org/2000/svg">${lines.join('')}</svg>`;
  const drawn = await raw(image).composite([{ input: Buffer.from(svg) }]).removeAlpha().raw().toBuffer();
  return blend(image, drawn, await polygonMask(image, zone.polygon));
}

/** A soft dark patch (up to 25 % darker) inside the zone. */
async function darken(image: RgbImage, zone: ZoneShape, ipd: number): Promise<RgbImage> {
  const mask = await polygonMask(image, zone.polygon, (8 * ipd) / CANON_IPD);
  const darker = Uint8Array.from(image.data, (v) => Math.round(v * 0.75));
  return blend(image, darker, mask);
}

describe('skin indicators on a portrait, with controlled edits', () => {
  let image: RgbImage;
  let zones: ZoneShape[];
  let ipd: number;
  let base: Map<string, ZoneSkin>;
  /** |JPEG re-encode − original| per zone and indicator. */
  let noise: Map<string, ZoneIndicators>;
  const measure = (img: RgbImage): Map<string, ZoneSkin> => new Map(zoneIndicators(img, zones, ipd).map((r) => [key(r.zone), r]));
  const zone = (id: string, side: string): ZoneShape => zones.find((z) => z.id === id && z.side === side)!;

  beforeAll(async () => {
    const bytes = await fixture('faces/london-001-neutral.jpg');
    image = await decodePhoto(bytes);
    const landmarker = await FaceLandmarker.load();
    const [face] = await landmarker.detect(image);
    const landmarks = face!.landmarks;
    ipd = interPupilDistance(landmarks);
    zones = zoneShapes(landmarks, image);
    base = measure(image);
    const reencoded = measure(await decodePhoto(await raw(image).jpeg({ quality: 90 }).toBuffer()));
    noise = new Map(
      [...base].map(([k, r]) => {
        const other = reencoded.get(k)!.indicators;
        return [k, Object.fromEntries(Object.entries(r.indicators).map(([name, v]) => [name, Math.abs((other[name as Indicator] ?? NaN) - v)]))];
      }),
    );
  }, 120_000);

  /** Every zone but the edited one (and those listed) stays within 3× its JPEG noise, plus 2 % of its value. */
  function othersWithinNoise(after: Map<string, ZoneSkin>, edited: string[]): string[] {
    const moved: string[] = [];
    for (const [k, r] of base) {
      if (edited.includes(k)) continue;
      for (const [name, v] of Object.entries(r.indicators) as [Indicator, number][]) {
        const delta = Math.abs((after.get(k)?.indicators[name] ?? NaN) - v);
        const allowed = 3 * (noise.get(k)?.[name] ?? 0) + 0.02 * Math.abs(v) + 1e-3;
        if (!(delta <= allowed)) moved.push(`${k}.${name}: ${v.toFixed(3)} → ${after.get(k)?.indicators[name]?.toFixed(3)} (noise ${noise.get(k)?.[name]?.toFixed(3)})`);
      }
    }
    return moved;
  }

  it('gives every zone finite indicators, a shadow only for hollows, and the same figures at half the resolution', async () => {
    expect(base.size).toBe(zones.length);
    for (const [k, r] of base) {
      for (const v of Object.values(r.indicators)) expect(Number.isFinite(v), k).toBe(true);
      expect(r.indicators.shadow === undefined, k).toBe(!['tear_trough', 'nasolabial', 'marionette', 'temple'].includes(r.zone.id));
    }
    // Scale normalisation: the same photo at half size gives close figures (inter-pupil distance halves too).
    const half = await decodePhoto(await raw(image).resize(Math.round(image.width / 2)).png().toBuffer());
    const f = half.width / image.width;
    const halfZones = zones.map((z) => ({ ...z, polygon: z.polygon.map(([x, y]) => [x * f, y * f] as [number, number]) }));
    const small = new Map(zoneIndicators(half, halfZones, ipd * f).map((r) => [key(r.zone), r]));
    for (const id of ['cheek/right', 'cheek/left', 'forehead/centre', 'nasolabial/right']) {
      const a = base.get(id)!.indicators, b = small.get(id)!.indicators;
      console.log(`half resolution ${id}: lines ${a.lines?.toFixed(2)} → ${b.lines?.toFixed(2)}, redness ${a.redness?.toFixed(2)} → ${b.redness?.toFixed(2)}`);
      expect(Math.abs(b.redness! - a.redness!)).toBeLessThan(0.5);
      expect(b.lines! / a.lines!).toBeGreaterThan(0.5);
      expect(b.lines! / a.lines!).toBeLessThan(1.5);
    }
  });

  it('smoothing the glabella lowers its line score and leaves the other zones within noise', async () => {
    const glabella = zone('glabella', 'centre');
    const after = measure(await smooth(image, glabella, ipd));
    const [before, now] = [base.get('glabella/centre')!.indicators.lines!, after.get('glabella/centre')!.indicators.lines!];
    console.log(`glabella smoothed: lines ${before.toFixed(3)} → ${now.toFixed(3)} (JPEG noise ${noise.get('glabella/centre')!.lines!.toFixed(3)})`);
    expect(now).toBeLessThan(before * 0.8);
    expect(othersWithinNoise(after, ['glabella/centre'])).toEqual([]);
  });

  it('smoothing the right crow’s feet lowers its line score and leaves the other zones within noise', async () => {
    const crow = zone('crows_feet', 'right');
    const after = measure(await smooth(image, crow, ipd));
    const [before, now] = [base.get('crows_feet/right')!.indicators.lines!, after.get('crows_feet/right')!.indicators.lines!];
    console.log(`right crow's feet smoothed: lines ${before.toFixed(3)} → ${now.toFixed(3)}`);
    expect(now).toBeLessThan(before * 0.8);
    expect(othersWithinNoise(after, ['crows_feet/right'])).toEqual([]);
  });

  it('fine dark lines raise the line score of the glabella (vertical) and of the crow’s feet (fanning out)', async () => {
    const glabella = zone('glabella', 'centre');
    const spacing = (6 * ipd) / CANON_IPD;
    const vertical = await drawLines(image, glabella, [1.5, 1.62, 1.52, 1.64], spacing * 2);
    const g = measure(vertical);
    const crow = zone('crows_feet', 'left');
    // Crow's feet fan out from the lateral canthus: roughly horizontal, spreading ±25°.
    const fan = await drawLines(image, crow, [-0.45, -0.15, 0.15, 0.45], spacing * 1.5);
    const c = measure(fan);
    const lines = (m: Map<string, ZoneSkin>, k: string): number => m.get(k)!.indicators.lines!;
    console.log(`lines drawn: glabella ${lines(base, 'glabella/centre').toFixed(3)} → ${lines(g, 'glabella/centre').toFixed(3)}; left crow's feet ${lines(base, 'crows_feet/left').toFixed(3)} → ${lines(c, 'crows_feet/left').toFixed(3)}`);
    expect(lines(g, 'glabella/centre')).toBeGreaterThan(lines(base, 'glabella/centre') + 10 * noise.get('glabella/centre')!.lines!);
    expect(lines(c, 'crows_feet/left')).toBeGreaterThan(lines(base, 'crows_feet/left') + 10 * noise.get('crows_feet/left')!.lines!);
    expect(othersWithinNoise(g, ['glabella/centre'])).toEqual([]);
    expect(othersWithinNoise(c, ['crows_feet/left'])).toEqual([]);
  });

  it('a soft dark patch in the tear trough raises its shadow score, and the other zones stay within noise', async () => {
    const trough = zone('tear_trough', 'right');
    const after = measure(await darken(image, trough, ipd));
    const [before, now] = [base.get('tear_trough/right')!.indicators.shadow!, after.get('tear_trough/right')!.indicators.shadow!];
    console.log(`right tear trough darkened: shadow ${before.toFixed(3)} → ${now.toFixed(3)} (JPEG noise ${noise.get('tear_trough/right')!.shadow!.toFixed(4)})`);
    expect(now).toBeGreaterThan(before + 0.1);
    expect(othersWithinNoise(after, ['tear_trough/right'])).toEqual([]);
  });

  it('zoneFindings labels each calibrated zone with a 0–4 estimate, its scale, view and expression', () => {
    const findings = zoneFindings(image, zones, ipd, 'frontal', 'rest', severityEstimator());
    expect(findings).toHaveLength(zones.length);
    const glabella = findings.find((f) => f.id === 'glabella')!;
    expect(glabella.scale).toBe('Glabellar lines, AI photo estimate, 0–4');
    expect(glabella.severity).toBeGreaterThanOrEqual(0);
    expect(glabella.severity).toBeLessThanOrEqual(4);
    expect(glabella.confidence).toBeGreaterThan(0);
    expect(glabella).toMatchObject({ view: 'frontal', expression: 'rest' });
    expect(findings.find((f) => f.id === 'nose')).toMatchObject({ severity: null, scale: null });
    const nlf = findings.find((f) => f.id === 'nasolabial')!;
    expect(nlf.scale).toMatch(/Nasolabial folds/);
    // The same photo declared dynamic: same estimate, less confidence (the table was set at rest).
    const dynamic = zoneFindings(image, zones, ipd, 'frontal', 'dynamic', severityEstimator()).find((f) => f.id === 'glabella')!;
    expect(dynamic.severity).toBe(glabella.severity);
    expect(dynamic.confidence).toBeLessThan(glabella.confidence);
  });
});
