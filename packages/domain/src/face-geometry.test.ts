import { describe, expect, it } from 'vitest';
import { ZONE_IDS, type Measurement } from './face-analysis.js';
import { IRIS_DIAMETER_MM, NEEDS_PROFILE, faceGeometry, faceMeasurements, pixelScale } from './face-geometry.js';
import { MESH, MIDLINE, MIRROR_MAP, mirrorIndex, mirrorLandmarks, type Point3 } from './face-mesh.js';
import { zoneDeviationsPx } from './face-symmetry.js';

const W = 1000;
const frontal = { yaw: 0, pitch: 0, roll: 0 };

/** A deterministic pseudo-random face: midline points on x = cx, the rest placed on the right and mirrored, then jittered. */
function syntheticFace({ symmetric = true, seed = 7, roll = 0 } = {}): Point3[] {
  let s = seed;
  const rand = (): number => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const cx = 500;
  const points: Point3[] = Array.from({ length: 478 }, () => [0, 0, 0]);
  for (let i = 0; i < 478; i++) {
    const j = mirrorIndex(i);
    if (j === i) points[i] = [cx, 250 + 500 * rand(), 0];
    else if (i < j) {
      const p: Point3 = [cx - 20 - 200 * rand(), 250 + 500 * rand(), 0];
      points[i] = p;
      points[j] = [2 * cx - p[0], p[1], 0];
    }
  }
  // Pupils, irises (12 px across), and the anatomical points that measurements use, roughly in place.
  const put = (i: number, x: number, y: number): void => {
    points[i] = [cx - x, y, 0];
    points[mirrorIndex(i)] = [cx + x, y, 0];
  };
  put(MESH.rightIrisCentre, 100, 400);
  put(MESH.rightIrisMedial, 94, 400);
  put(MESH.rightIrisLateral, 106, 400);
  put(MESH.rightEyeOuter, 150, 398);
  put(MESH.rightEyeInner, 55, 402);
  put(MESH.rightEyeUpper, 100, 385);
  put(MESH.rightEyeLower, 100, 415);
  for (const [k, i] of [70, 63, 105, 66, 107].entries()) put(i, 150 - 25 * k, 340 - 5 * k);
  put(MESH.rightMouthCorner, 80, 640);
  put(MESH.rightAla, 60, 560);
  put(MESH.rightFaceEdge, 220, 470);
  put(MESH.rightJawAngle, 190, 680);
  points[MESH.subnasale] = [cx, 570, 0];
  points[MESH.upperLipTop] = [cx, 615, 0];
  points[MESH.stomion] = [cx, 635, 0];
  points[MESH.lowerLipInner] = [cx, 637, 0];
  points[MESH.lowerLipBottom] = [cx, 665, 0];
  points[MESH.chin] = [cx, 760, 0];
  if (!symmetric) for (const p of points) p[0] += 3 * (rand() - 0.5);
  if (!roll) return points;
  const [c, sn] = [Math.cos((roll * Math.PI) / 180), Math.sin((roll * Math.PI) / 180)];
  return points.map(([x, y, z]) => [cx + c * (x - cx) - sn * (y - 400), 400 + sn * (x - cx) + c * (y - 400), z]);
}

const byKey = (ms: Measurement[]): Map<string, number> => new Map(ms.map((m) => [`${m.id}/${m.side ?? ''}`, m.value]));
const swapSide = (key: string): string => key.replace(/\/right$/, '/LEFT').replace(/\/left$/, '/right').replace('/LEFT', '/left');

describe('mirror map', () => {
  it('is an involution over all 478 points, with the midline fixed and the named pairs paired', () => {
    expect(MIRROR_MAP).toHaveLength(478);
    MIRROR_MAP.forEach((j, i) => expect(MIRROR_MAP[j]).toBe(i));
    expect(MIDLINE).toEqual(expect.arrayContaining([0, 1, 2, 10, 13, 14, 17, 152, 168]));
    expect(MIDLINE).toHaveLength(28);
    const pairs = [[473, 468], [474, 469], [476, 471], [33, 263], [133, 362], [159, 386], [145, 374], [61, 291], [129, 358], [234, 454], [172, 397], [205, 425]];
    for (const [right, left] of pairs) expect(mirrorIndex(right!)).toBe(left);
  });
});

