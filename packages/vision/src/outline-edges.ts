/**
 * The face's outline where the facial geometry and the simulation measure it, found in the pixels: at the
 * cheekbone (mesh 234, 454) and at the jaw angle (172, 397), each along the face frame's inter-pupil direction,
 * outwards, and at the chin (menton, 152), straight down. The mesh model pulls these points towards the mean face
 * (a 1.5 mm wider jaw moved its point by about half that); on the London set the side points sit 2–3 mm inside
 * the outline the templates trace, and menton 4.5 mm above the chin's lower edge (docs/validation.md, "Face
 * outline").
 *
 * The edge is a step in lightness (L*) between the face and what lies beyond it (backdrop, hair or the neck's
 * shadow); at the sides, which way it goes is read from the profile's two ends, so a light or a dark backdrop both
 * work; below the chin it is always the face above its own shadow. A weak or ambiguous step keeps the mesh point.
 * The chin's lower edge is often soft in front-lit studio photos, and a beard hides it: it is found on about
 * three faces in four.
 */
import { pixelScale } from '@contour/domain/face-geometry';
import { MESH, mirrorIndex, type Point3 } from '@contour/domain/face-mesh';
import { ACROSS_CLEAR, ACROSS_FIT_MM, ACROSS_MM, edgeAlong, fitAcross, taper, type EdgeSearch, type FoundPoint } from './edge-profile.js';
import type { RgbImage } from './face-result.js';
import { labAt } from './simulate/color.js';
import { frameOf, type Frame } from './simulate/geometry.js';
import type { Point2 } from './simulate/raster.js';

/** Point 234, 454, 172, 397 or 152, refined. */
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
  /** Smoothing along the line (mm). */
  smoothMm: number;
  /** Over this distance inwards of the line's outer end the preference rises from nothing (mm; `EdgeSearch.startTaperMm`). */
  startTaperMm?: number;
  /** Which way the step goes (+1: lighter inwards) where that does not depend on the backdrop; else read from each line's ends. */
  sign?: 1 | -1;
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
/**
 * Reach outwards and inwards of the mesh point, where the edge is expected and how firmly (mm). At the cheekbone,
 * reaching further out met the ear's rim and the far side of a sideburn.
 */
const SIDE = { outerMm: 6, innerMm: 3, expectMm: 2, priorMm: 3, smoothMm: 0.35 } as const;
/**
 * At the jaw angle the mesh sits up to 5–6 mm inside the outline (013, 141: a soft jaw against hair or a shadowed
 * neck), and a jaw made wider took its edge beyond a 6 mm reach: there the search reaches 9 mm out, the preference
 * rising from nothing over its outer 2 mm. Without that rise, an edge 7 mm out was inside the reach on one side of a
 * face made symmetric and outside it on the other (jaw asymmetry up to 4.5 mm).
 */
const JAW = { ...SIDE, outerMm: 9, startTaperMm: 2 } as const;
/**
 * The chin's lower edge, straight down from menton (152): on the London set the mesh's point sits 4.5 mm (median)
 * above the chin's lower edge the templates trace, and up to 12 mm (128, where stubble misled the mesh), so the
 * search reaches 15 mm down with a weak preference; the shadow under the chin makes the edge soft, so it is
 * smoothed more. It reaches 3 mm up: where menton sits on a soft edge (013), a search ending 2 mm above it cut the
 * step's upper half off, and the edge read moved with the window rather than with the chin. Below the chin lies
 * its own shadow on the neck, whatever the backdrop, so the step is always the lit face above a darker band: read
 * from the lines' ends instead, a neck lighter than the chin (half the London faces) turned the search onto the
 * shadow's lower edge, on the neck.
 */
const CHIN = { outerMm: 15, innerMm: 3, expectMm: 5, priorMm: 8, smoothMm: 1, sign: 1 } as const;

export const OUTLINE_SEARCHES: readonly OutlineSearch[] = [
  { index: 234, centre: CHEEK_LEVEL, out: [-1, 0], ...SIDE },
  { index: 454, centre: CHEEK_LEVEL, out: [1, 0], ...SIDE },
  { index: 172, centre: JAW_LEVEL, out: [-1, 0], ...JAW },
  { index: 397, centre: JAW_LEVEL, out: [1, 0], ...JAW },
  { index: MESH.chin, centre: (_frame, mesh) => mesh, out: [0, 1], ...CHIN },
];

