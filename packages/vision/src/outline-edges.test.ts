/**
 * The face outline found in the pixels at the cheekbones, the jaw angles and the chin: on a drawn face (always), and on the
 * London set against the outline the manual templates trace (in CI; skipped loudly elsewhere). Figures go to
 * docs/validation.md ("Face outline") by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESH, mirrorIndex, type Point3 } from '@contour/domain';
import { pixelScale } from '@contour/domain/face-geometry';
import type { RgbImage } from './face-result.js';
import { LandmarkPool } from './landmark-pool.js';
import { CHIN_MIN_CONFIDENCE, chinOffsets, CLEAR_MARGIN, findOutline, MENTON_ABOVE_CHIN_MM, MIN_CONFIDENCE, OUTLINE_LEVELS, outlineOffsets, unclearEdges, withOutline, type OutlinePoint } from './outline-edges.js';
import { RIGHT_OVAL, RIVAL_MM, tracePath, traceSide, type TraceLine } from './outline-trace.js';
import { frameOf } from './simulate/geometry.js';
import type { Point2 } from './simulate/raster.js';
import { datasetsAvailable, londonWithTemplates, type TemplatedFace } from './test-support.js';

const W = 400, H = 400;
/** Irises 11.7 mm across at 36 px (0.325 mm per px). */
const MM_PER_PX = 11.7 / 36;

/** Where the drawn outline lies: the first face column and the first backdrop column beyond it, on each side; the first backdrop row below the chin. */
interface Outline {
  cheek: [number, number];
  jaw: [number, number];
  chin: number;
}
const OUTLINE: Outline = { cheek: [80, 320], jaw: [100, 300], chin: 360 };
/** Menton 15 px (4.9 mm) above the chin's drawn lower edge, as the mesh places it (4.5 mm, London median). */
const MENTON_ABOVE = 15;
/** Rows above this are the cheeks', from it down the jaw's. */
const SPLIT = 210;
/** The search heights the landmarks below give: 0.34 IPD below the eyes' outer corners, 0.20 IPD below the lips' meeting line. */
const CHEEK_Y = 100 + 0.34 * 120, JAW_Y = 250 + 0.2 * 120;

/**
 * Pupils at y 100 (x 140 and 260, so the frame is the image's, origin (200, 100), IPD 120 px), the eyes' outer
 * corners at y 100, the mouth corners and the lips' meeting line at y 250 (the inner lip points 2 px either side), the face oval's side points (the searched ones among them) 3 px
 * inside the drawn outline's outermost face columns (3.5 px inside its edges) from the temple down beside the chin,
 * and menton and its neighbours on the lower oval 15 px above the chin's.
 */
function landmarksAt(outline: Outline = OUTLINE): Point3[] {
  const lm: Point3[] = Array.from({ length: 478 }, () => [200, 200, 0] as Point3);
  const iris = (centre: number, x: number): void => {
    lm[centre] = [x, 100, 0];
    lm[centre + 1] = [x + 18, 100, 0];
    lm[centre + 3] = [x - 18, 100, 0];
  };
  iris(468, 260);
  iris(473, 140);
  lm[33] = [110, 100, 0];
  lm[263] = [290, 100, 0];
  lm[61] = [165, 250, 0];
  lm[291] = [235, 250, 0];
  lm[13] = [200, 248, 0];
  lm[14] = [200, 252, 0];
  RIGHT_OVAL.forEach((i, k) => {
    const y = OVAL_Y[k] as number;
    const [left, right] = y < SPLIT ? outline.cheek : outline.jaw;
    lm[i] = [left + 3, y, 0];
    lm[mirrorIndex(i)] = [right - 4, y, 0];
  });
  lm[152] = [200, outline.chin - MENTON_ABOVE, 0];
  // The lower oval on either side of menton, at its height.
  lm[148] = [175, outline.chin - MENTON_ABOVE, 0];
  lm[377] = [225, outline.chin - MENTON_ABOVE, 0];
  return lm;
}

/** The heights of the oval's points (RIGHT_OVAL's order): 234 at 140 and 172 at 270, near their search heights. */
const OVAL_Y = [50, 80, 110, 140, 170, 195, 225, 270, 300, 320, 335, 350];

