/**
 * The lips' meeting line and outer vermilion borders at the midline, found in the pixels. The face-mesh model
 * (without its attention/refinement stage, which is not shipped offline) pulls the lip points towards the mean
 * face: a lip made 3.5 mm fuller moves its mesh border point by 0.6 mm (docs/validation.md, "Lip borders").
 *
 * The borders are searched for straight up and down in the face frame (perpendicular to the inter-pupil line)
 * from the mesh points: a* ∓ L* of a ±1 mm band of columns, median across the band, smoothed; the strongest step
 * into the lip (upper border, going down) or out of it (lower border, going up from below) within ±4 mm of the
 * mesh point (nearer ones preferred, never past the meeting line), placed at the step's skin-side foot, to a
 * fraction of a pixel. The upper border is first traced across the lip (`tracedUpperBorder`), and the step taken is
 * the one nearest the path. The lower border, which competes with the shadow below it, is searched in five columns
 * 1 mm apart and fitted (`fitAcross`). A weak or ambiguous step keeps the mesh point.
 *
 * The meeting line (where the closed lips touch) is the darkest L* valley between the mesh's inner lip points
 * (from 1 mm beyond them, at least ±2.5 mm), in five columns fitted the same way. The mesh's inner points sit up
 * to 2 mm from it (and up to 11 mm apart on closed lips), and when a lip is made fuller they spread apart with the
 * outer ones (0.1–0.8 mm on the closed-loop portraits), which took a third to a half off the lower lip's measured
 * change; the line found in the pixels moves less than 0.25 mm. Where teeth show between the lips (parted), the
 * mesh's inner points stay; on closed lips whose line is not seen clearly they meet at their mid-point.
 * Deterministic and bounded: a few hundred samples per edge.
 */
import { pixelScale } from '@contour/domain/face-geometry';
import { MESH, type Point3 } from '@contour/domain/face-mesh';
import { ACROSS_CLEAR, ACROSS_FIT_MM, ACROSS_MM, PER_PX, edgeAlong, fitAcross, profileAlong, taper, type EdgeSearch, type FoundPoint, type LineEdge } from './edge-profile.js';
import type { RgbImage } from './face-result.js';
import { frameOf, type Frame } from './simulate/geometry.js';
import type { Point2 } from './simulate/raster.js';
import { LOWER_LIP_INNER, LOWER_LIP_OUTER, UPPER_LIP_INNER, UPPER_LIP_OUTER } from './simulate/measure.js';
import { curveThrough, tracePath, type TraceLine } from './outline-trace.js';

/** Point 0 (upper vermilion border), 17 (lower) or the meeting line (13 with 14, at their mid-point), refined. */
export type LipBorder = FoundPoint;

export interface LipBorders {
  line: LipBorder;
  /** Teeth show between the lips (or the photo has no scale): no one meeting line, and the inner lip points stay. */
  parted: boolean;
  upper: LipBorder;
  lower: LipBorder;
  mmPerPx: number;
}

/** Search reach from the mesh point, each way (mm). */
export const SEARCH_MM = 4;
/** Below this the mesh point is kept. */
export const MIN_CONFIDENCE = 0.15;
/**
 * A border or meeting line used below this confidence is faint: the figures measured on it are estimates
 * (`unclearLipEdges`). On the London set, vermilion heights on a line and border at least this clear were 0.42 mm
 * (upper) and 0.90 mm (lower) from the templates, the others 3.80 and 1.30 mm; in the closed loop, readings clear in
 * both the photo and its simulation followed the promise on 158 of 166, the others on 16 of 38 (docs/validation.md).
 */
export const CLEAR_CONFIDENCE = 0.5;
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
/**
 * The feature is a* − w·L*: at the upper border the pale white roll gives way to darker red lip, so light helps
 * (w = 1); below the lower lip the shadow under it is darker than the lip, so light counts the other way (w = −1):
 * redness alone fades over 2–3 mm there, and a ramp that shallow, stretched by a fuller lip, followed about 0.6
 * of the change. The border is where the step has fallen to a fraction of its peak on the skin side: half at the
 * upper border; three quarters at the lower, whose step is wider (the shadow). Chosen on the London templates and
 * the closed-loop portraits (docs/validation.md, "Lip borders").
 */
