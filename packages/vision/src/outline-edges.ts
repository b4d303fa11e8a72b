/**
 * The face's outline where the facial geometry and the simulation measure it, found in the pixels: at the
 * cheekbone (mesh 234, 454) and at the jaw angle (172, 397), each along the face frame's inter-pupil direction,
 * outwards, and at the chin (menton, 152), straight down. The mesh model pulls these points towards the mean face
 * (a 1.5 mm wider jaw moved its point by about half that); on the London set the side points sit 2–3 mm inside
 * the outline the templates trace, and menton 4.5 mm above the chin's lower edge (docs/validation.md, "Face
 * outline").
 *
 * Each side is traced as one path from above the cheekbone to below the jaw angle (outline-trace.ts) and read at
 * the two heights: where a sideburn, an ear or the neck's shadow offers two edges about equally clear, the path
 * takes the one that continues the outline above and below. The chin's lower edge is traced the same way across the
 * chin. Where a side's edge is weak, the other side's stands in (`outlineOffsets`); the chin has no twin, so a faint
 * chin edge is still taken (`CHIN_MIN_CONFIDENCE`), and where none is seen at all (a beard) menton goes the London
 * median below the mesh's (`MENTON_ABOVE_CHIN_MM`).
 */
import { pixelScale } from '@contour/domain/face-geometry';
import { MESH, mirrorIndex, type Point3 } from '@contour/domain/face-mesh';
import { taper, type FoundPoint } from './edge-profile.js';
import type { RgbImage } from './face-result.js';
import { curveThrough, RIGHT_OVAL, sideOval, tracePath, traceSide, type TraceLine, type TracedPoint, type TraceReach } from './outline-trace.js';
import { frameOf, type Frame } from './simulate/geometry.js';
import type { Point2 } from './simulate/raster.js';

/** Point 234, 454, 172, 397 or 152, refined. */
export interface OutlinePoint extends FoundPoint {
  /** How much better the path taken scores than the best rival (outline-trace.ts); 0 where nothing was traced. */
  margin: number;
  /** The edge was used, is not faint (`MIN_CONFIDENCE`) and no other about as clear lies beside it (`CLEAR_MARGIN`): the figures measured on it can be taken as measured. */
  clear: boolean;
}

/** Below this the mesh point is kept (the other side's edge standing in: `outlineOffsets`). */
export const MIN_CONFIDENCE = 0.3;

/**
 * The chin has no twin to stand in, and the median placement that does (`MENTON_ABOVE_CHIN_MM`) follows the chin
 * only as far as the mesh does, so a fainter chin edge is still taken: on the London set the nine chins traced with
 * a confidence between 0.1 and 0.3 (stubble, a chin as light as the neck) were 2.1 mm (median) from the templates'
 * edge where the median placement put them 2.7 mm off, and in the closed loop the lower face height followed the
 * promise on 82 of the other 93 portraits instead of 74, where the placement moved with the mesh, about half the
 * change (docs/validation.md, "Face outline"). Such a chin is never clear (`clear`).
 */
export const CHIN_MIN_CONFIDENCE = 0.1;

/**
 * An edge used is clear when the path taken beats every rival by this much (a clear step on two lines). On the London
 * set the 420 of 508 points clear were measured 0.55 mm (median) from the templates' outline and 5 % more than 3 mm
 * off; the others (with their stand-ins) 1.38 mm and 24 %. In the closed loop, readings clear in both the photo and
 * its simulation followed the promise on 96 %, the others on 55 % (docs/validation.md, "Face outline").
 */
export const CLEAR_MARGIN = 2;

/** Where an outline point is read: on the line through `centre` along `out` (the face frame's). */
export interface OutlineLevel {
  index: number;
  /** The line's centre, from the frame and the mesh point (frame px). */
  centre: (frame: Frame, mesh: Point2) => Point2;
  /** Outwards, in the face frame. */
  out: Point2;
}

