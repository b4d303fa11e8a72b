/**
 * Pixel rulers for checking simulations independently of the face-mesh model: how far an edge moved along a
 * short profile line, found in the pixels themselves. Contour's landmark model barely follows small local changes
 * (its points are whole pixels and its outline and lip points are pulled towards the mean face shape:
 * docs/validation.md, "Outcome simulation"), so the closed-loop tests measure the rendered change both ways:
 * with the landmarks found again in the exported image, and with these rulers on profiles placed by the
 * ORIGINAL photo's landmarks (the same line in both images, so the edge's shift along it is the change).
 *
 * The edges, each by its lightness (L*): the vermilion borders and the chin's lower outline at the midline, and the
 * face outline at the zygion (cheek) and gonion (jaw) along the inter-pupil direction. The lips' redness fades over
 * 2–3 mm at their borders, and a ramp that shallow, stretched by the fuller lip, aligned at 0.6–0.75 of the lower
 * lip's shift and at 1.1–1.4 of the upper's on eight of 93 London portraits; lightness (the shadow under the lower
 * lip, the white roll above the upper) marks both sharply (docs/validation.md, "Outcome simulation").
 */
import type { Point3 } from '@contour/domain';
import type { RgbImage } from '../face-result.js';
import { lightnessAt } from './color.js';
import { frameOf, type Frame } from './geometry.js';
import type { Point2 } from './raster.js';

/** Samples per mm along a profile. */
const PER_MM = 8;

/**
 * L* along the frame line from `start` in direction `dir` (a frame unit vector) over `lengthMm`, each sample
 * averaged across ±`halfWidthMm` perpendicular to the line.
 */
function profile(image: RgbImage, frame: Frame, start: Point2, dir: Point2, lengthMm: number, halfWidthMm: number, mmPerPx: number): Float64Array {
  const n = Math.round(lengthMm * PER_MM) + 1;
  const L = new Float64Array(n);
  const across: Point2 = [-dir[1], dir[0]];
  const widths = Math.max(1, Math.round((2 * halfWidthMm) / (mmPerPx * 0.5)));
  for (let k = 0; k < n; k++) {
    const t = k / PER_MM / mmPerPx;
    let sl = 0;
    for (let j = 0; j < widths; j++) {
      const u = ((j + 0.5) / widths - 0.5) * 2 * (halfWidthMm / mmPerPx);
      const p = frame.toImage([start[0] + dir[0] * t + across[0] * u, start[1] + dir[1] * t + across[1] * u]);
      sl += lightnessAt(image, p[0], p[1]);
    }
    L[k] = sl / widths;
  }
  return L;
}

/** The edges the rulers follow: the landmark on the edge and which way "more" is. */
const EDGES = {
  upper_vermilion: { index: 0, dir: [0, -1], halfWindowMm: 2, maxShiftMm: 3 },
  lower_vermilion: { index: 17, dir: [0, 1], halfWindowMm: 2, maxShiftMm: 3 },
  chin: { index: 152, dir: [0, 1], halfWindowMm: 3, maxShiftMm: 5 },
  cheek_right: { index: 234, dir: [-1, 0], halfWindowMm: 3, maxShiftMm: 5 },
  cheek_left: { index: 454, dir: [1, 0], halfWindowMm: 3, maxShiftMm: 5 },
  jaw_right: { index: 172, dir: [-1, 0], halfWindowMm: 3, maxShiftMm: 5 },
  jaw_left: { index: 397, dir: [1, 0], halfWindowMm: 3, maxShiftMm: 5 },
} as const satisfies Record<string, { index: number; dir: readonly [number, number]; halfWindowMm: number; maxShiftMm: number }>;

export type RulerEdge = keyof typeof EDGES;

/** The edge a simulation measurement's change shows at. */
export function rulerEdgeFor(measurementId: string, side: 'right' | 'left' | 'centre'): RulerEdge | null {
  switch (measurementId) {
    case 'upper_vermilion_height':
      return 'upper_vermilion';
    case 'lower_vermilion_height':
      return 'lower_vermilion';
    case 'lower_face_height':
      return 'chin';
    case 'cheek_contour':
      return side === 'left' ? 'cheek_left' : side === 'right' ? 'cheek_right' : null;
    case 'jaw_contour':
      return side === 'left' ? 'jaw_left' : side === 'right' ? 'jaw_right' : null;
    default:
      return null;
  }
}

/** Profile half-length (mm): the window plus the largest shift searched. */
const RANGE_MM = 9;

/**
 * How far (mm) the edge at `edge` moved from `before` to `after`, outwards ("more": a higher lip, a longer chin,
 * a wider outline) positive. Both profiles are sampled on the same line, placed by `landmarks` (the original
 * photo's), 2 mm wide; the shift is the one that best aligns the after-profile with the before-profile over a
 * window around the landmark (zero-mean normalised cross-correlation, so a brighter or crisper edge still
 * aligns), refined to a fraction of a sample. NaN when the window shows no structure to align.
 */
export function edgeShiftMm(before: RgbImage, after: RgbImage, landmarks: readonly Point3[], edge: RulerEdge, mmPerPx: number): number {
  const { index, dir, halfWindowMm, maxShiftMm } = EDGES[edge];
  const frame = frameOf(landmarks);
  const p = frame.at(index);
  const u: Point2 = [dir[0], dir[1]];
  const start: Point2 = [p[0] - (u[0] * RANGE_MM) / mmPerPx, p[1] - (u[1] * RANGE_MM) / mmPerPx];
  const a = profile(before, frame, start, u, 2 * RANGE_MM, 1, mmPerPx);
  const b = profile(after, frame, start, u, 2 * RANGE_MM, 1, mmPerPx);
  const centre = Math.round(RANGE_MM * PER_MM);
  const half = Math.round(halfWindowMm * PER_MM);
  const ref: number[] = [];
  for (let k = centre - half; k <= centre + half; k++) ref.push(a[k] as number);
  const mean = ref.reduce((s, v) => s + v, 0) / ref.length;
  const refZ = ref.map((v) => v - mean);
  const refNorm = Math.sqrt(refZ.reduce((s, v) => s + v * v, 0));
  if (!(refNorm > 1e-6 * ref.length) || refNorm < 0.5) return NaN;
  const score = (shift: number): number => {
    const seg: number[] = [];
    for (let k = centre - half; k <= centre + half; k++) seg.push(b[k + shift] as number);
    const m = seg.reduce((s, v) => s + v, 0) / seg.length;
    let dot = 0, norm = 0;
    seg.forEach((v, j) => {
      dot += (v - m) * (refZ[j] as number);
      norm += (v - m) ** 2;
    });
    return norm > 0 ? dot / (Math.sqrt(norm) * refNorm) : -1;
  };
  // The search reaches beyond any change a clinician's default maximum allows (2–2.5 mm lips, 4–5 mm outlines).
  const maxShift = Math.round(maxShiftMm * PER_MM);
  let best = 0, bestScore = -Infinity;
  for (let s = -maxShift; s <= maxShift; s++) {
    const v = score(s);
    if (v > bestScore) {
      bestScore = v;
      best = s;
    }
  }
  if (bestScore < 0.85) return NaN;
  const y0 = score(best - 1), y2 = score(best + 1);
  const d = y0 - 2 * bestScore + y2;
  return (best + (d < 0 ? (0.5 * (y0 - y2)) / d : 0)) / PER_MM;
}
