/**
 * An edge found in the pixels along a short line across it: the one search the lip borders and the face
 * outline share. The face-mesh model (without its attention stage, not shipped offline) pulls outline and lip
 * points towards the mean face, so where a measurement needs an edge's true place, Contour looks for the edge
 * itself near the mesh point.
 *
 * Along the line (in the face frame), every sample is the median of a feature across a band perpendicular to
 * it, the profile is smoothed, and its difference over ±0.5 mm gives the step. The edge is the strongest step
 * of the expected sign, weighted towards the mesh point; either at the step's steepest point or (`foot`) where
 * it has fallen to that fraction of its peak on the outer side. Its confidence is the step's size relative to a
 * clear edge's times how much it stands out from the next best one at least 1 mm away. Deterministic and
 * bounded: a few hundred samples per edge.
 */
import type { RgbImage } from './face-result.js';
import { median } from './pixels.js';
import { labAt } from './simulate/color.js';
import type { Frame } from './simulate/geometry.js';
import type { Point2 } from './simulate/raster.js';

export interface EdgeSearch {
  /** The feature whose step marks the edge, from L*, a*, b*. */
  feature: (lab: [number, number, number]) => number;
  /** +1: the feature rises going along the line; −1: it falls. */
  sign: 1 | -1;
  /** Half-width of the band across the line (mm). */
  bandMm: number;
  /** Gaussian smoothing along the line (mm). */
  smoothMm: number;
  /** A step this size (feature units over ±0.5 mm) counts as a clear edge. */
  clearStep: number;
  /** Preference for steps near the line's `prior` point (Gaussian, mm). */
  priorMm: number;
  /** Where on the step the edge is placed: the steepest point (null) or the foot at this fraction of the peak, before it. */
  foot: number | null;
}

/** A mesh point checked against the edge found near it (lip borders, face outline). */
export interface FoundPoint {
  /** The mesh point refined. */
  index: number;
  /** The mesh point and the edge found, in image pixels. */
  mesh: Point2;
  found: Point2;
  /** How far the edge is from the mesh point (mm, outwards positive), also when it was not used. */
  shiftMm: number;
  /** 0–1: the step's size (relative to a clear edge's) times how much it stands out from the next best. */
  confidence: number;
  /** Whether `found` replaced the mesh point (confidence at least the search's minimum). */
  used: boolean;
}

export interface EdgeFound {
  /** Distance along the line from its start (frame px). */
  t: number;
  confidence: number;
}

/** Samples per pixel along a line (`profileAlong`). */
export const PER_PX = 4;

/**
 * The feature along the frame line `start + t·dir` (frame px, `dir` a unit vector) for t in [0, length], `PER_PX`
 * samples per pixel: each the median across a band `bandMm` either side of the line, then smoothed (`smoothMm`).
 * `sample` reads the feature at an image point (default: `feature` of `labAt`; `lightnessAt` when it is L* alone).
 */
export function profileAlong(
  image: RgbImage,
  frame: Frame,
  start: Point2,
  dir: Point2,
  length: number,
  search: Pick<EdgeSearch, 'feature' | 'bandMm' | 'smoothMm'>,
  mmPerPx: number,
  sample: (image: RgbImage, x: number, y: number) => number = (img, x, y) => search.feature(labAt(img, x, y)),
): Float64Array {
  const n = Math.floor(length * PER_PX) + 1;
  const half = Math.max(1, Math.round(search.bandMm / mmPerPx));
  const across: Point2 = [-dir[1], dir[0]];
  const values = new Float64Array(n);
  const band: number[] = [];
  for (let k = 0; k < n; k++) {
    band.length = 0;
    const t = k / PER_PX;
    for (let j = -half; j <= half; j++) {
      const p = frame.toImage([start[0] + dir[0] * t + across[0] * j, start[1] + dir[1] * t + across[1] * j]);
      band.push(sample(image, p[0], p[1]));
    }
    values[k] = median(band);
  }
  const sigma = (search.smoothMm / mmPerPx) * PER_PX;
  const r = Math.ceil(2.5 * sigma);
  const smooth = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let s = 0, w = 0;
    for (let d = -r; d <= r; d++) {
      const g = Math.exp((-0.5 * d * d) / (sigma * sigma));
      s += (values[Math.max(0, Math.min(n - 1, k + d))] as number) * g;
      w += g;
    }
    smooth[k] = s / w;
  }
  return smooth;
}

/**
 * The edge along the frame line `start + t·dir` (frame px, `dir` a unit vector) for t in [0, length], nearest
 * `prior` (a t) among equals. Null when the line is too short or shows no step of the expected sign.
 */