const lipSearch = (lightWeight: number, foot: number): EdgeSearch => ({
  feature: (lab) => lab[1] - lightWeight * lab[0],
  sign: 1,
  bandMm: BAND_MM,
  smoothMm: SMOOTH_MM,
  clearStep: CLEAR_STEP,
  priorMm: PRIOR_MM,
  foot,
});
const UPPER = lipSearch(1, 0.5);
const LOWER = lipSearch(-1, 0.75);

/**
 * The upper border is traced across the lip as well as searched at the midline: on columns 1 mm apart, 8 mm either
 * side of it, guided by the mesh's outer upper-lip line (which follows the cupid's bow), the path of a* − L* steps
 * that continues best from column to column (outline-trace.ts), with a weak preference (3 mm) for the guide. At the
 * midline alone, a pale philtrum or the white roll in the bow's dip can offer a step about as strong as the border's,
 * or none, and the choice flipped between a photo and its simulation (031: 6 mm). The border's foot is then found at
 * the midline as before, on the step nearest where the path crosses it (a 0.75 mm preference). The lower border is
 * traced the same way (a* + L*, guided by the outer lower-lip line) where its five midline columns disagree.
 */
const TRACE_HALF_MM = 8;
const TRACE_PRIOR_MM = 3;
const NEAR_PRIOR_MM = 0.75;

/**
 * Frame y of the upper (`upper`) or lower border at the midline column through `p` (mesh point 0 or 17), traced
 * between frame y `from` and `to` there, its foot found near where the path crosses the midline; the path's
 * confidence.
 */
function tracedBorder(image: RgbImage, frame: Frame, p: Point2, from: number, to: number, mmPerPx: number, upper: boolean): { y: number; confidence: number } | null {
  const guide = curveThrough((upper ? UPPER_LIP_OUTER : LOWER_LIP_OUTER).map((i) => frame.at(i)));
  const y0 = guide(p[0]);
  // The same reach about the guide on every column: into the skin (outwards: up from the upper lip, down from the
  // lower) and into the lip.
  const [skin, lip] = upper ? [y0 - from, to - y0] : [to - y0, y0 - from];
  const search = upper ? UPPER : LOWER;
  const reach = { outerMm: skin * mmPerPx, innerMm: lip * mmPerPx, expectMm: 0, priorMm: TRACE_PRIOR_MM, sign: 1 as const, feature: search.feature };
  if (reach.outerMm + reach.innerMm < 1) return null;
  const out = upper ? -1 : 1;
  const lines: TraceLine[] = [];
  for (let k = -TRACE_HALF_MM; k <= TRACE_HALF_MM; k++) {
    const x = p[0] + k / mmPerPx;
    lines.push({ base: [x, guide(x)], out: [0, out] });
  }
  const read = tracePath(image, frame, lines, reach, mmPerPx)?.(TRACE_HALF_MM);
  if (!read || !Number.isFinite(read.outMm)) return null;
  const crossing = y0 + (out * read.outMm) / mmPerPx;
  // Searched from the skin into the lip, as at the midline alone.
  const near = upper
    ? edgeAlong(image, frame, [p[0], from], [0, 1], to - from, crossing - from, { ...search, priorMm: NEAR_PRIOR_MM }, mmPerPx)
    : edgeAlong(image, frame, [p[0], to], [0, -1], to - from, to - crossing, { ...search, priorMm: NEAR_PRIOR_MM }, mmPerPx);
  return near && { y: upper ? from + near.t : to - near.t, confidence: read.confidence };
}

/**
 * The meeting line: L* (median over ±0.5 mm of a column, smoothed over 0.25 mm), searched from 1 mm above the
 * mesh's upper inner point to 1 mm below its lower one, and at least this far either side of their mid-point (mm).
 */