const SKIN = [220, 175, 150], LIGHT = [235, 235, 235], DARK = [40, 45, 50];

/** The neck below the chin, in the chin's shadow. */
const NECK_SHADOW = [150, 115, 100];

/** A face (columns `left` to `right` − 1 at each height) on a backdrop, from row 40 to the chin, and below it a shadowed neck 40 px either side of the midline. */
function drawnFace(outline: Outline, backdrop = LIGHT, skin = SKIN): RgbImage {
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    const [left, right] = y < SPLIT ? outline.cheek : outline.jaw;
    for (let x = 0; x < W; x++) {
      const face = y >= 40 && y < outline.chin && x >= left && x < right;
      const neck = y >= outline.chin && Math.abs(x - 200) < 40;
      data.set(face ? skin : neck ? NECK_SHADOW : backdrop, (y * W + x) * 3);
    }
  }
  return { width: W, height: H, data };
}

const byIndex = (points: OutlinePoint[], index: number): OutlinePoint => points.find((p) => p.index === index) as OutlinePoint;
/** The drawn edge's position in labAt's coordinates (pixel centres at whole numbers): between the two columns. */
const EDGES: [number, (o: Outline) => number, number][] = [
  [234, (o) => o.cheek[0] - 0.5, CHEEK_Y],
  [454, (o) => o.cheek[1] - 0.5, CHEEK_Y],
  [172, (o) => o.jaw[0] - 0.5, JAW_Y],
  [397, (o) => o.jaw[1] - 0.5, JAW_Y],
];
/** The chin's drawn lower edge (labAt's coordinates), searched straight down from menton. */
const chinEdge = (o: Outline): number => o.chin - 0.5;

