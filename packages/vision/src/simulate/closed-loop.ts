/**
 * Closed-loop checks of a simulation against its source photo: what the tests and the validation figures use
 * to measure an exported JPEG the way any photo is measured (decoded, Contour's own landmarks found again),
 * plus the pixel checks of "outside the treated zones the image is untouched" and "no visible seams".
 */
import { MESH, simulationMeasurePx, type DoseItem, type IntendedChange, type Point3, type ZoneId, type ZoneLimit } from '@contour/domain';
import sharp from 'sharp';
import type { FaceFinder } from '../analyze.js';
import type { RgbImage } from '../face-result.js';
import { measureFace, unclearPoints, type MeasuredFace } from '../measured-face.js';
import { edgeShiftMm, rulerEdgeFor } from './rulers.js';
import type { SimulationResult } from './simulate.js';

/** The closed loop's London portraits (every 12th neutral one: men and women, light to dark skin, with and without hair over the outline). */
export const CLOSED_LOOP_PORTRAITS = ['001', '013', '027', '042', '070', '099', '115', '128', '141'];

/** The measurement a shape change targets (its `measurementId`, on its side), in mm, on `points` (Contour's `measuredOn`); NaN for a change without one. */
export function targetedMm(points: readonly Point3[], change: Pick<IntendedChange, 'measurementId' | 'side'>, mmPerPx: number): number {
  if (!change.measurementId) return NaN;
  return simulationMeasurePx(points, change.measurementId, change.side === 'centre' ? undefined : change.side) * mmPerPx;
}

/**
 * The points found in the pixels a targeted measurement is read on (lip-borders.ts, outline-edges.ts; the lips'
 * meeting line as 13): where one is not clearly seen in a photo or its simulation (`clearIn`), the reading may be the
 * edge's, not the change's.
 */
export function edgesOf(change: Pick<IntendedChange, 'measurementId' | 'side'>): number[] {
  const side = (right: number, left: number): number[] => [change.side === 'left' ? left : right];
  switch (change.measurementId) {
    case 'upper_vermilion_height':
      return [MESH.upperLipTop, MESH.stomion];
    case 'lower_vermilion_height':
      return [MESH.stomion, MESH.lowerLipBottom];
    case 'lower_face_height':
      return [MESH.chin];
    case 'cheek_contour':
      return side(MESH.rightFaceEdge, MESH.leftFaceEdge);
    case 'jaw_contour':
      return side(MESH.rightJawAngle, MESH.leftJawAngle);
    default:
      return [];
  }
}

/** Whether each of `points` is clearly seen in `face` (`unclearPoints`). */
export function clearIn(face: Pick<MeasuredFace, 'lips' | 'outline'>, points: readonly number[]): boolean {
  const unclear = unclearPoints(face);
  return points.every((i) => !unclear.has(i));
}

/** A full-face plan used by the tests and the benchmark: toxin for the upper face, filler for lips to jaw, a skin booster. */
export const FULL_FACE_PLAN: DoseItem[] = [
  { zoneId: 'glabella', treatmentClass: 'neuromodulator', amount: 20, unit: 'U' },
  { zoneId: 'forehead', treatmentClass: 'neuromodulator', amount: 20, unit: 'U' },
  { zoneId: 'crows_feet', treatmentClass: 'neuromodulator', amount: 24, unit: 'U' },
  { zoneId: 'upper_lip', treatmentClass: 'ha_filler', amount: 1, unit: 'mL' },
  { zoneId: 'lower_lip', treatmentClass: 'ha_filler', amount: 1, unit: 'mL' },
  { zoneId: 'cheek', treatmentClass: 'ha_filler', amount: 2, unit: 'mL' },
  { zoneId: 'chin', treatmentClass: 'ha_filler', amount: 1, unit: 'mL' },
  { zoneId: 'jawline', treatmentClass: 'ha_filler', amount: 2, unit: 'mL' },
  { zoneId: 'tear_trough', treatmentClass: 'ha_filler', amount: 1, unit: 'mL' },
  { zoneId: 'nasolabial', treatmentClass: 'ha_filler', amount: 2, unit: 'mL' },
  { zoneId: 'marionette', treatmentClass: 'ha_filler', amount: 1, unit: 'mL' },
  { zoneId: 'cheek', treatmentClass: 'skin_booster', amount: 2, unit: 'mL' },
];