export function edgeAlong(image: RgbImage, frame: Frame, start: Point2, dir: Point2, length: number, prior: number, search: EdgeSearch, mmPerPx: number): EdgeFound | null {
  const n = Math.floor(length * PER_PX) + 1;
  if (n < 8) return null;
  const smooth = profileAlong(image, frame, start, dir, length, search, mmPerPx);
  const h = Math.max(1, Math.round((0.5 / mmPerPx) * PER_PX));
  const step = new Float64Array(n);
  for (let k = h; k < n - h; k++) step[k] = search.sign * ((smooth[k + h] as number) - (smooth[k - h] as number));
  const weight = (k: number): number => Math.exp(-0.5 * (((k / PER_PX - prior) * mmPerPx) / search.priorMm) ** 2);
  const isPeak = (k: number): boolean => (step[k] as number) > 0 && (step[k] as number) >= (step[k - 1] as number) && (step[k] as number) >= (step[k + 1] as number);
  let best = -1;
  for (let k = h + 1; k < n - h - 1; k++) if (isPeak(k) && (best < 0 || (step[k] as number) * weight(k) > (step[best] as number) * weight(best))) best = k;
  if (best < 0) return null;
  const peak = step[best] as number;
  const apart = (1 / mmPerPx) * PER_PX;
  let second = 0;
  for (let k = h + 1; k < n - h - 1; k++) if (Math.abs(k - best) >= apart && isPeak(k)) second = Math.max(second, ((step[k] as number) * weight(k)) / weight(best));
  const confidence = Math.min(1, peak / search.clearStep) * Math.min(1, 2 * (1 - second / peak));
  if (search.foot === null) {
    // The steepest point, to a fraction of a sample (parabola through the peak and its neighbours).
    const y0 = step[best - 1] as number, y2 = step[best + 1] as number;
    const d = y0 - 2 * peak + y2;
    return { t: (best + (d < 0 ? (0.5 * (y0 - y2)) / d : 0)) / PER_PX, confidence };
  }
  // The foot before the step (towards the line's start), where it has fallen to `foot` of its peak.
  const foot = search.foot;
  let k = best;
  while (k - 1 > 0 && (step[k - 1] as number) > foot * peak && best - (k - 1) < apart * 2) k--;
  const g0 = step[k] as number, g1 = step[k - 1] as number;
  const frac = g0 > g1 ? Math.max(0, Math.min(1, (g0 - foot * peak) / (g0 - g1))) : 0;
  return { t: (k - frac) / PER_PX, confidence };
}

/**
 * How much of an edge's offset a neighbouring point takes when points are moved onto an edge found at one place:
 * all of it there, none from `reach` away, a quarter cosine between (smooth at both ends).
 */
export function taper(distance: number, reach: number): number {
  return reach > 0 ? Math.cos((Math.PI / 2) * Math.min(1, Math.abs(distance) / reach)) : 0;
}

/**
 * Parallel search lines for `fitAcross`: where they run (mm either side of the centre line), how many must find
 * the edge clearly and lie on one line, and how closely (mm).
 */
export const ACROSS_MM = [-2, -1, 0, 1, 2];
export const ACROSS_CLEAR = 3;
export const ACROSS_FIT_MM = 0.5;

/** The edge on one of several parallel search lines: where the line crosses its centre line (`at`), how far along (`pos`). */
export interface LineEdge {
  at: number;
  pos: number;
  confidence: number;
}

/**
 * One edge from several parallel search lines (1 mm apart, say): a straight line fitted through the clear ones
 * (Theil–Sen: the median of the pairwise slopes, so one stray edge such as a hair or a second shadow line is
 * outvoted) and read at `at` = 0. Used where at least `minClear` clear lines lie on the fitted line (within
 * `maxResidual`): an edge read differently from one line to the next is left alone rather than read differently
 * each time the photo is. (The median residual would not do: a line through three points fits two of them exactly,
 * also when the third lies on another edge.) `pos` is NaN with too few clear lines; `confidence` is the mean over
 * all lines.
 */
export function fitAcross(edges: readonly (LineEdge | null)[], minConfidence: number, minClear: number, maxResidual: number): { pos: number; confidence: number; used: boolean } {
  const confidence = edges.reduce((sum, e) => sum + (e?.confidence ?? 0), 0) / edges.length;
  const clear = edges.filter((e): e is LineEdge => e !== null && e.confidence >= minConfidence);
  if (clear.length < minClear) return { pos: NaN, confidence, used: false };
  const slope = median(clear.flatMap((a, i) => clear.slice(i + 1).map((b) => (b.pos - a.pos) / (b.at - a.at))));
  const pos = median(clear.map((c) => c.pos - slope * c.at));
  const onLine = clear.filter((c) => Math.abs(c.pos - slope * c.at - pos) <= maxResidual).length;
  return { pos, confidence, used: onLine >= minClear };
}
