/**
 * The lips' outer vermilion borders at the midline, found in the pixels. The face-mesh model (without its
 * attention/refinement stage, which is not shipped offline) pulls the lip points towards the mean face: a lip
 * made 3.5 mm fuller moves its mesh border point by 0.6 mm (docs/validation.md, "Lip borders"). So the
 * borders are searched for in the image, straight up and down in the face frame (perpendicular to the
 * inter-pupil line) from the mesh points: the redness (CIE a*, less L* at the upper lip) of a ±1 mm band of
 * columns around the midline, median across the columns, smoothed; the strongest step into the lip (upper
 * border, going down) or out of it (lower border) within ±4 mm of the mesh point (nearer ones preferred, never
 * past the mouth's inner line), and the border at the step's skin-side foot (half its peak), to a fraction of a
 * pixel. The lower border, which competes with the shadow below it, is searched in five columns 1 mm apart and
 * fitted (`fitAcross`). A weak or ambiguous step keeps the mesh point. Deterministic and bounded: a few hundred samples per border.
 */
import { pixelScale } from '@contour/domain/face-geometry';
import { MESH, type Point3 } from '@contour/domain/face-mesh';
import { ACROSS_CLEAR, ACROSS_FIT_MM, ACROSS_MM, edgeAlong, fitAcross, type EdgeSearch, type FoundPoint, type LineEdge } from './edge-profile.js';
import type { RgbImage } from './face-result.js';
import { frameOf } from './simulate/geometry.js';

/** Point 0 (upper vermilion border) or 17 (lower), refined. */
export type LipBorder = FoundPoint;

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

/** The vermilion border: a rise of a* − w·L* going from the skin into the lip, placed at the step's skin-side foot. */
const lipSearch = (lightWeight: number): EdgeSearch => ({
  feature: (lab) => lab[1] - lightWeight * lab[0],
  sign: 1,
  bandMm: BAND_MM,
  smoothMm: SMOOTH_MM,
  clearStep: CLEAR_STEP,
  priorMm: PRIOR_MM,
  foot: FOOT,
});
const UPPER = lipSearch(LIGHT_UPPER);
const LOWER = lipSearch(LIGHT_LOWER);

/**
 * The upper (mesh point 0) and lower (17) vermilion borders at the midline, found in `image` near the mesh
 * points of `landmarks` (478 points, ideally steady: steady-landmarks.ts). `mmPerPx` defaults to the iris scale.
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
    // Searched from the skin into the lip: down from above the upper lip, up from below the lower one; y of the border.
    const at = (x: number): LineEdge | null => {
      const edge = sign > 0 ? edgeAlong(image, frame, [x, from], [0, 1], to - from, p[1] - from, UPPER, scale) : edgeAlong(image, frame, [x, to], [0, -1], to - from, to - p[1], LOWER, scale);
      return edge && { at: (x - p[0]) * scale, pos: sign > 0 ? from + edge.t : to - edge.t, confidence: edge.confidence };
    };
    let y: number, confidence: number, used: boolean;
    if (sign > 0) {
      const edge = at(p[0]);
      if (!edge) return none;
      ({ pos: y, confidence } = edge);
      used = confidence >= MIN_CONFIDENCE;
    } else {
      // The lower border competes with the shadow below it, and one column's choice flipped between a photo and its
      // mirror: five columns 1 mm apart, fitted, and used only where they agree.
      const fit = fitAcross(ACROSS_MM.map((dx) => at(p[0] + dx / scale)), MIN_CONFIDENCE, ACROSS_CLEAR, ACROSS_FIT_MM / scale);
      if (!Number.isFinite(fit.pos)) return { ...none, confidence: fit.confidence };
      ({ pos: y, confidence, used } = fit);
    }
    const found = frame.toImage([p[0], y]);
    return { index, mesh, found: used ? found : mesh, shiftMm: (sign > 0 ? p[1] - y : y - p[1]) * scale, confidence, used };
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