describe('face outline in the pixels', () => {
  it('searches the cheekbones and the jaw angles outwards along the inter-pupil line, and the chin straight down', () => {
    expect(OUTLINE_LEVELS.map((s) => [s.index, s.out])).toEqual([
      [234, [-1, 0]],
      [454, [1, 0]],
      [172, [-1, 0]],
      [397, [1, 0]],
      [152, [0, 1]],
    ]);
    const frame = frameOf(landmarksAt());
    // The search centres: the mesh point's x, at the heights set by the eye and mouth corners; menton itself.
    for (const s of OUTLINE_LEVELS) {
      const [x, y] = frame.toImage(s.centre(frame, frame.at(s.index)));
      expect(x).toBeCloseTo(frame.image(s.index)[0], 9);
      expect(y).toBeCloseTo(s.index === 152 ? OUTLINE.chin - MENTON_ABOVE : s.index === 234 || s.index === 454 ? CHEEK_Y : JAW_Y, 9);
    }
  });

  it('finds a drawn outline on its edge, 3.5 px outside the mesh points', () => {
    const points = findOutline(drawnFace(OUTLINE), landmarksAt());
    expect(points.map((p) => p.index)).toEqual([234, 454, 172, 397, 152]);
    for (const [index, edge, y] of EDGES) {
      const p = byIndex(points, index);
      expect(p.used, `${index}`).toBe(true);
      expect(p.confidence).toBeGreaterThanOrEqual(MIN_CONFIDENCE);
      expect(p.confidence).toBeGreaterThan(0.9);
      expect(p.mesh).toEqual([landmarksAt()[index]![0], landmarksAt()[index]![1]]);
      expect(Math.abs(p.found[0] - edge(OUTLINE)), `${index} found at x ${p.found[0]}`).toBeLessThan(0.5);
      // On the search line, not at the mesh point's height.
      expect(p.found[1]).toBeCloseTo(y, 9);
      // Outwards positive: 3.5 px (about 1.1 mm) beyond the mesh point, in mm on the scale the irises give.
      expect(p.shiftMm).toBeCloseTo(Math.abs(p.found[0] - p.mesh[0]) * MM_PER_PX, 6);
      expect(p.shiftMm).toBeGreaterThan(2.5 * MM_PER_PX);
      expect(p.shiftMm).toBeLessThan(4.5 * MM_PER_PX);
    }
    const chin = byIndex(points, 152);
    expect(chin.used).toBe(true);
    expect(chin.found[0]).toBeCloseTo(200, 9);
    expect(Math.abs(chin.found[1] - chinEdge(OUTLINE)), `chin found at y ${chin.found[1]}`).toBeLessThan(0.5);
    expect(chin.shiftMm).toBeCloseTo((chin.found[1] - chin.mesh[1]) * MM_PER_PX, 6);
    // The scale from the irises is the default.
    expect(findOutline(drawnFace(OUTLINE), landmarksAt(), MM_PER_PX)).toEqual(points);
  });

  it('follows the drawn outline moved outwards by 3 px to within a quarter of a pixel, the landmarks staying', () => {
    const wider: Outline = { cheek: [OUTLINE.cheek[0] - 3, OUTLINE.cheek[1] + 3], jaw: [OUTLINE.jaw[0] - 3, OUTLINE.jaw[1] + 3], chin: OUTLINE.chin + 3 };
    const a = findOutline(drawnFace(OUTLINE), landmarksAt());
    const b = findOutline(drawnFace(wider), landmarksAt());
    for (const s of OUTLINE_LEVELS) {
      const pa = byIndex(a, s.index), pb = byIndex(b, s.index);
      expect(pa.used && pb.used).toBe(true);
      const moved = (pb.found[0] - pa.found[0]) * s.out[0] + (pb.found[1] - pa.found[1]) * s.out[1];
      expect(Math.abs(moved - 3), `${s.index} moved ${moved}`).toBeLessThan(0.25);
      // Along the search line only.
      expect(pb.found[0] * s.out[1] + pb.found[1] * s.out[0]).toBeCloseTo(pa.found[0] * s.out[1] + pa.found[1] * s.out[0], 9);
      expect(pb.shiftMm - pa.shiftMm).toBeCloseTo(moved * MM_PER_PX, 6);
    }
  });

  it('reads the step either way: a face lighter than a dark backdrop is found the same', () => {
    const light = findOutline(drawnFace(OUTLINE), landmarksAt());
    const dark = findOutline(drawnFace(OUTLINE, DARK), landmarksAt());
    for (const [index, edge] of EDGES) {
      const p = byIndex(dark, index);
      expect(p.used, `${index}`).toBe(true);
      expect(Math.abs(p.found[0] - edge(OUTLINE))).toBeLessThan(0.5);
      // Not to the same sub-pixel place: L* is not linear in the light the pixels blend.
      expect(Math.abs(p.found[0] - byIndex(light, index).found[0])).toBeLessThan(0.5);
    }
    expect(Math.abs(byIndex(dark, 152).found[1] - chinEdge(OUTLINE))).toBeLessThan(0.5);
  });

  it('finds the chin above its shadow, also where the neck further down is lighter than the chin', () => {
    // A 12 px shadow under the chin, then a neck lighter than the face: the shadow's lower edge is the stronger step
    // the other way, and read from the lines' ends the search went there.
    const image = drawnFace(OUTLINE);
    for (let y = OUTLINE.chin + 12; y < H; y++) for (let x = 160; x < 240; x++) image.data.set([245, 210, 190], (y * W + x) * 3);
    const chin = byIndex(findOutline(image, landmarksAt()), 152);
    expect(chin.used).toBe(true);
    expect(Math.abs(chin.found[1] - chinEdge(OUTLINE)), `chin found at y ${chin.found[1]}`).toBeLessThan(0.5);
  });

  it('reaches 9 mm out at the jaw angles: a jaw 7 mm outside its mesh points is found', () => {
    const landmarks = landmarksAt();
    landmarks[172] = [OUTLINE.jaw[0] + 22, 270, 0];
    landmarks[397] = [OUTLINE.jaw[1] - 23, 270, 0];
    const points = findOutline(drawnFace(OUTLINE), landmarks);
    for (const [index, edge] of EDGES.slice(2)) {
      const p = byIndex(points, index);
      expect(p.used, `${index}`).toBe(true);
      expect(Math.abs(p.found[0] - edge(OUTLINE)), `${index} found at x ${p.found[0]}`).toBeLessThan(0.5);
      // The guide at the jaw's height (4 px below the mesh points, on the oval towards the next point down) lies 20 px (6.5 mm) inside the edge.
      expect(p.shiftMm).toBeGreaterThan(6.4);
    }
  });

  it('takes the edge that continues the outline above and below, where a sideburn and an ear lie beside the cheekbone', () => {
    // On the patient's right, 25 px above and below the cheekbone's height: a dark sideburn 10 px wide against the
    // face, then an ear as light as the face. On the line alone, the ear's rim is the stronger step.
    const image = drawnFace(OUTLINE);
    for (let y = 115; y < 167; y++) {
      for (let x = 50; x < 80; x++) image.data.set(x >= 70 ? [90, 70, 60] : SKIN, (y * W + x) * 3);
    }
    const cheek = byIndex(findOutline(image, landmarksAt()), 234);
    expect(cheek.used).toBe(true);
    expect(Math.abs(cheek.found[0] - EDGES[0]![1](OUTLINE)), `found at x ${cheek.found[0]}`).toBeLessThan(0.5);
  });

  it('reads each height on a trace line of its own: on a sloping jaw, the width at that height, wherever it falls', () => {
    // The patient's right side sloping outwards half a px per px down, as the outline does where it turns at the jaw
    // angle, and the mesh oval beside it straight down: the path's distance from the oval changes from line to line.
    const edge = (y: number): number => 100 + (y - 250) / 2 - 0.5;
    const image = drawnFace(OUTLINE);
    for (let y = 40; y < H; y++) {
      // Drawn smooth: each pixel (centre at x, covering x ± 0.5) is face in the share of it beyond the edge.
      for (let x = 0; x < 200; x++) {
        const face = Math.min(1, Math.max(0, x + 0.5 - edge(y)));
        image.data.set(SKIN.map((v, c) => Math.round(face * v + (1 - face) * (LIGHT[c] as number))), (y * W + x) * 3);
      }
    }
    const frame = frameOf(landmarksAt());
    const rowOf = (yImage: number): number => frame.level([0, yImage])[1];
    const imageY = (yFrame: number): number => frame.toImage([0, yFrame])[1];
    const oval = (yFrame: number): number => frame.level([edge(260) + 8, imageY(yFrame)])[0];
    // The jaw's height a whole number of millimetres below the cheekbone's and a fraction more: on a 1 mm grid
    // from the top, the nearest line was up to half a line away, and here that is up to 0.77 px of width.
    for (const fraction of [0, 0.3, 0.5, 0.8]) {
      const jawY = 260 + fraction / MM_PER_PX;
      const read = traceSide(image, frame, 'right', oval, rowOf(180), rowOf(jawY), MM_PER_PX);
      expect(read?.jaw.confidence).toBeGreaterThan(MIN_CONFIDENCE);
      const found = frame.toImage([oval(rowOf(jawY)) - read!.jaw.outMm / MM_PER_PX, rowOf(jawY)])[0];
      expect(Math.abs(found - edge(jawY)), `${fraction} mm: found at x ${found}, the edge at ${edge(jawY)}`).toBeLessThan(0.25);
    }
  });

  it('says how clearly the path taken beats a rival edge: not at all between two alike, by far where there is one', () => {
    // Grey columns: backdrop 200 left of x 100, a band of 150 to x 120, then the face at 100; two steps about as large
    // (18.9 and 20.0 L*, both more than a clear step), 20 px (6.5 mm) apart, with no preference for either.
    const drawn = (band: boolean): RgbImage => {
      const data = new Uint8Array(W * H * 3);
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data.fill(x < 100 ? 200 : x < 120 && band ? 150 : 100, (y * W + x) * 3, (y * W + x) * 3 + 3);
      return { width: W, height: H, data };
    };
    const frame = frameOf(landmarksAt());
    const lines: TraceLine[] = Array.from({ length: 31 }, (_, k) => ({ base: frame.level([110, 100 + k / MM_PER_PX]), out: [-1, 0] }));
    const reach = { outerMm: 6, innerMm: 6, expectMm: 0, priorMm: 1e6 };
    const two = tracePath(drawn(true), frame, lines, reach, MM_PER_PX)!(15);
    expect(two.confidence).toBeGreaterThan(MIN_CONFIDENCE);
    expect(Math.abs(Math.abs(two.outMm) - 10 * MM_PER_PX), `taken ${two.outMm} mm`).toBeLessThan(0.3);
    expect(two.margin).toBeLessThan(0.01);
    // With the band as light as the backdrop, one edge: no rival more than RIVAL_MM from it.
    const one = tracePath(drawn(false), frame, lines, reach, MM_PER_PX)!(15);
    expect(Math.abs(one.outMm - 10 * MM_PER_PX), `taken ${one.outMm} mm`).toBeLessThan(0.3);
    expect(one.margin).toBeGreaterThan(CLEAR_MARGIN);
    expect(RIVAL_MM).toBeLessThan(20 * MM_PER_PX);
  });

  it('calls an edge clear where it was used and no rival comes near, and says why each other one is not', () => {
    const points = findOutline(drawnFace(OUTLINE), landmarksAt());
    for (const p of points) expect(p.clear, `${p.index}: margin ${p.margin}`).toBe(true);
    expect(unclearEdges(points).size).toBe(0);
    const unclear = unclearEdges(points.map((p) => (p.index === 234 ? { ...p, margin: CLEAR_MARGIN / 2, clear: false } : p.index === 152 ? { ...p, used: false, clear: false } : p)));
    expect([...unclear.keys()].sort()).toEqual([152, 234]);
    expect(unclear.get(234)).toBe("another edge about as clear lies beside the outline at the right cheekbone (an ear, a sideburn or hair): the one taken may not be the face's");
    expect(unclear.get(152)).toBe(`the chin's lower edge is not clearly seen: placed the usual ${MENTON_ABOVE_CHIN_MM} mm below the face model's chin point`);
    // No edge at all: none is clear.
    expect(findOutline(drawnFace({ cheek: [0, W], jaw: [0, W], chin: H }), landmarksAt()).some((p) => p.clear)).toBe(false);
  });

  it('takes a faint chin edge, which has no twin to stand in, but not a faint side, and marks both unclear', () => {
    // A neck barely darker than the chin (about 1.5 L*), and a backdrop as close to the skin at the sides.
    const faint = drawnFace(OUTLINE, [215, 170, 145], SKIN);
    for (let y = OUTLINE.chin; y < H; y++) for (let x = 160; x < 240; x++) faint.data.set([215, 170, 145], (y * W + x) * 3);
    const points = findOutline(faint, landmarksAt());
    const chin = byIndex(points, 152);
    expect(chin.confidence).toBeGreaterThanOrEqual(CHIN_MIN_CONFIDENCE);
    expect(chin.confidence).toBeLessThan(MIN_CONFIDENCE);
    expect(chin.used).toBe(true);
    expect(Math.abs(chin.found[1] - chinEdge(OUTLINE)), `chin found at y ${chin.found[1]}`).toBeLessThan(0.5);
    expect(chin.clear).toBe(false);
    for (const i of [234, 454, 172, 397]) expect(byIndex(points, i).used, `${i}`).toBe(false);
    expect(unclearEdges(points).get(152)).toBe("the chin's lower edge is faint (stubble, a beard or the shadow on the neck): the edge taken may not be the face's");
  });

  it('keeps the mesh points where there is no edge', () => {
    const points = findOutline(drawnFace({ cheek: [0, W], jaw: [0, W], chin: H }), landmarksAt());
    for (const p of points) {
      expect(p.used).toBe(false);
      expect(p.found).toEqual(p.mesh);
      expect(p.shiftMm).toBe(0);
    }
    // And where there is no scale to measure in.
    const noScale = findOutline(drawnFace(OUTLINE), landmarksAt(), NaN);
    expect(noScale.every((p) => !p.used && p.found === p.mesh)).toBe(true);
  });

  it('is deterministic', () => {
    const image = drawnFace({ cheek: [79, 322], jaw: [98, 301], chin: 358 });
    expect(findOutline(image, landmarksAt())).toEqual(findOutline(image, landmarksAt()));
  });

  it('moves each side of the face oval onto the outline found, smoothly, and nothing else', () => {
    const landmarks = landmarksAt();
    const points = findOutline(drawnFace(OUTLINE), landmarks);
    const moved = withOutline(landmarks, points);
    // The searched points land on the edge, at their search heights; the rest of the oval moves sideways only.
    for (const [index, edge, y] of EDGES) {
      expect(Math.abs(moved[index]![0] - edge(OUTLINE)), `${index}`).toBeLessThan(0.5);
      expect(moved[index]![1]).toBeCloseTo(y, 9);
    }
    for (const i of [93, 132, 58]) expect(moved[i]![1]).toBe(landmarks[i]![1]);
    const offsets = outlineOffsets(landmarks, points);
    const right = (i: number): number => -offsets.get(i)!;
    // Linear between the cheekbone (234) and the jaw angle (172), tapering to nothing at 21 above and 176 below.
    expect(right(93)).toBeCloseTo(right(234) + (right(172) - right(234)) / 4, 9);
    expect(right(127)).toBeCloseTo((2 / 3) * right(234), 9);
    expect(right(150)).toBeCloseTo(right(172) / 2, 9);
    expect(right(21)).toBe(0);
    expect(right(176)).toBe(0);
    // Menton lands on the chin's edge; the chin's points move down with it, tapering to nothing at the jaw angles.
    expect(Math.abs(moved[152]![1] - chinEdge(OUTLINE))).toBeLessThan(0.5);
    expect(moved[152]![0]).toBeCloseTo(200, 9);
    const down = chinOffsets(landmarks, points);
    expect(down.get(152)).toBeCloseTo(moved[152]![1] - landmarks[152]![1], 9);
    expect(down.get(172)).toBeCloseTo(0, 9);
    expect(down.get(397)).toBeCloseTo(0, 9);
    // Points off the oval stay where they were.
    for (const i of [0, 17, 61, 468, 473]) expect(moved[i]).toEqual(landmarks[i]);
  });

  it('lets the other side stand in for an edge not found, then the other level; without any, the mesh stays; an unclear chin takes the median', () => {
    const landmarks = landmarksAt();
    const found = findOutline(drawnFace(OUTLINE), landmarks);
    const offsets = outlineOffsets(landmarks, found);
    const without = (...indices: number[]): OutlinePoint[] => found.map((p) => (indices.includes(p.index) ? { ...p, found: p.mesh, used: false } : p));
    // The left cheekbone missing: the right's outward offset, mirrored.
    expect(outlineOffsets(landmarks, without(454)).get(454)).toBeCloseTo(-offsets.get(234)!, 9);
    // Both cheekbones missing: each side's jaw offset.
    expect(outlineOffsets(landmarks, without(234, 454)).get(454)).toBeCloseTo(offsets.get(397)!, 9);
    expect(outlineOffsets(landmarks, without(234, 454, 172, 397)).size).toBe(0);
    // The chin has no twin: without its edge, menton goes the London median below the mesh's, tapering as before.
    const chin = chinOffsets(landmarks, without(152));
    expect(chin.get(152)! * MM_PER_PX).toBeCloseTo(MENTON_ABOVE_CHIN_MM, 6);
    expect(chin.get(148)!).toBeGreaterThan(0);
    expect(chin.get(148)!).toBeLessThan(chin.get(152)!);
    expect(chin.get(172)).toBeCloseTo(0, 9);
    const none = withOutline(landmarks, without(234, 454, 172, 397, 152));
    expect(none[152]).toEqual([landmarks[152]![0], landmarks[152]![1] + chin.get(152)!, landmarks[152]![2]]);
    for (const i of [...RIGHT_OVAL, ...RIGHT_OVAL.map(mirrorIndex)]) if (!chin.has(i)) expect(none[i], `${i}`).toEqual(landmarks[i]);
  });
});