describe('px → mm scale from the iris', () => {
  it('is 11.7 mm over the mean horizontal iris diameter, ±5%, when the face is near-frontal', () => {
    const { scale, reason } = pixelScale(syntheticFace(), frontal);
    expect(reason).toBeNull();
    expect(scale?.mmPerPx).toBeCloseTo(IRIS_DIAMETER_MM / 12, 10);
    expect(scale?.irisDiameterPx).toEqual({ right: 12, left: 12 });
    expect(scale?.uncertainty).toBe(0.05);
  });

  it('is refused, with the reason, when the head is turned or tipped', () => {
    expect(pixelScale(syntheticFace(), { yaw: 9, pitch: 0, roll: 0 })).toMatchObject({ scale: null, reason: expect.stringMatching(/turned.*±8° yaw/) });
    expect(pixelScale(syntheticFace(), { yaw: 0, pitch: -13, roll: 0 }).scale).toBeNull();
    expect(pixelScale(syntheticFace(), { yaw: -8, pitch: 12, roll: 0 }).scale).not.toBeNull();
  });
});

describe('measurements', () => {
  it('measures the frontal figures, mm with their uncertainty, and never guesses the profile ones', () => {
    const { scale } = pixelScale(syntheticFace(), frontal);
    const { measurements, notMeasurable } = faceMeasurements(syntheticFace(), scale);
    const m = byKey(measurements);
    const mm = scale!.mmPerPx;
    // mm figures are rounded to 0.1 mm.
    const nearMm = (key: string, expected: number): void => expect(Math.abs((m.get(key) ?? NaN) - expected)).toBeLessThanOrEqual(0.0501);
    nearMm('interpupillary_distance/', 200 * mm);
    nearMm('mouth_width/', 160 * mm);
    expect(m.get('lower_face_proportion/')).toBeCloseTo(66 / 124, 3);
    expect(m.get('vermilion_ratio/')).toBeCloseTo(28 / 20, 3);
    expect(m.get('bigonial_to_bizygomatic/')).toBeCloseTo(380 / 440, 3);
    expect(m.get('canthal_tilt/right')).toBeCloseTo((Math.atan2(4, 95) * 180) / Math.PI, 1);
    nearMm('palpebral_fissure_height/left', 30 * mm);
    nearMm('brow_height/right', (400 - 330) * mm);
    for (const x of measurements.filter((x) => x.unit === 'mm')) expect(Math.abs(x.uncertainty! - x.value * 0.05)).toBeLessThanOrEqual(0.06);
    expect(notMeasurable.map((n) => n.id)).toEqual(['e_line_upper_lip', 'e_line_lower_lip', 'chin_projection', 'nasolabial_angle']);
    for (const n of notMeasurable) expect(n.reason).toBe(NEEDS_PROFILE);
  });

  it('without a scale keeps ratios and angles and lists every mm figure as not measurable', () => {
    const { measurements, notMeasurable } = faceMeasurements(syntheticFace(), null, 'the head is turned');
    expect(measurements.every((x) => x.unit !== 'mm')).toBe(true);
    expect(notMeasurable.find((n) => n.id === 'brow_height_left')?.reason).toMatch(/not measurable in mm: the head is turned/);
  });

  it('cancels head roll: a face rotated by 10° measures the same', () => {
    const level = byKey(faceMeasurements(syntheticFace(), pixelScale(syntheticFace(), frontal).scale).measurements);
    const tilted = byKey(faceMeasurements(syntheticFace({ roll: 10 }), pixelScale(syntheticFace({ roll: 10 }), frontal).scale).measurements);
    for (const [key, value] of level) expect(tilted.get(key)).toBeCloseTo(value, 1);
  });
});

describe('mirror consistency', () => {
  it('mirroring the landmark set swaps right and left exactly and leaves the rest unchanged', () => {
    for (const seed of [1, 2, 3]) {
      const face = syntheticFace({ symmetric: false, seed, roll: 3 });
      const a = faceGeometry(face, frontal, { width: W, height: W });
      const b = faceGeometry(mirrorLandmarks(face, W), frontal, { width: W, height: W });
      const [ma, mb] = [byKey(a.measurements), byKey(b.measurements)];
      expect(mb.size).toBe(ma.size);
      for (const [key, value] of ma) expect(mb.get(swapSide(key))).toBeCloseTo(value, 9);
      for (const zone of a.zones) {
        const side = zone.side === 'centre' ? 'centre' : zone.side === 'right' ? 'left' : 'right';
        const twin = b.zones.find((z) => z.id === zone.id && z.side === side)!;
        const mirrored = twin.polygon.map(([x, y]) => `${(W - x).toFixed(0)},${y.toFixed(0)}`).sort();
        expect(mirrored).toEqual(zone.polygon.map(([x, y]) => `${x.toFixed(0)},${y.toFixed(0)}`).sort());
      }
    }
  });
});

