/**
 * The face's outline where the facial geometry and the simulation's closed loop measure it, found in the pixels
 * (not yet used by them: the search is not always mirror-consistent, docs/validation.md "Face outline"): at the
 * cheekbone (mesh 234, 454) and at the jaw angle (172, 397), each along the face frame's inter-pupil direction,
 * outwards. The mesh model pulls these points towards the mean face (a 1.5 mm wider jaw moved its point by
 * about half that), and on the London set they sit 2–3 mm inside the outline the templates trace
 * (docs/validation.md, "Face outline").
 *
 * The edge is a step in lightness (L*) between the face and what lies beyond it (backdrop, hair or the neck's
 * shadow); which way it goes is read from the profile's two ends, so a light or a dark backdrop both work. A
 * weak or ambiguous step keeps the mesh point. The chin's lower edge is not searched: in front-lit studio
 * photos the chin and the neck below it are often equally light, and the edge found was not stable.
 */
import { pixelScale } from '@contour/domain/face-geometry';
import type { Point3 } from '@contour/domain/face-mesh';
import { edgeAlong, type EdgeSearch, type FoundPoint } from './edge-profile.js';
import type { RgbImage } from './face-result.js';
import { labAt } from './simulate/color.js';
import { frameOf, type Frame } from './simulate/geometry.js';
import type { Point2 } from './simulate/raster.js';

/** Point 234, 454, 172 or 397, refined. */
export type OutlinePoint = FoundPoint;

/** Below this the mesh point is kept. */
export const MIN_CONFIDENCE = 0.3;

interface OutlineSearch {
  index: number;
  /** Where on the line through the mesh point along `out` the search is centred (frame px). */
  centre: (frame: Frame, mesh: Point2) => Point2;
  /** Outwards, in the face frame. */
  out: Point2;
  /** How far the search reaches outwards and inwards of the mesh point (mm). */
  outerMm: number;
  innerMm: number;
  /** Where the edge is expected (mm outwards of the mesh point) and how firmly (Gaussian, mm). */
  expectMm: number;
  priorMm: number;
}

/**
 * The heights the sides are searched at, from points the treatments leave where they are, so that where the mesh
 * slides along a sloping outline (it does, by up to a millimetre, when the face's shape changes) does not move
 * the measurement: the jaw angle 0.19 IPD below the mouth corners, the cheekbone 0.34 IPD below the eyes' outer
 * corners (the London medians of the mesh's own points 172/397 and 234/454).
 */
const level = (a: number, b: number, k: number) => (frame: Frame, mesh: Point2): Point2 => [mesh[0], (frame.at(a)[1] + frame.at(b)[1]) / 2 + k * frame.ipdPx];
const JAW_LEVEL = level(61, 291, 0.19);
const CHEEK_LEVEL = level(33, 263, 0.34);
/** Reach outwards and inwards of the mesh point, where the edge is expected and how firmly (mm). */
const SIDE = { outerMm: 6, innerMm: 3, expectMm: 2, priorMm: 3 } as const;

export const OUTLINE_SEARCHES: readonly OutlineSearch[] = [
  { index: 234, centre: CHEEK_LEVEL, out: [-1, 0], ...SIDE },
  { index: 454, centre: CHEEK_LEVEL, out: [1, 0], ...SIDE },
  { index: 172, centre: JAW_LEVEL, out: [-1, 0], ...SIDE },
  { index: 397, centre: JAW_LEVEL, out: [1, 0], ...SIDE },
];

const lightness = (lab: [number, number, number]): number => lab[0];

function outlinePoint(image: RgbImage, frame: Frame, s: OutlineSearch, mmPerPx: number): OutlinePoint {
  const p = s.centre(frame, frame.at(s.index));
  const mesh = frame.image(s.index);
  const none: OutlinePoint = { index: s.index, mesh, found: mesh, shiftMm: 0, confidence: 0, used: false };
  if (!Number.isFinite(mmPerPx)) return none;
  // The line runs inwards, from beyond the outline into the face.
  const start: Point2 = [p[0] + (s.out[0] * s.outerMm) / mmPerPx, p[1] + (s.out[1] * s.outerMm) / mmPerPx];
  const inward: Point2 = [-s.out[0], -s.out[1]];
  const length = (s.outerMm + s.innerMm) / mmPerPx;
  // Which way the lightness steps: the mean L* of the outer and inner millimetre of the line.
  const end = (t0: number, t1: number): number => {
    let sum = 0, n = 0;
    for (let t = t0; t <= t1; t += 0.25) {
      const q = frame.toImage([start[0] + inward[0] * t, start[1] + inward[1] * t]);
      sum += labAt(image, q[0], q[1])[0];
      n++;
    }
    return sum / n;
  };
  const mmPx = 1 / mmPerPx;
  const sign = end(length - mmPx, length) >= end(0, mmPx) ? 1 : -1;
  const search: EdgeSearch = { feature: lightness, sign, bandMm: 1, smoothMm: 0.35, clearStep: 6, priorMm: s.priorMm, foot: null };
  const edge = edgeAlong(image, frame, start, inward, length, (s.outerMm - s.expectMm) / mmPerPx, search, mmPerPx);
  if (!edge) return none;
  const at: Point2 = [start[0] + inward[0] * edge.t, start[1] + inward[1] * edge.t];
  const used = edge.confidence >= MIN_CONFIDENCE;
  return { index: s.index, mesh, found: used ? frame.toImage(at) : mesh, shiftMm: s.outerMm - edge.t * mmPerPx, confidence: edge.confidence, used };
}

/** The outline points found near the mesh points of `landmarks` (478, ideally flip-averaged). */
export function findOutline(image: RgbImage, landmarks: readonly Point3[], mmPerPx?: number): OutlinePoint[] {
  const scale = mmPerPx ?? pixelScale(landmarks, { yaw: 0, pitch: 0, roll: 0 }).scale?.mmPerPx ?? NaN;
  const frame = frameOf(landmarks);
  return OUTLINE_SEARCHES.map((s) => outlinePoint(image, frame, s, scale));
}