const available = datasetsAvailable();
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? (s[s.length >> 1] as number) : ((s[(s.length >> 1) - 1] as number) + (s[s.length >> 1] as number)) / 2;
};

/** The London templates' face outline, from the right temple round the chin to the left temple. */
const TEMPLATE_OUTLINE = [109, 185, 110, 186, 111, 125, 126, 127, 128, 129, 130, 131, 132, 133, 114, 188, 113, 187, 112];

/** Where the line `a + t·d` crosses the polyline, nearest `a` (t in the line's units), NaN if it does not. */
function crossing(a: Point2, d: Point2, poly: readonly Point2[]): number {
  let best = NaN;
  for (let i = 0; i + 1 < poly.length; i++) {
    const p = poly[i] as Point2, q = poly[i + 1] as Point2;
    const ex = q[0] - p[0], ey = q[1] - p[1];
    const den = d[0] * ey - d[1] * ex;
    if (Math.abs(den) < 1e-12) continue;
    const t = ((p[0] - a[0]) * ey - (p[1] - a[1]) * ex) / den;
    const u = ((p[0] - a[0]) * d[1] - (p[1] - a[1]) * d[0]) / den;
    if (u >= 0 && u <= 1 && (Number.isNaN(best) || Math.abs(t) < Math.abs(best))) best = t;
  }
  return best;
}