/** The plan's shape items (filler for lips, cheeks, chin and jaw). */
export const SHAPE_PLAN: DoseItem[] = FULL_FACE_PLAN.filter((i) => i.treatmentClass === 'ha_filler' && ['upper_lip', 'lower_lip', 'cheek', 'chin', 'jawline'].includes(i.zoneId));

/** Clinician maxima that switch the edge and skin edits off (ratio 0), leaving only the shape. */
export const SHAPE_ONLY: Partial<Record<ZoneId, ZoneLimit>> = { upper_lip: { ratio: 0 }, lower_lip: { ratio: 0 }, jawline: { ratio: 0 }, cheek: { ratio: 0 } };

/** Every mm change a pixel ruler can follow: promised vs moved in the exported pixels. */
export async function rulerReadings(result: SimulationResult, original: RgbImage): Promise<{ id: string; promised: number; measured: number }[]> {
  const simulated = await decodeSimulatedPhoto(result.jpeg, result.photo.height);
  return result.changes.flatMap((c) => {
    const edge = c.kind === 'mm' && c.measurementId ? rulerEdgeFor(c.measurementId, c.side) : null;
    return edge ? [{ id: edge, promised: c.amount, measured: edgeShiftMm(original, simulated, result.measuredOn, edge, result.parameters.mmPerPx) }] : [];
  });
}

/** The largest weight of the masks whose name passes `keep`, per photo pixel (as `treated`, for a subset). */
export function maskWeights(result: SimulationResult, keep: (name: string) => boolean): Float32Array {
  const out = new Float32Array(result.photo.width * result.photo.height);
  for (const m of result.masks.filter((x) => keep(x.name))) {
    for (let row = 0; row < m.rect.height; row++) {
      for (let col = 0; col < m.rect.width; col++) {
        const o = (m.rect.y + row) * result.photo.width + m.rect.x + col;
        out[o] = Math.max(out[o] as number, m.weights[row * m.rect.width + col] as number);
      }
    }
  }
  return out;
}

/** The photo part of an exported simulation (the label band below it cut off), decoded. */
export async function decodeSimulatedPhoto(jpeg: Buffer, photoHeight: number): Promise<RgbImage> {
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: photoHeight, data: new Uint8Array(data.buffer, data.byteOffset, info.width * photoHeight * 3) };
}

/** Contour's own landmarks of the one face in `image` (measured-face.ts), as the analysis finds them. */
export async function foundAgain(image: RgbImage, finder: FaceFinder): Promise<MeasuredFace> {
  const face = await measureFace(image, finder);
  if (!face) throw new Error('no single face found for the closed loop');
  return face;
}

/** Mean absolute difference (grey levels, over R, G, B) of the pixels no treated window reaches. */
export function outsideMad(original: RgbImage, simulated: RgbImage, treated: Float32Array): number {
  let sum = 0, n = 0;
  for (let p = 0; p < treated.length; p++) {
    if ((treated[p] as number) > 0) continue;
    for (let c = 0; c < 3; c++) sum += Math.abs((original.data[p * 3 + c] as number) - (simulated.data[p * 3 + c] as number));
    n += 3;
  }
  return n > 0 ? sum / n : NaN;
}

