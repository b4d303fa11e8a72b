/**
 * Outcome simulation (issue 6): a frontal photo and a treatment plan in, a labelled JPEG of the plan's
 * projected result out, for one variant (conservative, expected, upper), with what it intends to change and
 * what it did.
 *
 * 1. Contour's own landmarks (measured-face.ts, as the facial geometry: steady, with the lips and the face outline
 *    found in the pixels), the iris scale (mm per px) and the zone map.
 * 2. Dose → effect (domain `intendedChanges`): mm, grade and ratio changes, clamped by the clinician's maxima.
 * 3. Shape: one thin-plate-spline deformation per treated region (geometry.ts, warp.ts), zero outside it.
 * 4. Light and skin: retouching inside feathered zone windows (retouch.ts). A grade change is rendered so that
 *    Contour's own 0–4 estimate of the zone (severity.ts on skin.ts's indicators: the same figures the facial
 *    analysis shows) falls by the intended points, never below 0; ratio changes move their measure by the
 *    intended fraction. Each edit predicts its measure at any strength from its prepared planes; the strength
 *    is solved on that prediction (regula falsi) and the edit written once.
 * 5. The label band and metadata (label.ts), then a read-back of both: no simulation leaves without its label.
 *
 * Deterministic: the same bytes, plan, options and landmarks give byte-identical JPEGs (no randomness, no
 * clock, fixed evaluation order). Pixels outside every treated window are copied unchanged.
 */
import { createHash } from 'node:crypto';
import {
  DEFAULT_SEVERITY_TABLE,
  faceMeasurements,
  interpolateAnchors,
  intendedChanges,
  pixelScale,
  unsupportedItems,
  zoneShapes,
  type DoseItem,
  type HeadPose,
  type IntendedChange,
  type Point3,
  type SeverityTable,
  type Side,
  type SimulationVariant,
  type ZoneId,
  type ZoneIndicators,
  type ZoneLimit,
  type ZoneShape,
} from '@contour/domain';
import type { FaceFinder } from '../analyze.js';
import type { RgbImage } from '../face-result.js';
import { decodePhoto } from '../image.js';
import { refineFace } from '../measured-face.js';
import { SHADOW_REFERENCES, zoneIndicators } from '../skin.js';
import { steadyLandmarks, type RecentFaces, type SteadyFace } from '../steady-landmarks.js';
import { deformationsFor, frameOf } from './geometry.js';
import { SIMULATION_LABEL, burnLabel, encodeLabelled, readLabel } from './label.js';
import { edgeContrast, edgeLine, jowlShadow, medianLuminance } from './measure.js';
import { unionRect, type Point2, type Rect, type Window } from './raster.js';
import { edgeEdit, foldEdit, jowlEdit, linesEdit, projectionEdit, shadowEdit, textureEdit, toneEdit, type Edit, type Prediction, type ZoneGeometry } from './retouch.js';
import { displacementField, forwardPoint, warpImage } from './warp.js';

/** Bumped whenever the rendering changes, so stored simulations say which renderer drew them. */
export const SIMULATION_RENDERER = 'contour-simulate/1';

export interface SimulationPlan {
  items: DoseItem[];
}

export interface SimulateOptions {
  variant?: SimulationVariant;
  /** Finds the face (eight times: steady-landmarks.ts). Needed unless `face` is given. */
  finder?: FaceFinder;
  /** This photo's steady landmarks and pose (steady-landmarks.ts), when already known. */
  face?: { landmarks: Point3[]; pose: HeadPose };
  /** Where `face` came from, for the record (parameters.landmarks); default 'given'. */
  faceSource?: string;
  /** Steady faces found before, reused for the same photo bytes (and filled by this call when the face is found). */
  recentFaces?: RecentFaces;
  maxChangePerZone?: Partial<Record<ZoneId, ZoneLimit>>;
  /** The practice's severity table (default: DEFAULT_SEVERITY_TABLE), whose 0–4 estimates grades refer to. */
  severityTable?: SeverityTable;
  /** JPEG quality (default 95, chroma not subsampled: re-encoding moves untouched pixels by ~0.1 grey level). */
  quality?: number;
}

