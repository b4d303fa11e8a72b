/**
 * The treatment-zone map: one image polygon per zone and side, built from mesh points so it follows the
 * face. Overlays, planning and simulation share these shapes. Paired zones are defined once, on the
 * patient's right, and the left is the same outline through each point's mirror counterpart. The temples
 * and the neck lie beyond the mesh: they are built from the mesh edge outwards, in proportion to the
 * inter-pupil distance, and clipped to the image. Drawn on London portraits to check (docs/validation.md).
 */
import type { Side, ZoneId, ZoneShape } from './face-analysis.js';
import { faceFrame, type FaceFrame, type Point2 } from './face-frame.js';
import { mirrorIndex, type Point3 } from './face-mesh.js';

/** A polygon vertex: a mesh point, or a mesh point moved in the face frame by (dx, dy) × inter-pupil distance. */
type Vertex = number | { from: number; dx: number; dy: number };

/** Right-side outlines (the patient's right; x < 0 in the face frame means towards the patient's right). */
const PAIRED: Partial<Record<ZoneId, Vertex[]>> = {
  // Lateral to the forehead and the brow tail, down to the lateral canthus level; out past the mesh edge.
  temple: [54, 68, 71, 139, 34, { from: 34, dx: -0.12, dy: 0 }, { from: 162, dx: -0.14, dy: 0 }, { from: 21, dx: -0.14, dy: -0.03 }, { from: 54, dx: -0.1, dy: -0.06 }],
  brow: [70, 63, 105, 66, 107, 55, 65, 52, 53, 46],
  // Lateral to the lateral canthus, where the lines fan out.
  crows_feet: [130, 113, 124, 156, 139, 34, 143, 35, 226],
  // The infraorbital hollow, from the medial canthus along the lower orbital rim to below the pupil.
  tear_trough: [243, 112, 26, 22, 23, 229, 119, 120, 121, 128, 245],
  cheek: [116, 117, 118, 119, 100, 142, 36, 205, 187, 147, 123],
  // Along the fold from the nasal ala to beside the mouth corner.
  nasolabial: [129, 64, 98, 165, 92, 186, 57, 212, 216, 206, 203, 36, 142],
  // Skin around the lips on this side, from the midline above to the midline below.
  perioral: [164, 167, 165, 92, 186, 57, 43, 106, 182, 83, 18, 17, 84, 181, 91, 146, 61, 185, 40, 39, 37, 0],
  // Below the mouth corner, down towards the jaw, lateral to the chin.
  marionette: [57, 43, 106, 182, 194, 32, 140, 170, 169, 210, 202, 212],
  // A band inside the jaw outline from below the ear to beside the chin.
  jawline: [132, 58, 172, 136, 150, 149, 176, 148, 171, 140, 170, 169, 135, 138, 215, 177],
};

/** Zones mapped once per side (the outlines above); every other zone is a midline zone, side "centre". */
export const PAIRED_ZONES: readonly ZoneId[] = Object.keys(PAIRED) as ZoneId[];

export const isPairedZone = (zoneId: ZoneId): boolean => PAIRED_ZONES.includes(zoneId);

const CENTRE: Partial<Record<ZoneId, Vertex[]>> = {
  forehead: [10, 338, 297, 332, 284, 298, 293, 334, 296, 336, 9, 107, 66, 105, 63, 68, 54, 103, 67, 109],
  // Between the brows, from their upper edges down to the nasion.
  glabella: [107, 9, 336, 285, 417, 168, 193, 55],
  nose: [168, 417, 351, 419, 248, 456, 420, 429, 358, 294, 460, 326, 2, 97, 240, 64, 129, 209, 198, 236, 3, 196, 122, 193],
  // The vermilion: outer border, then the inner (wet) line back.
  upper_lip: [61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 308, 415, 310, 311, 312, 13, 82, 81, 80, 191, 78],
  lower_lip: [61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 308, 324, 318, 402, 317, 14, 87, 178, 88, 95, 78],
  chin: [18, 83, 201, 208, 171, 148, 152, 377, 396, 428, 421, 313],
  // Below the jaw outline, about 45 mm deep (0.7 × the inter-pupil distance), narrowing a little.
  neck: [
    150, 149, 176, 148, 152, 377, 400, 378, 379,
    { from: 379, dx: -0.05, dy: 0.7 }, { from: 152, dx: 0, dy: 0.6 }, { from: 150, dx: 0.05, dy: 0.7 },
  ],
};

function vertexAt(frame: FaceFrame, v: Vertex, mirrored: boolean): Point2 {
  if (typeof v === 'number') return frame.toImage(frame.at(mirrored ? mirrorIndex(v) : v));
  const [x, y] = frame.at(mirrored ? mirrorIndex(v.from) : v.from);
  const dx = (mirrored ? -v.dx : v.dx) * frame.ipdPx;
  return frame.toImage([x + dx, y + v.dy * frame.ipdPx]);
}

/** Sutherland–Hodgman clipping of a polygon to the image rectangle. */
function clipToImage(polygon: Point2[], width: number, height: number): Point2[] {
  const edges: [(p: Point2) => boolean, (a: Point2, b: Point2) => Point2][] = [
    [(p) => p[0] >= 0, (a, b) => [0, a[1] + ((b[1] - a[1]) * (0 - a[0])) / (b[0] - a[0])]],
    [(p) => p[0] <= width, (a, b) => [width, a[1] + ((b[1] - a[1]) * (width - a[0])) / (b[0] - a[0])]],
    [(p) => p[1] >= 0, (a, b) => [a[0] + ((b[0] - a[0]) * (0 - a[1])) / (b[1] - a[1]), 0]],
    [(p) => p[1] <= height, (a, b) => [a[0] + ((b[0] - a[0]) * (height - a[1])) / (b[1] - a[1]), height]],
  ];
  let out = polygon;
  for (const [inside, cross] of edges) {
    const input = out;
    out = [];
    for (let k = 0; k < input.length; k++) {
      const a = input[(k + input.length - 1) % input.length] as Point2;
      const b = input[k] as Point2;
      if (inside(b)) {
        if (!inside(a)) out.push(cross(a, b));
        out.push(b);
      } else if (inside(a)) out.push(cross(a, b));
    }
  }
  return out;
}

const rounded = (polygon: Point2[]): [number, number][] => polygon.map(([x, y]) => [Math.round(x * 10) / 10, Math.round(y * 10) / 10]);

/** Every zone of ZONE_IDS: centre zones once, paired zones for the right and the left side. */
export function zoneShapes(landmarks: readonly Point3[], image?: { width: number; height: number }): ZoneShape[] {
  const frame = faceFrame(landmarks);
  const shape = (id: ZoneId, side: Side, outline: Vertex[], mirrored: boolean): ZoneShape => {
    const polygon = outline.map((v) => vertexAt(frame, v, mirrored));
    return { id, side, polygon: rounded(image ? clipToImage(polygon, image.width, image.height) : polygon) };
  };
  const shapes: ZoneShape[] = [];
  for (const [id, outline] of Object.entries(CENTRE) as [ZoneId, Vertex[]][]) shapes.push(shape(id, 'centre', outline, false));
  for (const [id, outline] of Object.entries(PAIRED) as [ZoneId, Vertex[]][]) {
    shapes.push(shape(id, 'right', outline, false), shape(id, 'left', outline, true));
  }
  return shapes;
}