describe.skipIf(!available)('face outline on the London set, against the manual templates', () => {
  let pool: LandmarkPool;
  let faces: TemplatedFace[] = [];
  beforeAll(async () => {
    pool = await LandmarkPool.start(2);
    faces = await londonWithTemplates(pool);
  }, 900_000);
  afterAll(async () => pool?.close());

  it('places the cheekbone, jaw-angle and chin outline closer to the templates than the mesh does', () => {
    expect(faces).toHaveLength(102);
    const rows = OUTLINE_LEVELS.map((s) => ({ index: s.index, mesh: [] as number[], found: [] as number[], meshBias: [] as number[], foundBias: [] as number[], usedMesh: [] as number[], usedFound: [] as number[], used: 0, missed: [] as string[] }));
    // Where the chin's edge is faint or not seen (confidence below MIN_CONFIDENCE): menton as the mesh places it, as
    // measured (the faint edge, or MENTON_ABOVE_CHIN_MM below the mesh's where none is seen) and as the median
    // placement alone would put it, signed mm.
    const faintChin = { mesh: [] as number[], measured: [] as number[], median: [] as number[] };
    // Every point as measured, |error| mm, by whether its edge was clear (`clear`).
    const clarity = { clear: [] as number[], unclear: [] as number[] };
    for (const f of faces) {
      const frame = frameOf(f.landmarks);
      const mm = pixelScale(f.landmarks, { yaw: 0, pitch: 0, roll: 0 }).scale!.mmPerPx;
      const points = findOutline(f.image, f.landmarks);
      const poly = TEMPLATE_OUTLINE.map((k) => frame.level(f.template[k] as Point2));
      OUTLINE_LEVELS.forEach((s, k) => {
        const row = rows[k]!;
        const centre = s.centre(frame, frame.at(s.index));
        // Positions along the search line, outwards positive (mm from the search centre).
        const along = (p: Point2): number => ((p[0] - centre[0]) * s.out[0] + (p[1] - centre[1]) * s.out[1]) * mm;
        const template = crossing(centre, s.out, poly) * mm;
        const point = points[k]!;
        expect(point.index).toBe(s.index);
        if (point.used) row.used++;
        if (!Number.isFinite(template)) {
          // The template's outline ends above the line (it starts at the ear's root): nothing to compare with.
          row.missed.push(f.id);
          return;
        }
        const mesh = along(frame.level(point.mesh)), found = along(frame.level(point.found));
        row.mesh.push(Math.abs(mesh - template));
        row.found.push(Math.abs(found - template));
        row.meshBias.push(mesh - template);
        row.foundBias.push(found - template);
        if (s.index === MESH.chin && point.confidence < MIN_CONFIDENCE) {
          faintChin.mesh.push(mesh - template);
          const placed = withOutline(f.landmarks, points)[MESH.chin]!;
          faintChin.measured.push(along(frame.level([placed[0], placed[1]])) - template);
          const median = withOutline(f.landmarks, points.map((p) => (p.index === MESH.chin ? { ...p, used: false } : p)))[MESH.chin]!;
          faintChin.median.push(along(frame.level([median[0], median[1]])) - template);
        }
        if (point.used) {
          row.usedMesh.push(Math.abs(mesh - template));
          row.usedFound.push(Math.abs(found - template));
        }
        // Where each point is measured (withOutline: an edge not used has the other side or the median stand in).
        const measuredAt = withOutline(f.landmarks, points)[s.index]!;
        (point.clear ? clarity.clear : clarity.unclear).push(Math.abs(along(frame.level([measuredAt[0], measuredAt[1]])) - template));
      });
    }
    const offBy3 = (xs: number[]): number => xs.filter((x) => x > 3).length / xs.length;
    const fmt = (xs: number[]): string => median(xs).toFixed(2);
    const used = rows.reduce((s, r) => s + r.used, 0) / (rows.length * faces.length);
    console.log(
      `face outline vs the London templates (${faces.length} faces), along the search line, median |error| mm (median signed error, outwards +):\n` +
        rows
          .map((r) => `  ${r.index}: mesh ${fmt(r.mesh)} (${fmt(r.meshBias)}), found in the pixels ${fmt(r.found)} (${fmt(r.foundBias)}); edge used on ${r.used} (there: mesh ${fmt(r.usedMesh)}, found ${fmt(r.usedFound)}); ${r.mesh.length} compared${r.missed.length ? `, the template's outline ends above the line on ${r.missed.join(', ')}` : ''}`)
          .join('\n') +
        `\n  edge used on ${(100 * used).toFixed(0)}% of points` +
        `\n  menton where the chin's edge is faint or not seen (${faintChin.mesh.length} faces): mesh ${fmt(faintChin.mesh.map(Math.abs))} (${fmt(faintChin.mesh)}), measured ${fmt(faintChin.measured.map(Math.abs))} (${fmt(faintChin.measured)}), the median placement alone ${fmt(faintChin.median.map(Math.abs))} (${fmt(faintChin.median)})` +
        `\n  as measured, where the edge is clear: ${clarity.clear.length} points, ${fmt(clarity.clear)} mm, ${(100 * offBy3(clarity.clear)).toFixed(0)}% more than 3 mm off; not clear: ${clarity.unclear.length}, ${fmt(clarity.unclear)} mm, ${(100 * offBy3(clarity.unclear)).toFixed(0)}%`,
    );
    // Measured (traced, 2026-12-01): the mesh 1.8–4.5 mm inside the templates' outline, found 0.44–1.01 mm from it
    // with no bias to speak of (|median| ≤ 0.6 mm); the edge used on 92–101 of 102 faces per point, 95% in all
    // (searched height by height before: 0.77–1.88 mm, 76–86 faces). Face 140's template outline starts below its
    // cheekbone line.
    for (const r of rows) {
      expect(r.missed.length, `${r.index}`).toBeLessThanOrEqual(2);
      expect(median(r.found), `${r.index}`).toBeLessThan(Math.min(1.25, median(r.mesh)));
      expect(Math.abs(median(r.foundBias)), `${r.index}`).toBeLessThan(1);
      expect(r.used, `${r.index}`).toBeGreaterThanOrEqual(0.85 * faces.length);
    }
    expect(used).toBeGreaterThan(0.9);
    // Measured (2026-12-02, chin faint edges taken): on the 10 faces whose chin edge is faint or not seen, the mesh's menton 4.86 mm off
    // (−4.86), measured (the faint edge on nine) 1.82 (−0.56), the median placement on all ten 2.39 (−0.36).
    expect(faintChin.mesh.length).toBeGreaterThanOrEqual(5);
    expect(median(faintChin.measured.map(Math.abs))).toBeLessThan(median(faintChin.median.map(Math.abs)));
    expect(median(faintChin.median.map(Math.abs))).toBeLessThan(median(faintChin.mesh.map(Math.abs)));
    expect(Math.abs(median(faintChin.measured))).toBeLessThan(1);
    // The clear points are the ones to take as measured: measured (2026-12-02.7), 420 clear 0.55 mm from the templates
    // and 5% more than 3 mm off, 88 not clear 1.38 mm and 24% (where the stand-ins took their place).
    expect(clarity.clear.length).toBeGreaterThan(0.7 * (clarity.clear.length + clarity.unclear.length));
    expect(median(clarity.clear)).toBeLessThan(0.5 * median(clarity.unclear));
    expect(offBy3(clarity.clear)).toBeLessThan(0.1);
    expect(offBy3(clarity.unclear)).toBeGreaterThan(3 * offBy3(clarity.clear));
  });
});