/**
 * The heights the sides are read at, from points the treatments leave where they are, so that where the mesh
 * slides along a sloping outline (it does, by up to a millimetre, when the face's shape changes) does not move
 * the measurement: the jaw angle 0.20 IPD below the lips' meeting line (13 and 14 as found in the pixels:
 * lip-borders.ts), the cheekbone 0.34 IPD below the eyes' outer corners (the London medians of the mesh's own points
 * 172/397 and 234/454). The jaw's height was taken from the mouth corners until 2026-12-02.6, but the face model
 * lowers them when it sees fuller lips (0.18 mm on average between a photo and its simulation, where the meeting line
 * found moved 0.03 mm), and on a jaw sloping inwards below its angle that read as a narrower jaw: the jaws followed
 * the promise at 0.93 of it (median) in the closed loop, 0.98 and 1.00 since (docs/validation.md, "Face outline").
 */
const level = (a: number, b: number, k: number) => (frame: Frame, mesh: Point2): Point2 => [mesh[0], (frame.at(a)[1] + frame.at(b)[1]) / 2 + k * frame.ipdPx];
const JAW_LEVEL = level(MESH.stomion, MESH.lowerLipInner, 0.2);
const CHEEK_LEVEL = level(33, 263, 0.34);

export const OUTLINE_LEVELS: readonly OutlineLevel[] = [
  { index: 234, centre: CHEEK_LEVEL, out: [-1, 0] },
  { index: 454, centre: CHEEK_LEVEL, out: [1, 0] },
  { index: 172, centre: JAW_LEVEL, out: [-1, 0] },
  { index: 397, centre: JAW_LEVEL, out: [1, 0] },
  { index: MESH.chin, centre: (_frame, mesh) => mesh, out: [0, 1] },
];

/**
 * The chin's lower edge, traced on vertical lines 1 mm apart across 12 mm either side of menton (152), guided by the
 * mesh's lower face oval between the jaw angles, and read at menton's column. On the London set the mesh's menton
 * sits 4.5 mm (median) above the chin's lower edge the templates trace, and up to 12 mm (128, where stubble misled
 * the mesh), so each line reaches 15 mm down with a weak preference around 5 mm (`expectMm`, `priorMm`), and 3 mm up:
 * where menton sits on a soft edge (013), a search ending 2 mm above it cut the step's upper half off. Below the chin
 * lies its own shadow on the neck, whatever the backdrop, so only steps from the lit face down into a darker band
 * count (`sign`): taken either way, a neck lighter than the chin (half the London faces) turned the search onto the
 * shadow's lower edge, on the neck.
 */
const CHIN_REACH: TraceReach = { outerMm: 15, innerMm: 3, expectMm: 5, priorMm: 8, sign: 1 };
const CHIN_HALF_WIDTH_MM = 12;
/** The lower face oval, from the right jaw angle round the chin (menton in the middle) to the left. */
const CHIN_OVAL = [172, 136, 150, 149, 176, 148, 152, 377, 400, 378, 379, 365, 397];

const unrefined = (frame: Frame, index: number, confidence = 0, margin = 0): OutlinePoint => {
  const mesh = frame.image(index);
  return { index, mesh, found: mesh, shiftMm: 0, confidence, used: false, margin, clear: false };
};

/**
 * Mesh point `index` refined by what a trace read (`read`): where the edge is (`at`, frame px, from the distance
 * outwards of the guide) and how far from the mesh point (`shiftMm`); the mesh point where the edge is fainter
 * than `minConfidence`.
 */
function pointRead(frame: Frame, index: number, read: TracedPoint | undefined, at: (outMm: number) => Point2, shiftMm: (outMm: number) => number, minConfidence = MIN_CONFIDENCE): OutlinePoint {
  const none = unrefined(frame, index, read?.confidence, read?.margin);
  if (!read || !Number.isFinite(read.outMm)) return none;
  const used = read.confidence >= minConfidence;
  return { ...none, found: used ? frame.toImage(at(read.outMm)) : none.mesh, shiftMm: shiftMm(read.outMm), used, clear: used && read.confidence >= MIN_CONFIDENCE && read.margin >= CLEAR_MARGIN };
}

