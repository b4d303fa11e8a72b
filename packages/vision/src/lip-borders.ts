/**
 * The lips' outer vermilion borders at the midline, found in the pixels. The face-mesh model (without its
 * attention/refinement stage, which is not shipped offline) pulls the lip points towards the mean face: a lip
 * made 3.5 mm fuller moves its mesh border point by 0.6 mm (docs/validation.md, "Lip borders"). So the
 * borders are searched for in the image, straight up and down in the face frame (perpendicular to the
 * inter-pupil line) from the mesh points: the redness (CIE a*, less L* at the upper lip) of a ±1 mm band of
 * columns around the midline, median across the columns, smoothed; the strongest step into the lip (upper
 * border, going down) or out of it (lower border) within ±4 mm of the mesh point (nearer ones preferred, never
 * past the mouth's inner line), and the border at the step's skin-side foot (half its peak), to a fraction of a
 * pixel. A weak or ambiguous step keeps the mesh point. Deterministic and bounded: a few hundred samples per border.
 */
import { pixelScale } from '@contour/domain/face-geometry';
import { MESH, type Point3 } from '@contour/domain/face-mesh';
import type { RgbImage } from './face-result.js';
import { SRGB_TO_LINEAR, linearToLab } from './simulate/color.js';
import { frameOf, type Frame } from './simulate/geometry.js';
import type { Point2 } from './simulate/raster.js';

export interface LipBorder {
  /** The mesh point refined: 0 (upper vermilion border) or 17 (lower vermilion border). */
  index: number;
  /** The mesh point and the border found, in image pixels. */
  mesh: Point2;
  found: Point2;
  /** How far the border is from the mesh point (mm, outwards from the mouth positive). */
  shiftMm: number;
  /** 0–1: the step's size (relative to a clear border's) times how much it stands out from the next best. */
  confidence: number;
  /** Whether `found` replaced the mesh point (confidence at least MIN_CONFIDENCE). */
  used: boolean;
}

export interface LipBorders {
  upper: LipBorder;
  lower: LipBorder;
  mmPerPx: number;
}

/** Search reach from the mesh point, each way (mm). */
export const SEARCH_MM = 4;
/** Below this the mesh point is kept. */
export const MIN_CONFIDENCE = 0.15;
/** Half-width of the band of columns around the midline (mm): inside the cupid's bow dip. */
const BAND_MM = 1;
/** Samples per pixel along the profile. */
const PER_PX = 4;
/** Gaussian smoothing along the profile (mm). */
const SMOOTH_MM = 0.35;
/** A step this size (feature units over the derivative's ±0.5 mm) counts as a clear border. */
const CLEAR_STEP = 6;
/** Never closer than this to the lips' inner edge (mm). */
const INNER_MARGIN_MM = 0.8;
/** Preference for edges near the mesh point (Gaussian, mm). */
const PRIOR_MM = 2;
/** Fraction of the step's peak at which its skin-side foot is taken. */
const FOOT = 0.5;
/**
 * The feature is a* − w·L*: at the upper border the pale white roll gives way to darker red lip, so light helps
 * (w = 1); below the lower lip the labiomental shadow darkens the skin, so there redness alone (w = 0). Chosen on
 * the London templates (docs/validation.md, "Lip borders").
 */
const LIGHT_UPPER = 1;
const LIGHT_LOWER = 0;

function redness(image: RgbImage, x: number, y: number, lightWeight: number): number {
  const ix = Math.max(0, Math.min(image.width - 2, Math.floor(x))), iy = Math.max(0, Math.min(image.height - 2, Math.floor(y)));
  const fx = Math.min(1, Math.max(0, x - ix)), fy = Math.min(1, Math.max(0, y - iy));
  const rgb: [number, number, number] = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    const at = (xx: number, yy: number): number => SRGB_TO_LINEAR[image.data[(yy * image.width + xx) * 3 + c] as number] as number;
    rgb[c] = (at(ix, iy) * (1 - fx) + at(ix + 1, iy) * fx) * (1 - fy) + (at(ix, iy + 1) * (1 - fx) + at(ix + 1, iy + 1) * fx) * fy;
  }
  const [L, a] = linearToLab(rgb[0], rgb[1], rgb[2]);
  return a - lightWeight * L;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/**
 * The border along the frame's vertical through `centre` (frame px) between frame heights `from` and `to`
 * (from < to); `sign` +1 for a rise in a* going down (skin → lip), −1 for a fall (lip → skin).
 */