/** What the renderer did for one change (or a zone's changes of one kind, added up). */
export interface RenderedEffect {
  zoneId: ZoneId;
  side: Side;
  effects: IntendedChange['effect'][];
  kind: IntendedChange['kind'];
  measurementId?: string;
  /** The intended change (sum of the zone's changes of this kind). */
  intended: number;
  /** The measurement before and after rendering (before encoding), and the value aimed at. */
  before?: number;
  target?: number;
  after?: number;
  /** 0–1 strength of the edit, for retouching. */
  strength?: number;
  /** Why less than intended was drawn: the photo is already at the scale's floor, or the edit's full strength was not enough. */
  limitedBy?: 'photo' | 'strength';
  note?: string;
}

export interface SimulationResult {
  jpeg: Buffer;
  /** The exported image: the photo with the label band below it. */
  width: number;
  height: number;
  photo: { width: number; height: number };
  labelBand: Rect;
  label: string;
  variant: SimulationVariant;
  changes: IntendedChange[];
  rendered: RenderedEffect[];
  unsupported: { index: number; item: DoseItem; reason: string }[];
  /** Each treated region (a deformation or an edit): its rectangle and its weights over it (row-major, 0–1). */
  masks: { name: string; rect: Rect; weights: Float32Array }[];
  /** Union of the masks' rectangles (null when nothing was changed). */
  bbox: Rect | null;
  /**
   * Per photo pixel (row-major, photo size), the largest weight any treated window gives it: 0 where the photo
   * is untouched, 1 where an edit or deformation acts in full, in between across the feathered edges.
   */
  treated: Float32Array;
  /** The source photo's landmarks (Contour's own, measured-face.ts), and where the shape changes moved them (the zones drawn on). */
  landmarks: Point3[];
  movedLandmarks: Point3[];
  /** `landmarks` with the face oval's sides and the chin on the outline found in the pixels: what is measured and what the shape changes move. */
  measuredOn: Point3[];
  pose: HeadPose;
  parameters: {
    renderer: string;
    variant: SimulationVariant;
    mmPerPx: number;
    interPupilPx: number;
    /** How the landmarks were found: `steady detection (N averaged)`, or 'given'. */
    landmarks: string;
    quality: number;
    maxChangePerZone: Partial<Record<ZoneId, ZoneLimit>>;
  };
  sourceSha256: string;
  /** Wall-clock milliseconds per stage (not part of the deterministic output). */
  timings: Record<string, number>;
}

export class SimulationRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulationRefused';
  }
}

async function findFace(image: RgbImage, finder: FaceFinder): Promise<{ landmarks: Point3[]; pose: HeadPose; detections: number }> {
  const faces = await finder.detect(image);
  const face = faces.length === 1 ? faces[0] : undefined;
  if (!face) throw new SimulationRefused(faces.length === 0 ? 'No face was found in the photo.' : `${faces.length} faces were found; the simulation needs exactly one.`);
  // With the plain detection given, steadyLandmarks always returns a face.
  return (await steadyLandmarks(image, finder, face)) as SteadyFace;
}

/**
 * The strength (0–1) at which `value(strength)` reaches `target`, for a value that moves monotonically from
 * `before` (at 0) towards the target as the strength grows: regula falsi with the Illinois rule (the stale end's
 * value is halved, so a curved response still converges). `limited` when even full strength falls short.
 */