/** The chin's lower edge below menton, read off the lower outline traced across the chin (`tracePath`). */
function chinPoint(image: RgbImage, frame: Frame, mmPerPx: number): OutlinePoint {
  const menton = frame.at(MESH.chin);
  const ovalY = curveThrough(CHIN_OVAL.map((i) => frame.at(i)));
  const lines: TraceLine[] = [];
  for (let k = -CHIN_HALF_WIDTH_MM; k <= CHIN_HALF_WIDTH_MM; k++) {
    const x = menton[0] + k / mmPerPx;
    lines.push({ base: [x, ovalY(x)], out: [0, 1] });
  }
  const read = tracePath(image, frame, lines, CHIN_REACH, mmPerPx)?.(CHIN_HALF_WIDTH_MM);
  const y = (outMm: number): number => ovalY(menton[0]) + outMm / mmPerPx;
  return pointRead(frame, MESH.chin, read, (outMm) => [menton[0], y(outMm)], (outMm) => (y(outMm) - menton[1]) * mmPerPx, CHIN_MIN_CONFIDENCE);
}

/** The cheekbone's and the jaw angle's outline points on one side, read off the side traced (`traceSide`). */
function sidePoints(image: RgbImage, frame: Frame, side: 'right' | 'left', mmPerPx: number): OutlinePoint[] {
  const levels = (side === 'right' ? [234, 172] : [454, 397]).map((i) => OUTLINE_LEVELS.find((l) => l.index === i) as OutlineLevel);
  const heights = levels.map((l) => l.centre(frame, frame.at(l.index))[1]) as [number, number];
  const oval = sideOval(frame, side);
  const traced = traceSide(image, frame, side, oval, heights[0], heights[1], mmPerPx);
  return levels.map((l, k) => {
    const y = heights[k] as number;
    return pointRead(frame, l.index, traced?.[k === 0 ? 'cheek' : 'jaw'], (outMm) => [oval(y) + (l.out[0] * outMm) / mmPerPx, y], (outMm) => outMm);
  });
}

/** The outline points found near the mesh points of `landmarks` (478, ideally steady: steady-landmarks.ts), in `OUTLINE_LEVELS`' order. */
export function findOutline(image: RgbImage, landmarks: readonly Point3[], mmPerPx?: number): OutlinePoint[] {
  const scale = mmPerPx ?? pixelScale(landmarks, { yaw: 0, pitch: 0, roll: 0 }).scale?.mmPerPx ?? NaN;
  const frame = frameOf(landmarks);
  if (!Number.isFinite(scale)) return OUTLINE_LEVELS.map((l) => unrefined(frame, l.index));
  const [rightCheek, rightJaw] = sidePoints(image, frame, 'right', scale);
  const [leftCheek, leftJaw] = sidePoints(image, frame, 'left', scale);
  return [rightCheek, leftCheek, rightJaw, leftJaw, chinPoint(image, frame, scale)] as OutlinePoint[];
}

/**
 * Where the points read on each side sit on the oval. The whole side is moved, not the two points: the outline the
 * shape changes are drawn on stays a smooth curve.
 */
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
  const levels = new Map(OUTLINE_LEVELS.map((l) => [l.index, l.centre(frame, frame.at(l.index))[1]]));
  return landmarks.map((p, i) => {
    const dx = offsets.get(i), dy = down.get(i);
    if (dx === undefined && dy === undefined) return [...p] as Point3;
    const at = frame.level([p[0], p[1]]);
    const q = frame.toImage([at[0] + (dx ?? 0), (levels.get(i) ?? at[1]) + (dy ?? 0)]);
    return [q[0], q[1], p[2]];
  });
}