const LINE = { feature: (lab: [number, number, number]) => lab[0], bandMm: 0.5, smoothMm: 0.25 };
const LINE_REACH_MM = 2.5;
const LINE_BEYOND_MM = 1;
/** A valley this deep (L* below the lesser of the brightest within 1.5 mm above and below) is a clear line. */
const LINE_CLEAR_DEPTH = 2;
const LINE_MIN_CONFIDENCE = 0.5;
/** White enough to be teeth: L* above, a* below (teethBetween). */
const TEETH_L = 60;
const TEETH_A = 8;
/** The inner lines' ends (the mouth's inner corners), where moving them onto the line found tapers to nothing. */
const MOUTH_CORNERS = [UPPER_LIP_INNER[0] as number, UPPER_LIP_INNER[UPPER_LIP_INNER.length - 1] as number] as const;

/** The darkest valley in a column's L* profile `s` (`LINE`, from frame y `top` down): where (y) and how clear. */
function valleyIn(s: Float64Array, top: number, mmPerPx: number): { pos: number; confidence: number } | null {
  const v = (k: number): number => s[k] as number;
  let best = -1;
  for (let k = 1; k < s.length - 1; k++) if (v(k) <= v(k - 1) && v(k) <= v(k + 1) && (best < 0 || v(k) < v(best))) best = k;
  if (best < 0) return null;
  const w = Math.round((1.5 / mmPerPx) * PER_PX);
  let above = -Infinity, below = -Infinity;
  for (let k = Math.max(0, best - w); k < best; k++) above = Math.max(above, v(k));
  for (let k = best + 1; k <= Math.min(s.length - 1, best + w); k++) below = Math.max(below, v(k));
  const d = v(best - 1) - 2 * v(best) + v(best + 1);
  const t = best + (d > 0 ? (0.5 * (v(best - 1) - v(best + 1))) / d : 0);
  return { pos: top + t / PER_PX, confidence: Math.min(1, (Math.min(above, below) - v(best)) / LINE_CLEAR_DEPTH) };
}

/**
 * The lips' meeting line and the upper (mesh point 0) and lower (17) vermilion borders at the midline, found in
 * `image` near the mesh points of `landmarks` (478 points, ideally steady: steady-landmarks.ts); the borders are
 * searched up to the line where it is found. `mmPerPx` defaults to the iris scale.
 */
export function findLipBorders(image: RgbImage, landmarks: readonly Point3[], mmPerPx?: number): LipBorders {
  const scale = mmPerPx ?? pixelScale(landmarks, { yaw: 0, pitch: 0, roll: 0 }).scale?.mmPerPx ?? NaN;
  const frame = frameOf(landmarks);
  const reach = SEARCH_MM / scale;
  const margin = INNER_MARGIN_MM / scale;
  const { line, parted } = meetingLine(image, frame, scale);
  // The borders are searched up to the line found, else up to the mesh's inner lip points.
  const lineY = frame.level(line.found)[1];
  const [upperInner, lowerInner] = line.used ? [lineY, lineY] : [frame.at(MESH.stomion)[1], frame.at(MESH.lowerLipInner)[1]];
  const inner = (upperInner + lowerInner) / 2;
  const border = (index: number, sign: 1 | -1): LipBorder => {
    const p = frame.at(index);
    const mesh = frame.image(index);
    const none: LipBorder = { index, mesh, found: mesh, shiftMm: 0, confidence: 0, used: false };
    if (!Number.isFinite(scale)) return none;
    // The upper border lies above the mouth's inner line, the lower one below it.
    const [from, to] = sign > 0 ? [p[1] - reach, Math.min(p[1] + reach, upperInner - margin, inner - margin)] : [Math.max(p[1] - reach, lowerInner + margin, inner + margin), p[1] + reach];
    // One midline column of the lower border, searched up from the skin below it into the lip.
    const lowerColumn = (x: number): LineEdge | null => {
      const edge = edgeAlong(image, frame, [x, to], [0, -1], to - from, to - p[1], LOWER, scale);
      return edge && { at: (x - p[0]) * scale, pos: to - edge.t, confidence: edge.confidence };
    };
    let y: number, confidence: number, used: boolean;
    // The lower border competes with the shadow below it, and one column's choice flipped between a photo and its
    // mirror: five columns 1 mm apart, fitted, and taken where they agree. Where they do not (as in a simulation
    // whose fuller lip stretched the border's ramp until they read it apart), it is traced across the lip as the
    // upper one is: left at the mesh point, a border found in one photo of a pair and not in the other read as the
    // lip changing by its distance from the mesh (144: −1.9 mm for a 0.9 mm fuller lip).
    const fit = sign > 0 ? null : fitAcross(ACROSS_MM.map((dx) => lowerColumn(p[0] + dx / scale)), MIN_CONFIDENCE, ACROSS_CLEAR, ACROSS_FIT_MM / scale);
    if (fit?.used) {
      ({ pos: y, confidence, used } = fit);
    } else {
      const traced = tracedBorder(image, frame, p, from, to, scale, sign > 0);
      if (!traced) return { ...none, confidence: fit?.confidence ?? 0 };
      ({ y, confidence } = traced);
      used = confidence >= MIN_CONFIDENCE;
    }
    const found = frame.toImage([p[0], y]);
    return { index, mesh, found: used ? found : mesh, shiftMm: (sign > 0 ? p[1] - y : y - p[1]) * scale, confidence, used };
  };
  return { line, parted, upper: border(MESH.upperLipTop, 1), lower: border(MESH.lowerLipBottom, -1), mmPerPx: scale };
}