const lightness = (lab: [number, number, number]): number => lab[0];

/** The edge on one line through `p` (frame px): its distance outwards of `p` (mm) and its confidence. */
function edgeOnLine(image: RgbImage, frame: Frame, s: OutlineSearch, p: Point2, mmPerPx: number): { outMm: number; confidence: number } | null {
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
  const sign = s.sign ?? (end(length - mmPx, length) >= end(0, mmPx) ? 1 : -1);
  const search: EdgeSearch = { feature: lightness, sign, bandMm: 1, smoothMm: s.smoothMm, clearStep: 6, priorMm: s.priorMm, foot: null, startTaperMm: s.startTaperMm };
  const edge = edgeAlong(image, frame, start, inward, length, (s.outerMm - s.expectMm) / mmPerPx, search, mmPerPx);
  return edge ? { outMm: s.outerMm - edge.t * mmPerPx, confidence: edge.confidence } : null;
}

/**
 * The outline near one mesh point: the edge on five lines 1 mm apart around the search level, fitted (`fitAcross`):
 * the outline may slope there (at the cheekbone it often runs a millimetre outwards per millimetre upwards).
 */
function outlinePoint(image: RgbImage, frame: Frame, s: OutlineSearch, mmPerPx: number): OutlinePoint {
  const p = s.centre(frame, frame.at(s.index));
  const mesh = frame.image(s.index);
  const none: OutlinePoint = { index: s.index, mesh, found: mesh, shiftMm: 0, confidence: 0, used: false };
  if (!Number.isFinite(mmPerPx)) return none;
  // Parallel lines around the level (across the search direction): one line alone can catch a stray edge.
  const across: Point2 = [Math.abs(s.out[1]), Math.abs(s.out[0])];
  const edges = ACROSS_MM.map((dy) => {
    const edge = edgeOnLine(image, frame, s, [p[0] + (across[0] * dy) / mmPerPx, p[1] + (across[1] * dy) / mmPerPx], mmPerPx);
    return edge && { at: dy, pos: edge.outMm, confidence: edge.confidence };
  });
  const fit = fitAcross(edges, MIN_CONFIDENCE, ACROSS_CLEAR, ACROSS_FIT_MM);
  if (!Number.isFinite(fit.pos)) return { ...none, confidence: fit.confidence };
  const at: Point2 = [p[0] + (s.out[0] * fit.pos) / mmPerPx, p[1] + (s.out[1] * fit.pos) / mmPerPx];
  return { index: s.index, mesh, found: fit.used ? frame.toImage(at) : mesh, shiftMm: fit.pos, confidence: fit.confidence, used: fit.used };
}

/** The outline points found near the mesh points of `landmarks` (478, ideally steady: steady-landmarks.ts). */
export function findOutline(image: RgbImage, landmarks: readonly Point3[], mmPerPx?: number): OutlinePoint[] {
  const scale = mmPerPx ?? pixelScale(landmarks, { yaw: 0, pitch: 0, roll: 0 }).scale?.mmPerPx ?? NaN;
  const frame = frameOf(landmarks);
  return OUTLINE_SEARCHES.map((s) => outlinePoint(image, frame, s, scale));
}

/**
 * Each side of the face oval, from the temple down beside the chin, with the points searched on it. The whole
 * side is moved, not the two points: the outline the shape changes are drawn on stays a smooth curve.
 */
const RIGHT_OVAL = [21, 162, 127, 234, 93, 132, 58, 172, 136, 150, 149, 176];
const CHEEK_AT = RIGHT_OVAL.indexOf(234);
const JAW_AT = RIGHT_OVAL.indexOf(172);

/**
 * How far (frame px, outwards) each oval point moves to the outline found: the found offsets at the cheekbone
 * and the jaw angle, linear between them and tapering to nothing three points above the cheekbone and four below
 * the jaw angle. Where an edge was not found clearly, the same point on the other side stands in (on a face
 * seen from the front the mesh sits about as far inside the outline on both sides, and a photo and its mirror
 * are then measured alike), then the other level on the same side; with none found, the mesh points stay.
 */
