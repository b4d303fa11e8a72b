/**
 * From intended mm changes to deformations: which landmarks move, by how much and which way (in the face's
 * own frame, so a tilted head is handled), which must stay, and the treated region each may act in.
 *
 * - Lips: the outer vermilion border moves away from the lips' meeting line (up for the upper lip, down for
 *   the lower), each border point in proportion to the lip's own height there, so the corners stay put and the
 *   lip keeps its shape; the meeting line, the other lip and the skin ring at the nose base and chin stay.
 * - Chin: menton and the chin outline move down (a longer chin as seen frontally), tapering to nothing 25 mm to
 *   either side; the lower lip and the jaw beyond stay.
 * - Cheek: the malar soft tissue lifts (a Gaussian around the malar apex, σ 10 mm) and the outline at the
 *   cheekbone moves outwards (Gaussian around the zygion, 12 mm vertically); eyelids, nose and mouth stay.
 * - Jaw: the outline at the angle moves out (filler) or in (masseter toxin, reaching further up over the
 *   muscle's bulk), Gaussian around the gonion (σ 15 mm; 20 mm upwards for the masseter), with anchors 13 mm
 *   inside the outline.
 * Every deformation is confined to its zone polygons grown by a margin (4–5 × the shift, within 0.05–0.2 IPD).
 */
import { mirrorIndex, type IntendedChange, type Point3, type Side, type ZoneId, type ZoneShape } from '@contour/domain';
import { featheredWindow, clamp, type Point2, type Window } from './raster.js';
import type { Deformation } from './warp.js';
import { LOWER_LIP_INNER, LOWER_LIP_OUTER, UPPER_LIP_INNER, UPPER_LIP_OUTER } from './measure.js';

/** The face frame (as domain face-frame.ts): origin between the pupils, x towards the patient's left, y down. */
export interface Frame {
  ipdPx: number;
  /** Image directions of the frame's +x and +y (down) axes. */
  ux: Point2;
  uy: Point2;
  at(i: number): Point2;
  image(i: number): Point2;
  /** Frame coordinates of an image point. */
  level(p: Point2): Point2;
  /** A frame vector (px) as an image vector. */
  vec(dx: number, dy: number): Point2;
  /** A frame point as an image point. */
  toImage(p: Point2): Point2;
}

export function frameOf(landmarks: readonly Point3[]): Frame {
  const right = landmarks[473] as Point3;
  const left = landmarks[468] as Point3;
  const ox = (right[0] + left[0]) / 2, oy = (right[1] + left[1]) / 2;
  const angle = Math.atan2(left[1] - right[1], left[0] - right[0]);
  const c = Math.cos(angle), s = Math.sin(angle);
  const level = (p: Point2): Point2 => [c * (p[0] - ox) + s * (p[1] - oy), -s * (p[0] - ox) + c * (p[1] - oy)];
  const image = (i: number): Point2 => [(landmarks[i] as Point3)[0], (landmarks[i] as Point3)[1]];
  return {
    ipdPx: Math.hypot(left[0] - right[0], left[1] - right[1]),
    ux: [c, s],
    uy: [-s, c],
    at: (i) => level(image(i)),
    image,
    level,
    vec: (dx, dy) => [c * dx - s * dy, s * dx + c * dy],
    toImage: ([x, y]) => [ox + c * x - s * y, oy + s * x + c * y],
  };
}

const RIGHT_LOWER_LID = [33, 7, 163, 144, 145, 153, 154, 155, 133];
const RIGHT_NOSE_SIDE = [129, 98, 64, 48, 115, 220, 45, 4];
const NOSE_BASE_RING = [164, 167, 165, 92, 186, 57];
const CHIN_ANCHORS = [200, 201, 208, 43];
const CHIN_OUTLINE = [152, 148, 176, 149, 150, 136];
const RIGHT_CHEEK_OUTLINE = [162, 127, 234, 93, 132];
const RIGHT_CHEEK_INNER = [50, 101, 118, 117, 205, 36, 187, 123, 147];
const RIGHT_JAW_OUTLINE = [93, 132, 58, 172, 136, 150, 149];

const both = (indices: readonly number[]): number[] => [...new Set([...indices, ...indices.map(mirrorIndex)])];
const sided = (indices: readonly number[], side: Side): number[] => (side === 'left' ? indices.map(mirrorIndex) : [...indices]);