/**
 * Whether teeth show in the search span (the lips are parted, so there is no one line to find): its lightest point on
 * the midline is white (L* above 60, a* below 8). On the London set this holds on the 6 of 10 smiles that show teeth
 * (L* 71–84, a* 1–4) and on none of the 102 neutral portraits (the lightest points there are lips: a* 5–34 with
 * L* up to 61).
 */
function teethBetween(image: RgbImage, frame: Frame, top: Point2, length: number, light: Float64Array, mmPerPx: number): boolean {
  const red = profileAlong(image, frame, top, [0, 1], length, { ...LINE, feature: (lab) => lab[1] }, mmPerPx);
  let k = 0;
  for (let j = 1; j < light.length; j++) if ((light[j] as number) > (light[k] as number)) k = j;
  return (light[k] as number) > TEETH_L && (red[k] as number) < TEETH_A;
}

/** The closed lips' meeting line at the midline (`LipBorder` of 13, its mesh point the mid-point of 13 and 14). */
function meetingLine(image: RgbImage, frame: Frame, mmPerPx: number): { line: LipBorder; parted: boolean } {
  const [a, b] = [frame.image(MESH.stomion), frame.image(MESH.lowerLipInner)];
  const mesh: Point2 = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
  const none: LipBorder = { index: MESH.stomion, mesh, found: mesh, shiftMm: 0, confidence: 0, used: false };
  if (!Number.isFinite(mmPerPx)) return { line: none, parted: true };
  const [cx, cy] = frame.level(mesh);
  // The mesh's inner lip points can lie far apart on closed lips (up to 11 mm on the London set), so the search
  // spans them; on closed lips the meeting line is the darkest valley in reach.
  const reach = Math.max(LINE_REACH_MM, ((frame.at(MESH.lowerLipInner)[1] - frame.at(MESH.stomion)[1]) * mmPerPx) / 2 + LINE_BEYOND_MM) / mmPerPx;
  const top = cy - reach;
  const light = ACROSS_MM.map((dx) => profileAlong(image, frame, [cx + dx / mmPerPx, top], [0, 1], 2 * reach, LINE, mmPerPx));
  if (teethBetween(image, frame, [cx, top], 2 * reach, light[ACROSS_MM.indexOf(0)] as Float64Array, mmPerPx)) return { line: none, parted: true };
  const columns = ACROSS_MM.map((dx, k): LineEdge | null => {
    const v = valleyIn(light[k] as Float64Array, top, mmPerPx);
    return v && { at: dx, pos: v.pos, confidence: v.confidence };
  });
  const fit = fitAcross(columns, LINE_MIN_CONFIDENCE, ACROSS_CLEAR, ACROSS_FIT_MM / mmPerPx);
  if (!Number.isFinite(fit.pos)) return { line: { ...none, confidence: fit.confidence }, parted: false };
  const found = frame.toImage([cx, fit.pos]);
  // Positive when the line found lies below the mesh's.
  return { line: { ...none, found: fit.used ? found : mesh, shiftMm: (fit.pos - cy) * mmPerPx, confidence: fit.confidence, used: fit.used }, parted: false };
}