function borderAlong(image: RgbImage, frame: Frame, centre: Point2, from: number, to: number, sign: 1 | -1, mmPerPx: number): { y: number; confidence: number } | null {
  const n = Math.floor((to - from) * PER_PX) + 1;
  if (n < 8) return null;
  const half = Math.max(1, Math.round(BAND_MM / mmPerPx));
  const a = new Float64Array(n);
  const column: number[] = [];
  for (let k = 0; k < n; k++) {
    column.length = 0;
    for (let j = -half; j <= half; j++) {
      const p = frame.toImage([centre[0] + j, from + k / PER_PX]);
      column.push(redness(image, p[0], p[1], sign > 0 ? LIGHT_UPPER : LIGHT_LOWER));
    }
    a[k] = median(column);
  }
  // Gaussian smoothing, then the difference over ±0.5 mm.
  const sigma = (SMOOTH_MM / mmPerPx) * PER_PX;
  const r = Math.ceil(2.5 * sigma);
  const smooth = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let s = 0, w = 0;
    for (let d = -r; d <= r; d++) {
      const v = a[Math.max(0, Math.min(n - 1, k + d))] as number;
      const g = Math.exp((-0.5 * d * d) / (sigma * sigma));
      s += v * g;
      w += g;
    }
    smooth[k] = s / w;
  }
  const h = Math.max(1, Math.round((0.5 / mmPerPx) * PER_PX));
  const grad = new Float64Array(n);
  for (let k = h; k < n - h; k++) grad[k] = sign * ((smooth[k + h] as number) - (smooth[k - h] as number));
  // Local maxima of the signed step, weighted towards the mesh point; the best, and the best elsewhere (≥ 1 mm away).
  const prior = (k: number): number => Math.exp(-0.5 * (((from + k / PER_PX - centre[1]) * mmPerPx) / PRIOR_MM) ** 2);
  const isPeak = (k: number): boolean => (grad[k] as number) > 0 && (grad[k] as number) >= (grad[k - 1] as number) && (grad[k] as number) >= (grad[k + 1] as number);
  let best = -1;
  for (let k = h + 1; k < n - h - 1; k++) if (isPeak(k) && (best < 0 || (grad[k] as number) * prior(k) > (grad[best] as number) * prior(best))) best = k;
  if (best < 0) return null;
  const peak = grad[best] as number;
  const apart = (1 / mmPerPx) * PER_PX;
  let second = 0;
  for (let k = h + 1; k < n - h - 1; k++) if (Math.abs(k - best) >= apart && isPeak(k)) second = Math.max(second, ((grad[k] as number) * prior(k)) / prior(best));
  // The border is where the lip's colour begins: the foot of the step on the skin side (where the rise has
  // fallen to FOOT of its peak), interpolated between samples.
  const out = sign > 0 ? -1 : 1;
  let k = best;
  while (k + out > 0 && k + out < n - 1 && (grad[k + out] as number) > FOOT * peak && Math.abs(k + out - best) < apart * 2) k += out;
  const g0 = grad[k] as number, g1 = grad[k + out] as number;
  const frac = g0 > g1 ? Math.max(0, Math.min(1, (g0 - FOOT * peak) / (g0 - g1))) : 0;
  const strength = Math.min(1, peak / CLEAR_STEP);
  const distinct = 1 - second / peak;
  return { y: from + (k + out * frac) / PER_PX, confidence: strength * Math.min(1, 2 * distinct) };
}

/**
 * The upper (mesh point 0) and lower (17) vermilion borders at the midline, found in `image` near the mesh
 * points of `landmarks` (478 points, ideally flip-averaged). `mmPerPx` defaults to the iris scale.
 */
export function findLipBorders(image: RgbImage, landmarks: readonly Point3[], mmPerPx?: number): LipBorders {
  const scale = mmPerPx ?? pixelScale(landmarks, { yaw: 0, pitch: 0, roll: 0 }).scale?.mmPerPx ?? NaN;
  const frame = frameOf(landmarks);
  const reach = SEARCH_MM / scale;
  const margin = INNER_MARGIN_MM / scale;
  const inner = (frame.at(MESH.stomion)[1] + frame.at(MESH.lowerLipInner)[1]) / 2;
  const border = (index: number, sign: 1 | -1): LipBorder => {
    const p = frame.at(index);
    const mesh = frame.image(index);
    const none: LipBorder = { index, mesh, found: mesh, shiftMm: 0, confidence: 0, used: false };
    if (!Number.isFinite(scale)) return none;
    // The upper border lies above the mouth's inner line, the lower one below it.
    const [from, to] = sign > 0 ? [p[1] - reach, Math.min(p[1] + reach, frame.at(MESH.stomion)[1] - margin, inner - margin)] : [Math.max(p[1] - reach, frame.at(MESH.lowerLipInner)[1] + margin, inner + margin), p[1] + reach];
    const edge = borderAlong(image, frame, p, from, to, sign, scale);
    if (!edge) return none;
    const found = frame.toImage([p[0], edge.y]);
    const used = edge.confidence >= MIN_CONFIDENCE;
    return { index, mesh, found: used ? found : mesh, shiftMm: (sign > 0 ? p[1] - edge.y : edge.y - p[1]) * scale, confidence: edge.confidence, used };
  };
  return { upper: border(MESH.upperLipTop, 1), lower: border(MESH.lowerLipBottom, -1), mmPerPx: scale };
}

/** `landmarks` with points 0 and 17 moved to the vermilion borders found in the pixels (where found clearly). */
export function refineLipLandmarks(
  image: RgbImage,
  landmarks: readonly Point3[],
  mmPerPx?: number,
  which: readonly ('upper' | 'lower')[] = ['upper'],
): { landmarks: Point3[]; borders: LipBorders } {
  const borders = findLipBorders(image, landmarks, mmPerPx);
  const out = landmarks.map((p) => [...p] as Point3);
  for (const b of which.map((w) => borders[w])) {
    if (!b.used) continue;
    const z = (out[b.index] as Point3)[2];
    out[b.index] = [b.found[0], b.found[1], z];
  }
  return { landmarks: out, borders };
}