/**
 * Where no chin edge is seen (fainter than `CHIN_MIN_CONFIDENCE`: a full beard; 1 of the 102 London faces, 10 below
 * `MIN_CONFIDENCE`), menton goes this far below the mesh's, the London median of the edge the templates trace below
 * it. On the ten below `MIN_CONFIDENCE` the mesh's own menton lay 4.9 mm (median) above the templates' edge, so the
 * lower face read that much short and the chin short with it; with the median added, 2.4 mm off (median |error|,
 * 0.4 mm short). The figure comes from the same templates, so it is not an independent check (docs/validation.md,
 * "Face outline").
 */
export const MENTON_ABOVE_CHIN_MM = 4.5;

/**
 * How far (frame px, down) the chin's points move to the lower edge found below menton: in full at menton,
 * tapering (a quarter cosine of the distance across) to nothing at the jaw angles. Where the edge was not found
 * clearly, by `MENTON_ABOVE_CHIN_MM`; none without a scale.
 */
export function chinOffsets(landmarks: readonly Point3[], outline: readonly OutlinePoint[]): Map<number, number> {
  const offsets = new Map<number, number>();
  const menton = outline.find((o) => o.index === MESH.chin);
  if (!menton) return offsets;
  const frame = frameOf(landmarks);
  const mmPerPx = pixelScale(landmarks, { yaw: 0, pitch: 0, roll: 0 }).scale?.mmPerPx ?? NaN;
  const dy = menton.used ? frame.level(menton.found)[1] - frame.at(MESH.chin)[1] : MENTON_ABOVE_CHIN_MM / mmPerPx;
  if (!Number.isFinite(dy)) return offsets;
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

interface EdgeWords {
  where: string;
  /** What commonly lies beside the edge. */
  beside: string;
  /** What stands in where the edge is not seen (`outlineOffsets`, `chinOffsets`). */
  standIn: string;
}
/** A side point's words: on either side the same things lie beside it, and the other side stands in. */
const sideWords = (level: string, beside: string) => (side: 'right' | 'left'): EdgeWords => ({ where: `the outline at the ${side} ${level}`, beside, standIn: 'the other side or the face model stands in' });
const CHEEKBONE = sideWords('cheekbone', 'an ear, a sideburn or hair');
const JAW_ANGLE = sideWords('jaw angle', "an earlobe, hair, a beard or the neck's shadow");
/** Each outline point in the clinic's words. */
const EDGE_WORDS: Readonly<Record<number, EdgeWords>> = {
  [MESH.rightFaceEdge]: CHEEKBONE('right'),
  [MESH.leftFaceEdge]: CHEEKBONE('left'),
  [MESH.rightJawAngle]: JAW_ANGLE('right'),
  [MESH.leftJawAngle]: JAW_ANGLE('left'),
  [MESH.chin]: { where: "the chin's lower edge", beside: 'stubble, a beard or the shadow on the neck', standIn: `placed the usual ${MENTON_ABOVE_CHIN_MM} mm below the face model's chin point` },
};

/** The outline points whose edge is not clear (`clear`), each with why and what stood in for it (for `faceGeometry`'s `unclearEdges`). */
export function unclearEdges(outline: readonly OutlinePoint[]): Map<number, string> {
  const unclear = new Map<number, string>();
  for (const o of outline.filter((p) => !p.clear)) {
    const words = EDGE_WORDS[o.index];
    if (!words) continue;
    const why = !o.used
      ? `${words.where} is not clearly seen: ${words.standIn}`
      : o.confidence < MIN_CONFIDENCE
        ? `${words.where} is faint (${words.beside}): the edge taken may not be the face's`
        : `another edge about as clear lies beside ${words.where} (${words.beside}): the one taken may not be the face's`;
    unclear.set(o.index, why);
  }
  return unclear;
}