export function solveStrength(value: (strength: number) => number, before: number, target: number, tolerance: number): { strength: number; value: number; limited: boolean } {
  const direction = Math.sign(target - before);
  if (direction === 0 || !Number.isFinite(before) || !Number.isFinite(target)) return { strength: 0, value: before, limited: false };
  let lo = { s: 0, v: before };
  let hi = { s: 1, v: value(1) };
  if ((target - hi.v) * direction >= -tolerance) return { strength: 1, value: hi.v, limited: (target - hi.v) * direction > tolerance };
  let best = hi;
  let side = 0;
  for (let k = 0; k < 12; k++) {
    const span = hi.v - lo.v;
    const s = Math.min(hi.s, Math.max(lo.s, span === 0 ? (lo.s + hi.s) / 2 : lo.s + ((target - lo.v) * (hi.s - lo.s)) / span));
    const point = { s, v: value(s) };
    if (Math.abs(point.v - target) < Math.abs(best.v - target)) best = point;
    if (Math.abs(point.v - target) <= tolerance) break;
    if ((target - point.v) * direction > 0) {
      lo = point;
      if (side === -1) hi = { s: hi.s, v: target + (hi.v - target) / 2 };
      side = -1;
    } else {
      hi = point;
      if (side === 1) lo = { s: lo.s, v: target + (lo.v - target) / 2 };
      side = 1;
    }
  }
  return { strength: best.s, value: best.v, limited: false };
}

/** A zone's 0–4 estimate from raw indicators through the table, unrounded (severity.ts's formula). */
function severityFrom(table: SeverityTable, zoneId: ZoneId, indicators: ZoneIndicators): number | null {
  const entry = table[zoneId];
  if (!entry) return null;
  let sum = 0, weights = 0;
  for (const c of entry.indicators) {
    const raw = indicators[c.indicator];
    if (raw === undefined || !Number.isFinite(raw)) continue;
    sum += c.weight * Math.min(4, Math.max(0, interpolateAnchors(c.anchors, raw)));
    weights += c.weight;
  }
  return weights > 0 ? sum / weights : null;
}

const polygonOf = (zone: ZoneShape): Point2[] => zone.polygon as Point2[];