/**
 * `landmarks` with the lips found in the pixels (where found clearly): each inner lip line moved onto the meeting
 * line at the midline (13 and 14 onto it, the rest of the line by the same offset tapering to none at the mouth's
 * corners, so the inner lines stay smooth; on closed lips whose line was not found, onto 13 and 14's mid-point; where
 * teeth show, not at all), and points 0 and 17 onto the vermilion borders.
 */
export function refineLipLandmarks(
  image: RgbImage,
  landmarks: readonly Point3[],
  mmPerPx?: number,
  which: readonly ('line' | 'upper' | 'lower')[] = ['line', 'upper', 'lower'],
): { landmarks: Point3[]; borders: LipBorders } {
  const borders = findLipBorders(image, landmarks, mmPerPx);
  const out = landmarks.map((p) => [...p] as Point3);
  const { line } = borders;
  // Where the line was not found on closed lips, the inner lines meet at the mesh's inner points' mid-point: left
  // apart (up to 11 mm on closed lips), a line found in one photo and not in another read as both lips changing.
  if (which.includes('line') && !borders.parted) {
    const frame = frameOf(landmarks);
    const centre = frame.level(line.mesh)[0];
    const half = Math.abs(frame.at(MOUTH_CORNERS[1])[0] - frame.at(MOUTH_CORNERS[0])[0]) / 2;
    for (const [inner, at] of [[UPPER_LIP_INNER, MESH.stomion], [LOWER_LIP_INNER, MESH.lowerLipInner]] as const) {
      const [dx, dy] = [line.found[0] - frame.image(at)[0], line.found[1] - frame.image(at)[1]];
      for (const i of inner.slice(1, -1)) {
        const w = taper(frame.at(i)[0] - centre, half);
        const p = out[i] as Point3;
        out[i] = [p[0] + w * dx, p[1] + w * dy, p[2]];
      }
    }
  }
  for (const b of (['upper', 'lower'] as const).filter((w) => which.includes(w)).map((w) => borders[w])) {
    if (!b.used) continue;
    const z = (out[b.index] as Point3)[2];
    out[b.index] = [b.found[0], b.found[1], z];
  }
  return { landmarks: out, borders };
}

/** The lips' edges in the clinic's words. */
const LIP_WORDS = [
  { key: 'line', index: MESH.stomion, where: "the lips' meeting line", standIn: "the face model's inner lip points stand in" },
  { key: 'upper', index: MESH.upperLipTop, where: "the upper lip's border", standIn: "the face model's point stands in" },
  { key: 'lower', index: MESH.lowerLipBottom, where: "the lower lip's border", standIn: "the face model's point stands in" },
] as const;

/**
 * The lip edges not clearly seen (not used, or used below `CLEAR_CONFIDENCE`), by mesh index (the meeting line as 13),
 * each with why and what stood in (for `faceGeometry`'s `unclearEdges`).
 */
export function unclearLipEdges(borders: LipBorders): Map<number, string> {
  const unclear = new Map<number, string>();
  if (borders.parted) unclear.set(MESH.stomion, "teeth show between the lips: the lip heights are measured to the face model's inner lip points");
  for (const { key, index, where, standIn } of LIP_WORDS) {
    const b = borders[key];
    if (unclear.has(index) || (b.used && b.confidence >= CLEAR_CONFIDENCE)) continue;
    unclear.set(index, b.used ? `${where} is faint: where it lies is uncertain` : `${where} is not clearly seen: ${standIn}`);
  }
  return unclear;
}