/** 100 · ln of each pixel's linear luminance: gradients of it are contrasts, unchanged when a region is evenly brightened. */
function logLuminance(image: RgbImage): Float32Array {
  const lin = (v: number): number => (v / 255 <= 0.04045 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
  const lut = Float32Array.from({ length: 256 }, (_, v) => lin(v));
  const out = new Float32Array(image.width * image.height);
  for (let p = 0; p < out.length; p++) {
    const y = 0.2126 * (lut[image.data[p * 3] as number] as number) + 0.7152 * (lut[image.data[p * 3 + 1] as number] as number) + 0.0722 * (lut[image.data[p * 3 + 2] as number] as number);
    out[p] = 100 * Math.log(Math.max(y, 0.005));
  }
  return out;
}

function sobelEnergy(plane: Float32Array, W: number, x: number, y: number): number {
  const i = y * W + x;
  const nw = plane[i - W - 1] as number, n = plane[i - W] as number, ne = plane[i - W + 1] as number;
  const w = plane[i - 1] as number, e = plane[i + 1] as number;
  const sw = plane[i + W - 1] as number, s = plane[i + W] as number, se = plane[i + W + 1] as number;
  const gx = ne + 2 * e + se - nw - 2 * w - sw;
  const gy = sw + 2 * s + se - nw - 2 * n - ne;
  return gx * gx + gy * gy;
}

export interface SeamRatios {
  /** Gradient energy of the simulation ÷ the original's, on the rim of the treated area (weight 0 next to weight > 0, ±2 px). */
  rim: number;
  /** The same across the middle of the feathered edges (weight 0.3–0.7), where a blend changes fastest. */
  feather: number;
  rimPixels: number;
  featherPixels: number;
}

/**
 * Seams show as gradient energy that was not there: the ratio is ≈ 1 with no seam, above 1 with one (an edit
 * that smooths skin lowers it inside the feather). Gradients of log luminance, so a region brightened evenly
 * (a lifted shadow) counts as no change, but the step at the edge of a badly blended one does.
 */
export function seamRatios(original: RgbImage, simulated: RgbImage, treated: Float32Array): SeamRatios {
  const W = original.width, H = original.height;
  const a = logLuminance(original), b = logLuminance(simulated);
  let rimA = 0, rimB = 0, rimN = 0, fA = 0, fB = 0, fN = 0;
  for (let y = 3; y < H - 3; y++) {
    for (let x = 3; x < W - 3; x++) {
      const p = y * W + x;
      const w = treated[p] as number;
      let rim = false;
      if (w < 0.05) {
        for (let dy = -2; dy <= 2 && !rim; dy++) for (let dx = -2; dx <= 2 && !rim; dx++) if ((treated[p + dy * W + dx] as number) > 0 !== w > 0) rim = true;
      }
      if (rim) {
        rimA += sobelEnergy(a, W, x, y);
        rimB += sobelEnergy(b, W, x, y);
        rimN++;
      }
      if (w >= 0.3 && w <= 0.7) {
        fA += sobelEnergy(a, W, x, y);
        fB += sobelEnergy(b, W, x, y);
        fN++;
      }
    }
  }
  return { rim: rimA > 0 ? rimB / rimA : NaN, feather: fA > 0 ? fB / fA : NaN, rimPixels: rimN, featherPixels: fN };
}

/** How far (mm) the landmarks that lie outside every treated window (in the original) moved between two sets. */
export function outsideLandmarkShift(before: readonly Point3[], after: readonly Point3[], treated: Float32Array, width: number, mmPerPx: number): { n: number; mean: number; p95: number; max: number } {
  const moves: number[] = [];
  before.forEach((p, i) => {
    const o = Math.round(p[1]) * width + Math.round(p[0]);
    if ((treated[o] ?? 1) > 0) return;
    const q = after[i] as Point3;
    moves.push(Math.hypot(q[0] - p[0], q[1] - p[1]) * mmPerPx);
  });
  moves.sort((a, b) => a - b);
  const n = moves.length;
  return { n, mean: n ? moves.reduce((a, b) => a + b, 0) / n : NaN, p95: n ? (moves[Math.min(n - 1, Math.floor(0.95 * n))] as number) : NaN, max: n ? (moves[n - 1] as number) : NaN };
}