function zonePolygons(zones: readonly ZoneShape[], ids: readonly ZoneId[], side?: Side): Point2[][] {
  return zones.filter((z) => ids.includes(z.id) && (side === undefined || z.side === side || z.side === 'centre')).map((z) => z.polygon as Point2[]);
}

/** Convex hull (monotone chain) of points, for regions spanning a zone and the outline beside it. */
function hull(points: Point2[]): Point2[] {
  const p = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (p.length < 3) return p;
  const cross = (o: Point2, a: Point2, b: Point2): number => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Point2[] = [], upper: Point2[] = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2] as Point2, lower[lower.length - 1] as Point2, q) <= 0) lower.pop();
    lower.push(q);
  }
  for (const q of [...p].reverse()) {
    while (upper.length >= 2 && cross(upper[upper.length - 2] as Point2, upper[upper.length - 1] as Point2, q) <= 0) upper.pop();
    upper.push(q);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}

/**
 * Each moving point with two companions along its shift, `halfWidthPx` ahead and `innerPx` behind, moving the
 * same way: a landmark sits on an edge only to within a pixel or two (the mesh's lower-lip border can sit 2–3 mm
 * inside the visible one), so the band around it moves as one and the visible edge gets the full shift.
 */
function banded(moves: Deformation['moves'], halfWidthPx: number, innerPx = halfWidthPx): Deformation['moves'] {
  return moves.flatMap((m) => {
    const length = Math.hypot(m.shift[0], m.shift[1]);
    if (!(length > 1e-6)) return [m];
    const u: Point2 = [m.shift[0] / length, m.shift[1] / length];
    const at = (k: number): Point2 => [m.from[0] + k * u[0], m.from[1] + k * u[1]];
    return [m, { from: at(-innerPx), shift: m.shift }, { from: at(halfWidthPx), shift: m.shift }];
  });
}

export interface GeometryContext {
  /**
   * Contour's landmarks (measured-face.ts `measuredOn`): the lips, the face oval's sides and the chin on the edges
   * found in the pixels, so shapes move where they are seen (the mesh's outline sits 2–3 mm inside, menton 4.5 mm
   * above the chin's edge).
   */
  landmarks: readonly Point3[];
  zones: readonly ZoneShape[];
  mmPerPx: number;
  width: number;
  height: number;
}

const grow = (frame: Frame, shiftPx: number, factor: number, max = 0.2): number => clamp(factor * Math.abs(shiftPx), 0.05 * frame.ipdPx, max * frame.ipdPx);

function vermilion(ctx: GeometryContext, frame: Frame, upper: boolean, mm: number): Deformation | null {
  const shift = mm / ctx.mmPerPx;
  const outer = upper ? UPPER_LIP_OUTER : LOWER_LIP_OUTER;
  const inner = upper ? UPPER_LIP_INNER : LOWER_LIP_INNER;
  const mid = Math.abs(frame.at(outer[5] as number)[1] - frame.at(inner[5] as number)[1]);
  if (!(mid > 0)) return null;
  const direction = upper ? -1 : 1;
  // The band reaches 3 mm beyond the border into the skin and up to 2 mm (at most a third of the lip) back into it.
  const moves = outer.slice(1, -1).flatMap((o, k) => {
    const local = Math.abs(frame.at(o)[1] - frame.at(inner[k + 1] as number)[1]);
    const move = { from: frame.image(o), shift: frame.vec(0, direction * shift * Math.min(1.5, local / mid)) };
    return banded([move], 3 / ctx.mmPerPx, Math.min(2 / ctx.mmPerPx, local / 3));
  });
  const keep = upper ? [...inner, ...LOWER_LIP_OUTER, ...LOWER_LIP_INNER, ...both(NOSE_BASE_RING)] : [...inner, ...UPPER_LIP_OUTER, ...UPPER_LIP_INNER, ...both(CHIN_ANCHORS)];
  const fixed = [...new Set([...keep, 61, 291])].map((i) => frame.image(i));
  const polygons = zonePolygons(ctx.zones, upper ? ['upper_lip', 'perioral'] : ['lower_lip', 'perioral', 'chin']);
  const window = featheredWindow(polygons, 0, grow(frame, shift, 4, 0.15), ctx.width, ctx.height);
  if (!window) return null;
  return { name: `${upper ? 'upper' : 'lower'}_lip:centre:vermilion_height`, moves, fixed, window, fade: ownSideOf(window, frame, inner, upper ? -1 : 1, ctx.mmPerPx) };
}