describe('symmetry', () => {
  it('is zero on a perfectly symmetric face and finds a brow raised on one side', () => {
    const face = syntheticFace();
    for (const value of Object.values(zoneDeviationsPx(face))) expect(value).toBeCloseTo(0, 9);
    for (const i of [70, 63, 105, 66, 107, 46, 53, 52, 65, 55]) (face[mirrorIndex(i)] as Point3)[1] -= 6;
    const deviations = zoneDeviationsPx(face);
    expect(deviations.brow).toBeCloseTo(6, 6);
    expect(deviations.eye).toBeCloseTo(0, 9);
  });

  it('is refused when the head is turned more than 5°', () => {
    const { measurements, notMeasurable } = faceGeometry(syntheticFace(), { yaw: 6, pitch: 0, roll: 0 }, { width: W, height: W });
    expect(measurements.filter((m) => m.id.startsWith('symmetry_'))).toEqual([]);
    expect(notMeasurable.filter((n) => n.id.startsWith('symmetry_'))).toHaveLength(5);
    expect(notMeasurable.find((n) => n.id === 'symmetry_jaw')?.reason).toMatch(/turn itself would read as asymmetry/);
  });
});

describe('figures on an edge not clearly seen', () => {
  it('are marked an estimate, with why, on every figure measured on that outline point and on no other', () => {
    const unclearEdges = new Map([
      [MESH.leftFaceEdge, 'the outline at the left cheekbone is not clearly seen'],
      [MESH.chin, "another edge about as clear lies beside the chin's lower edge"],
    ]);
    const { measurements } = faceGeometry(syntheticFace(), frontal, { width: W, height: W }, { unclearEdges });
    const marked = Object.fromEntries(measurements.filter((m) => m.unclearEdge).map((m) => [m.id, m.unclearEdge]));
    expect(marked).toEqual({
      lower_face_proportion: "another edge about as clear lies beside the chin's lower edge",
      bizygomatic_width: 'the outline at the left cheekbone is not clearly seen',
      bigonial_to_bizygomatic: 'the outline at the left cheekbone is not clearly seen',
      face_width_to_height: 'the outline at the left cheekbone is not clearly seen',
      symmetry_jaw: 'the outline at the left cheekbone is not clearly seen',
    });
    // The lips' edges: the upper border marks the upper lip's height and the ratio; the meeting line (as 13) every lip figure and the lower face.
    const lips = faceGeometry(syntheticFace(), frontal, { width: W, height: W }, { unclearEdges: new Map([[MESH.upperLipTop, 'upper'], [MESH.stomion, 'line']]) });
    expect(Object.fromEntries(lips.measurements.filter((m) => m.unclearEdge).map((m) => [m.id, m.unclearEdge]))).toEqual({
      upper_vermilion_height: 'upper; line',
      lower_vermilion_height: 'line',
      vermilion_ratio: 'upper; line',
      lower_face_proportion: 'line',
    });
    // Both jaw angles unclear: each said once, on the figures measured on them.
    const jaws = faceGeometry(syntheticFace(), frontal, { width: W, height: W }, { unclearEdges: new Map([[MESH.rightJawAngle, 'right'], [MESH.leftJawAngle, 'left']]) });
    expect(jaws.measurements.find((m) => m.id === 'bigonial_width')?.unclearEdge).toBe('right; left');
    expect(jaws.measurements.find((m) => m.id === 'bizygomatic_width')?.unclearEdge).toBeUndefined();
    // Without any, nothing is marked, and the figures are the same.
    const plain = faceGeometry(syntheticFace(), frontal, { width: W, height: W });
    expect(plain.measurements.some((m) => m.unclearEdge !== undefined)).toBe(false);
    expect(measurements.map(({ unclearEdge: _, ...m }) => m)).toEqual(plain.measurements);
  });
});

describe('zone map', () => {
  it('has every zone: centre zones once, the others on both sides, clipped to the image', () => {
    const zones = faceGeometry(syntheticFace(), frontal, { width: W, height: 700 }).zones;
    const centre = ['forehead', 'glabella', 'nose', 'upper_lip', 'lower_lip', 'chin', 'neck'];
    for (const id of ZONE_IDS) {
      const sides = zones.filter((z) => z.id === id).map((z) => z.side).sort();
      expect(sides).toEqual(centre.includes(id) ? ['centre'] : ['left', 'right']);
    }
    for (const z of zones) for (const [x, y] of z.polygon) expect(x >= 0 && x <= W && y >= 0 && y <= 700).toBe(true);
  });
});