export function outlineOffsets(landmarks: readonly Point3[], outline: readonly OutlinePoint[]): Map<number, number> {
  const frame = frameOf(landmarks);
  const offsets = new Map<number, number>();
  const index = (side: 'right' | 'left', i: number): number => (side === 'left' ? mirrorIndex(i) : i);
  const offsetAt = (side: 'right' | 'left', i: number): number | null => {
    const point = outline.find((o) => o.index === index(side, i));
    return point?.used ? (side === 'left' ? 1 : -1) * (frame.level(point.found)[0] - frame.at(point.index)[0]) : null;
  };
  const found = { right: { cheek: offsetAt('right', 234), jaw: offsetAt('right', 172) }, left: { cheek: offsetAt('left', 234), jaw: offsetAt('left', 172) } };
  for (const side of ['right', 'left'] as const) {
    const twin = found[side === 'left' ? 'right' : 'left'];
    const own = found[side];
    const c = own.cheek ?? twin.cheek ?? own.jaw ?? twin.jaw, j = own.jaw ?? twin.jaw ?? own.cheek ?? twin.cheek;
    if (c === null || j === null) continue;
    RIGHT_OVAL.forEach((i, k) => {
      const w = k <= CHEEK_AT ? c * (k / CHEEK_AT) : k <= JAW_AT ? c + ((j - c) * (k - CHEEK_AT)) / (JAW_AT - CHEEK_AT) : j * (1 - (k - JAW_AT) / (RIGHT_OVAL.length - 1 - JAW_AT));
      offsets.set(index(side, i), (side === 'left' ? 1 : -1) * w);
    });
  }
  return offsets;
}

/**
 * `landmarks` with the sides of the face oval moved to the outline found in the pixels (`outlineOffsets`), and the
 * chin onto its lower edge (`chinOffsets`). The four side points are placed on the outline at their search
 * heights, where they are measured: the mesh's own heights wander by a few millimetres, and on a sloping outline
 * that would read as a width.
 */
export function withOutline(landmarks: readonly Point3[], outline: readonly OutlinePoint[]): Point3[] {
  const frame = frameOf(landmarks);
  const offsets = outlineOffsets(landmarks, outline);
  const down = chinOffsets(landmarks, outline);
  // Menton's search centre is the mesh point itself, so its level is its own height.
  const levels = new Map(OUTLINE_SEARCHES.map((s) => [s.index, s.centre(frame, frame.at(s.index))[1]]));
  return landmarks.map((p, i) => {
    const dx = offsets.get(i), dy = down.get(i);
    if (dx === undefined && dy === undefined) return [...p] as Point3;
    const at = frame.level([p[0], p[1]]);
    const q = frame.toImage([at[0] + (dx ?? 0), (levels.get(i) ?? at[1]) + (dy ?? 0)]);
    return [q[0], q[1], p[2]];
  });
}

/** The lower face oval between the jaw angles, the chin's points (menton in the middle). */
const CHIN_OVAL = [172, 136, 150, 149, 176, 148, 152, 377, 400, 378, 379, 365, 397];

/**
 * How far (frame px, down) the chin's points move to the lower edge found below menton: in full at menton,
 * tapering (a quarter cosine of the distance across) to nothing at the jaw angles. None when the edge was not
 * found clearly.
 */
export function chinOffsets(landmarks: readonly Point3[], outline: readonly OutlinePoint[]): Map<number, number> {
  const offsets = new Map<number, number>();
  const menton = outline.find((o) => o.index === MESH.chin);
  if (!menton?.used) return offsets;
  const frame = frameOf(landmarks);
  const dy = frame.level(menton.found)[1] - frame.at(MESH.chin)[1];
  const x0 = frame.at(MESH.chin)[0];
  // Each side tapers to its own jaw angle.
  const [right, left] = [x0 - frame.at(MESH.rightJawAngle)[0], frame.at(MESH.leftJawAngle)[0] - x0];
  if (!(right > 0 && left > 0)) return offsets;
  for (const i of CHIN_OVAL) {
    const x = frame.at(i)[0] - x0;
    offsets.set(i, dy * taper(x, x < 0 ? right : left));
  }
  return offsets;
}