/** Simulates a plan on one frontal photo. */
export async function simulate(imageBytes: Uint8Array, plan: SimulationPlan, options: SimulateOptions = {}): Promise<SimulationResult> {
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string): void => {
    const now = performance.now();
    timings[name] = Math.round((now - t) * 10) / 10;
    t = now;
  };
  const variant = options.variant ?? 'expected';
  const quality = options.quality ?? 95;
  const table = options.severityTable ?? DEFAULT_SEVERITY_TABLE;
  const sourceSha256 = createHash('sha256').update(imageBytes).digest('hex');
  const photo = await decodePhoto(imageBytes);
  const source: RgbImage = { width: photo.width, height: photo.height, data: photo.data };
  lap('decode');

  let steady: { landmarks: Point3[]; pose: HeadPose };
  let landmarkSource: SimulationResult['parameters']['landmarks'] = options.faceSource ?? 'given';
  if (options.face) steady = options.face;
  else {
    if (!options.finder) throw new Error('simulate needs a face finder or the photo’s landmarks');
    const found = options.recentFaces?.get(sourceSha256) ?? (await findFace(source, options.finder));
    options.recentFaces?.set(sourceSha256, found);
    steady = found;
    landmarkSource = `steady detection (${found.detections} averaged)`;
  }
  // Drawn on Contour's own landmarks (measured-face.ts), so that analysing the export measures what was drawn; the
  // same photo and landmarks refine to the same points, so a re-render (the slider, another variant) reuses them.
  const refine = (): ReturnType<typeof refineFace> => refineFace(source, steady.landmarks);
  const landmarksHash = (): string => createHash('sha256').update(new Float64Array(steady.landmarks.flat())).digest('hex');
  const { landmarks, measuredOn } = options.recentFaces ? options.recentFaces.refined(`${sourceSha256}:${landmarksHash()}`, refine) : refine();
  const face = { landmarks, pose: steady.pose };
  lap('landmarks');
  const { scale, reason } = pixelScale(face.landmarks, face.pose);
  if (!scale) throw new SimulationRefused(`No mm scale for this photo, so no physical change can be drawn: ${reason}.`);
  const mmPerPx = scale.mmPerPx;
  const frame = frameOf(face.landmarks);
  const ipd = frame.ipdPx;
  const { measurements } = faceMeasurements(measuredOn, scale);
  const value = (id: string): number | undefined => measurements.find((m) => m.id === id)?.value;
  const changes = intendedChanges(plan.items, {
    variant,
    maxChangePerZone: options.maxChangePerZone,
    baseline: { upperVermilionMm: value('upper_vermilion_height'), lowerVermilionMm: value('lower_vermilion_height'), mouthWidthMm: value('mouth_width') },
  });
  const unsupported = unsupportedItems(plan.items);
  const zones = zoneShapes(face.landmarks, source);

  // 3. Shape.
  const windows: { name: string; window: Window }[] = [];
  const deformations = deformationsFor(changes, { landmarks: measuredOn, zones, mmPerPx, width: source.width, height: source.height });
  const field = displacementField(deformations);
  const image = warpImage(source, field);
  for (const d of deformations) windows.push({ name: d.name, window: d.window });
  const moved: Point3[] = field ? face.landmarks.map((p) => [...forwardPoint(field, [p[0], p[1]]), p[2]] as Point3) : face.landmarks;
  const movedZones = zoneShapes(moved, source);
  lap('warp');

  const rendered: RenderedEffect[] = [];
  const zoneOf = (zoneId: ZoneId, side: Side): ZoneShape | undefined => movedZones.find((z) => z.id === zoneId && z.side === side);
  const geometry = (zone: ZoneShape, featherIpd: number): ZoneGeometry => ({ polygons: [polygonOf(zone)], mmPerPx, ipdPx: ipd, featherPx: featherIpd * ipd });

  // Shape changes, measured on the moved landmarks (the control points get exactly their shift).
  for (const c of changes.filter((ch) => ch.kind === 'mm')) {
    const entry: RenderedEffect = { zoneId: c.zoneId, side: c.side, effects: [c.effect], kind: 'mm', intended: c.amount, ...(c.measurementId ? { measurementId: c.measurementId } : {}) };
    if (c.effect === 'projection') entry.note = 'drawn as shading (a mound lit from above, 60 % diffuse light); not measurable on a frontal photo';
    else if (c.effect === 'lift') entry.note = 'upward shift of the malar soft tissue; no frontal landmark measures it';
    rendered.push(entry);
  }

  // 4a. Projection as light.
  for (const c of changes.filter((ch) => ch.effect === 'projection' && ch.amount !== 0)) {
    const zone = zoneOf(c.zoneId, c.side);
    if (!zone) continue;
    const poly = polygonOf(zone);
    const apex: Point2 = [poly.reduce((a, p) => a + p[0], 0) / poly.length, poly.reduce((a, p) => a + p[1], 0) / poly.length];
    const edit = projectionEdit(image, geometry(zone, 0.05), apex, c.amount, 7.5, [-frame.uy[0], -frame.uy[1]]);
    if (!edit) continue;
    edit.apply(image, 1);
    windows.push({ name: `${c.zoneId}:${c.side}:projection`, window: edit.window });
  }

  // 4b. Grades: one edit per zone side, towards the zone's own 0–4 estimate. The estimate is measured once
  // (skin.ts, all zones together); each edit predicts how its indicators move with its strength (lines and
  // texture in proportion to their own measure at the image's resolution, shadow by its difference), the
  // strength is solved on the prediction and written once. The exported JPEG is re-measured by the tests.
  const gradeGroups = new Map<string, IntendedChange[]>();
  for (const c of changes.filter((ch) => ch.kind === 'grade' && ch.amount !== 0)) {
    const key = `${c.zoneId}|${c.side}`;
    gradeGroups.set(key, [...(gradeGroups.get(key) ?? []), c]);
  }
  const refZoneOf = (zone: ZoneShape): ZoneShape | undefined =>
    (SHADOW_REFERENCES[zone.id] ?? []).flatMap((id) => movedZones.filter((z) => z.id === id && (z.side === zone.side || z.side === 'centre')))[0];
  const graded = [...gradeGroups.values()].flatMap(([first]) => {
    const zone = first ? zoneOf(first.zoneId, first.side) : undefined;
    return zone ? [zone] : [];
  });
  const measured = new Map<ZoneShape, ZoneIndicators>();
  if (graded.length > 0) {
    const batch = [...new Set([...graded, ...graded.flatMap((z) => refZoneOf(z) ?? [])])];
    for (const skin of zoneIndicators(image, batch, ipd)) measured.set(skin.zone, skin.indicators);
  }
  lap('estimate');
  for (const group of gradeGroups.values()) {
    const { zoneId, side } = group[0] as IntendedChange;
    const intended = group.reduce((a, c) => a + c.amount, 0);
    const entry: RenderedEffect = { zoneId, side, effects: group.map((c) => c.effect), kind: 'grade', measurementId: `severity:${zoneId}`, intended };
    rendered.push(entry);
    const zone = zoneOf(zoneId, side);
    const calibration = table[zoneId];
    const indicators = zone ? measured.get(zone) : undefined;
    const before = indicators ? severityFrom(table, zoneId, indicators) : null;
    if (!zone || !calibration || !indicators || before === null) {
      entry.note = !calibration ? 'no 0–4 estimate for this zone in the severity table; not drawn' : 'the zone could not be measured on this photo; not drawn';
      continue;
    }
    const target = Math.max(0, Math.min(4, before) + intended);
    Object.assign(entry, { before: round(before, 3), target: round(target, 3) });
    if (target >= before) {
      Object.assign(entry, { after: round(before, 3), strength: 0, limitedBy: 'photo', note: 'the estimate is already at the scale’s floor' });
      continue;
    }
    const usesShadow = calibration.indicators.some((i) => i.indicator === 'shadow');
    const usesLines = calibration.indicators.some((i) => i.indicator === 'lines');
    let edit: Edit | null = null;
    if (usesShadow) {
      const ref = refZoneOf(zone);
      const referenceY = ref ? medianLuminance(image, polygonOf(ref)) : NaN;
      // A wide feather (5 mm each side): a lift of up to a third fades over a centimetre, below what reads as an edge.
      if (Number.isFinite(referenceY)) edit = usesLines ? foldEdit(image, geometry(zone, 0.08), referenceY) : shadowEdit(image, geometry(zone, 0.08), referenceY);
    } else if (usesLines) edit = linesEdit(image, geometry(zone, 0.03));
    if (!edit) {
      entry.note = 'no edit applies to this zone’s estimate; not drawn';
      continue;
    }
    const start = edit.predict(0);
    const predicted = (s: number): number => {
      const at = edit.predict(s);
      const next: ZoneIndicators = { ...indicators };
      if (at.lines !== undefined && start.lines && indicators.lines !== undefined) next.lines = indicators.lines * (at.lines / start.lines);
      if (at.shadow !== undefined && start.shadow !== undefined && indicators.shadow !== undefined) next.shadow = indicators.shadow + (at.shadow - start.shadow);
      return severityFrom(table, zoneId, next) ?? before;
    };
    const solved = solveStrength(predicted, before, target, 0.02);
    edit.apply(image, solved.strength);
    Object.assign(entry, { after: round(solved.value, 3), strength: round(solved.strength, 3), ...(solved.limited ? { limitedBy: 'strength' as const, note: 'the full edit does not reach the target on this photo (what remains is not a line or shadow the edit may touch, e.g. brows or hair in the zone)' } : {}) });
    windows.push({ name: `${zoneId}:${side}:${entry.effects.join('+')}`, window: edit.window });
  }

  // 4c. Ratios: the texture and pigment indicators, edge contrast and jaw shadow, by the intended fraction.
  for (const c of changes.filter((ch) => ch.kind === 'ratio' && ch.amount !== 0)) {
    const entry: RenderedEffect = { zoneId: c.zoneId, side: c.side, effects: [c.effect], kind: 'ratio', intended: c.amount, ...(c.measurementId ? { measurementId: c.measurementId } : {}) };
    rendered.push(entry);
    const zone = zoneOf(c.zoneId, c.side);
    let edit: Edit | null = null;
    let quantity: keyof Prediction | null = null;
    // The edges and the jaw's shadow are promised relative to the source photo, where other edits of the same
    // treatment (the outline moved, the border sharpened) have already moved them: their target is set there.
    let onSource: number | null = null;
    const sourceZone = zones.find((z) => z.id === c.zoneId && z.side === c.side);
    if ((c.effect === 'texture' || c.effect === 'tone') && zone) {
      edit = c.effect === 'texture' ? textureEdit(image, geometry(zone, 0.03)) : toneEdit(image, geometry(zone, 0.03));
      quantity = c.effect === 'texture' ? 'texture' : 'pigment';
    } else if (c.effect === 'border_definition' && (c.zoneId === 'upper_lip' || c.zoneId === 'lower_lip')) {
      edit = edgeEdit(image, edgeLine(moved, c.zoneId, 'centre'), mmPerPx, 0.6, 1.5);
      quantity = 'edge';
      onSource = edgeContrast(source, edgeLine(face.landmarks, c.zoneId, 'centre'), mmPerPx);
    } else if (c.effect === 'jawline_definition' && c.side !== 'centre') {
      edit = edgeEdit(image, edgeLine(moved, 'jawline', c.side), mmPerPx, 0.8, 2);
      quantity = 'edge';
      onSource = edgeContrast(source, edgeLine(face.landmarks, 'jawline', c.side), mmPerPx);
    } else if (c.effect === 'jowl_softening' && zone && sourceZone) {
      edit = jowlEdit(image, geometry(zone, 0.03));
      quantity = 'jowl';
      onSource = jowlShadow(source, polygonOf(sourceZone), mmPerPx, ipd);
    }
    const q = quantity;
    if (!edit || !q) {
      entry.note = 'this zone cannot be drawn on this photo';
      continue;
    }
    const current = edit;
    const value = (s: number): number => current.predict(s)[q] ?? NaN;
    const before = value(0);
    const target = (onSource !== null && Number.isFinite(onSource) ? onSource : before) * (1 + c.amount);
    const solved = solveStrength(value, before, target, Math.abs(before) * 0.005);
    edit.apply(image, solved.strength);
    Object.assign(entry, { before: round(before, 4), target: round(target, 4), after: round(solved.value, 4), strength: round(solved.strength, 3), ...(solved.limited ? { limitedBy: 'strength' as const } : {}) });
    windows.push({ name: `${c.zoneId}:${c.side}:${c.effect}`, window: edit.window });
  }
  lap('retouch');

  // The treated mask: the largest weight of any window at each pixel.
  const treated = new Float32Array(source.width * source.height);
  for (const { window } of windows) {
    const { rect, data } = window;
    for (let row = 0; row < rect.height; row++) {
      for (let col = 0; col < rect.width; col++) {
        const o = (rect.y + row) * source.width + rect.x + col;
        treated[o] = Math.max(treated[o] as number, data[row * rect.width + col] as number);
      }
    }
  }

  // 5. Label, encode, read back.
  const labelled = burnLabel(image, variant);
  const jpeg = await encodeLabelled(labelled, variant, quality);
  const check = await readLabel(jpeg);
  if (!check.ok) throw new Error(`The simulation's label could not be read back (${JSON.stringify({ pixels: check.pixels, exif: check.exif, xmp: check.xmp })}); nothing is exported without it.`);
  lap('label+encode');

  return {
    jpeg,
    width: labelled.width,
    height: labelled.height,
    photo: { width: source.width, height: source.height },
    labelBand: { x: 0, y: source.height, width: source.width, height: labelled.height - source.height },
    label: SIMULATION_LABEL,
    variant,
    changes,
    rendered,
    unsupported,
    masks: windows.map(({ name, window }) => ({ name, rect: window.rect, weights: window.data })),
    bbox: unionRect(windows.map((w) => w.window.rect)),
    treated,
    landmarks: face.landmarks,
    movedLandmarks: moved,
    measuredOn,
    pose: face.pose,
    parameters: { renderer: SIMULATION_RENDERER, variant, mmPerPx, interPupilPx: ipd, landmarks: landmarkSource, quality, maxChangePerZone: options.maxChangePerZone ?? {} },
    sourceSha256,
    timings,
  };
}

const round = (v: number, digits: number): number => Math.round(v * 10 ** digits) / 10 ** digits;