/**
 * A fade over `window` (`Deformation.fade`): 1 on the lip's own side of the meeting line (the inner line `inner`;
 * `side` +1 for the lower lip, whose side has the larger frame y), falling to 0 over 1 mm beyond it. The other lip
 * stays: the spline is pinned to it only at its landmarks, and the fields of the two lips add, so a fuller lower lip
 * bent the upper lip's edge between them (0.2 mm at its border).
 */
export function ownSideOf(window: Window, frame: Frame, inner: readonly number[], side: 1 | -1, mmPerPx: number): Float32Array {
  const line = inner.map((i) => frame.at(i)).sort((a, b) => a[0] - b[0]);
  const lineY = (x: number): number => {
    const k = line.findIndex((q) => q[0] >= x);
    if (k <= 0) return (line[k < 0 ? line.length - 1 : 0] as Point2)[1];
    const [a, b] = [line[k - 1] as Point2, line[k] as Point2];
    return a[1] + ((b[1] - a[1]) * (x - a[0])) / Math.max(1e-9, b[0] - a[0]);
  };
  const { rect, data } = window;
  const fade = new Float32Array(data.length);
  for (let row = 0; row < rect.height; row++) {
    for (let col = 0; col < rect.width; col++) {
      const o = row * rect.width + col;
      if (!((data[o] as number) > 0)) continue;
      const [x, y] = frame.level([rect.x + col, rect.y + row]);
      fade[o] = clamp(1 + side * (y - lineY(x)) * mmPerPx, 0, 1);
    }
  }
  return fade;
}

function chin(ctx: GeometryContext, frame: Frame, mm: number): Deformation | null {
  const shift = mm / ctx.mmPerPx;
  const x0 = frame.at(152)[0];
  const half = 25 / ctx.mmPerPx;
  const outline = both(CHIN_OUTLINE).flatMap((i) => {
    const w = 1 - ((frame.at(i)[0] - x0) / half) ** 2;
    return w > 0 ? [{ from: frame.image(i), shift: frame.vec(0, shift * w) }] : [];
  });
  const moves = banded(outline, 3 / ctx.mmPerPx);
  const movedIds = new Set(both(CHIN_OUTLINE).filter((i) => 1 - ((frame.at(i)[0] - x0) / half) ** 2 > 0));
  const fixed = [...both([17, 84, 181, 91, 14, 87, 178, 2, 150, 136, 172]).filter((i) => !movedIds.has(i))].map((i) => frame.image(i));
  const polygons = [...zonePolygons(ctx.zones, ['chin']), hull(moves.map((m) => m.from))];
  const window = featheredWindow(polygons, 0, grow(frame, shift, 5), ctx.width, ctx.height);
  return window ? { name: 'chin:centre:chin_length', moves, fixed, window } : null;
}

function cheek(ctx: GeometryContext, frame: Frame, side: Side, liftMm: number, lateralMm: number): Deformation | null {
  const zone = ctx.zones.find((z) => z.id === 'cheek' && z.side === side);
  if (!zone) return null;
  const out = side === 'left' ? 1 : -1;
  // Malar apex: the cheek polygon's centroid (in the frame).
  const poly = zone.polygon.map((p) => frame.level(p as Point2));
  const apex: Point2 = [poly.reduce((a, p) => a + p[0], 0) / poly.length, poly.reduce((a, p) => a + p[1], 0) / poly.length];
  const zygion = frame.at(side === 'left' ? mirrorIndex(234) : 234);
  const mm = (v: number): number => v / ctx.mmPerPx;
  const shiftAt = (i: number): Point2 => {
    const [x, y] = frame.at(i);
    const lift = liftMm * Math.exp(-((x - apex[0]) ** 2 + (y - apex[1]) ** 2) / (2 * mm(10) ** 2));
    const lateral = lateralMm * Math.exp(-((y - zygion[1]) ** 2) / (2 * mm(12) ** 2)) * Math.exp(-((Math.abs(x - zygion[0])) ** 2) / (2 * mm(10) ** 2));
    return frame.vec(mm(out * lateral), mm(-lift));
  };
  const moving = [...sided(RIGHT_CHEEK_OUTLINE, side), ...sided(RIGHT_CHEEK_INNER, side), ...sided([116, 119, 100, 142], side)];
  const outline = new Set(sided(RIGHT_CHEEK_OUTLINE, side));
  const moves = [
    ...moving.filter((i) => !outline.has(i)).map((i) => ({ from: frame.image(i), shift: shiftAt(i) })),
    ...banded([...outline].map((i) => ({ from: frame.image(i), shift: shiftAt(i) })), 3 / ctx.mmPerPx),
  ];
  const fixed = [...sided(RIGHT_LOWER_LID, side), ...sided(RIGHT_NOSE_SIDE, side), ...sided([61, 58, 21], side)].map((i) => frame.image(i));
  const region = hull([...(zone.polygon as Point2[]), ...moves.map((m) => m.from)]);
  const largest = mm(Math.max(Math.abs(liftMm), Math.abs(lateralMm)));
  const window = featheredWindow([region], 0, grow(frame, largest, 5, 0.15), ctx.width, ctx.height);
  return window ? { name: `cheek:${side}:lift+lateral_contour`, moves, fixed, window } : null;
}

function jaw(ctx: GeometryContext, frame: Frame, side: Side, mm: number): Deformation | null {
  const out = side === 'left' ? 1 : -1;
  const px = (v: number): number => v / ctx.mmPerPx;
  const outline = sided(RIGHT_JAW_OUTLINE, side);
  // Both centred on the gonion (the measured point gets the full change); masseter slimming reaches further up,
  // over the muscle's bulk towards the ear lobe (σ 20 mm above the angle instead of 15).
  const gonion = frame.at(outline[3] as number);
  const moves: Deformation['moves'] = [];
  const fixed: Point2[] = [];
  for (const i of outline) {
    const p = frame.at(i);
    const sigmaY = px(mm < 0 && p[1] < gonion[1] ? 20 : 15);
    const w = Math.exp(-((p[0] - gonion[0]) ** 2) / (2 * px(15) ** 2) - (p[1] - gonion[1]) ** 2 / (2 * sigmaY ** 2));
    moves.push({ from: frame.image(i), shift: frame.vec(px(out * mm * w), 0) });
    // An anchor 13 mm inside the outline, towards the midline: the deep tissue stays.
    if (w > 0.2) fixed.push(frame.toImage([p[0] - out * px(13), p[1]]));
  }
  fixed.push(...[152, sided([61], side)[0] as number].map((i) => frame.image(i)));
  const band = banded(moves, px(3));
  const region = hull([...zonePolygons(ctx.zones, ['jawline'], side).flat(), ...band.map((m) => m.from)]);
  const window = featheredWindow([region], 0, grow(frame, px(mm), 5, 0.15), ctx.width, ctx.height);
  return window ? { name: `jawline:${side}:jaw_contour`, moves: band, fixed, window } : null;
}

/** The deformations for the plan's mm changes (zero changes give none). */
export function deformationsFor(changes: readonly IntendedChange[], ctx: GeometryContext): Deformation[] {
  const frame = frameOf(ctx.landmarks);
  const mm = (zoneId: ZoneId, effect: IntendedChange['effect'], side: Side): number =>
    changes.filter((c) => c.zoneId === zoneId && c.effect === effect && c.side === side && c.kind === 'mm').reduce((a, c) => a + c.amount, 0);
  const out: (Deformation | null)[] = [];
  const upper = mm('upper_lip', 'vermilion_height', 'centre');
  if (upper !== 0) out.push(vermilion(ctx, frame, true, upper));
  const lower = mm('lower_lip', 'vermilion_height', 'centre');
  if (lower !== 0) out.push(vermilion(ctx, frame, false, lower));
  const chinMm = mm('chin', 'chin_length', 'centre');
  if (chinMm !== 0) out.push(chin(ctx, frame, chinMm));
  for (const side of ['right', 'left'] as const) {
    const lift = mm('cheek', 'lift', side), lateral = mm('cheek', 'lateral_contour', side);
    if (lift !== 0 || lateral !== 0) out.push(cheek(ctx, frame, side, lift, lateral));
    const jawMm = mm('jawline', 'jaw_contour', side);
    if (jawMm !== 0) out.push(jaw(ctx, frame, side, jawMm));
  }
  return out.filter((d): d is Deformation => d !== null);
}
