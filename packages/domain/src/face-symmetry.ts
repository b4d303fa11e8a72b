/**
 * Left/right symmetry per zone, in mm. The facial midline is the least-squares line through the midline
 * points (forehead, nasion, nose, philtrum, lips, chin); each left-side point is mirrored across it and
 * compared with its right-side counterpart. A zone's deviation is the length of the mean difference
 * vector: how far the left zone sits from the mirror image of the right one. Using the mean (not the mean
 * length) cancels the landmark model's point-to-point scatter along the lid and brow contours, which is not
 * anatomy. Refused when the head is turned: yaw foreshortens one side and would read as asymmetry.
 */
import type { Measurement, NotMeasurable, PixelScale } from './face-analysis.js';
import { faceFrame, type Point2 } from './face-frame.js';
import { MIDLINE, RIGHT_BROW_LOWER, RIGHT_BROW_UPPER, RIGHT_EYE_OPENING, mirrorIndex, type Point3 } from './face-mesh.js';

export const SYMMETRY_MAX_YAW = 5;

/** Right-side points of each compared zone (the left side is their mirror counterparts). */
export const SYMMETRY_ZONES = {
  brow: { label: 'Brow', points: [...RIGHT_BROW_UPPER, ...RIGHT_BROW_LOWER] },
  eye: { label: 'Eye', points: RIGHT_EYE_OPENING },
  cheek: { label: 'Cheek', points: [116, 117, 118, 119, 100, 101, 36, 205, 187, 147, 123, 50] },
  mouth_corner: { label: 'Mouth corner', points: [61, 146, 185, 78] },
  jaw: { label: 'Jaw', points: [132, 58, 172, 136, 150, 149, 176, 148] },
} as const;

/** The midline as x = a + b·y in the face frame (it is near vertical, so x is regressed on y). */
function fitMidline(points: Point2[]): { a: number; b: number } {
  const n = points.length;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  let sxy = 0, syy = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    syy += (y - my) ** 2;
  }
  const b = syy ? sxy / syy : 0;
  return { a: mx - b * my, b };
}

function reflect([x, y]: Point2, { a, b }: { a: number; b: number }): Point2 {
  // Unit direction of the line, and its point at y = 0.
  const norm = Math.hypot(b, 1);
  const [dx, dy] = [b / norm, 1 / norm];
  const [vx, vy] = [x - a, y];
  const along = vx * dx + vy * dy;
  return [a + 2 * along * dx - vx, 2 * along * dy - vy];
}

/** Per-zone deviation in pixels of the face frame. */
export function zoneDeviationsPx(landmarks: readonly Point3[]): Record<keyof typeof SYMMETRY_ZONES, number> {
  const frame = faceFrame(landmarks);
  const line = fitMidline(MIDLINE.map((i) => frame.at(i)));
  const result = {} as Record<keyof typeof SYMMETRY_ZONES, number>;
  for (const [zone, { points }] of Object.entries(SYMMETRY_ZONES) as [keyof typeof SYMMETRY_ZONES, (typeof SYMMETRY_ZONES)[keyof typeof SYMMETRY_ZONES]][]) {
    let sx = 0, sy = 0;
    for (const i of points) {
      const right = frame.at(i);
      const mirrored = reflect(frame.at(mirrorIndex(i)), line);
      sx += mirrored[0] - right[0];
      sy += mirrored[1] - right[1];
    }
    result[zone] = Math.hypot(sx / points.length, sy / points.length);
  }
  return result;
}

export function facialSymmetry(
  landmarks: readonly Point3[],
  pose: { yaw: number },
  scale: PixelScale | null,
): { measurements: Measurement[]; notMeasurable: NotMeasurable[] } {
  const zones = Object.entries(SYMMETRY_ZONES);
  const refuse = (reason: string): { measurements: Measurement[]; notMeasurable: NotMeasurable[] } => ({
    measurements: [],
    notMeasurable: zones.map(([zone, { label }]) => ({ id: `symmetry_${zone}`, label: `${label} symmetry`, reason })),
  });
  if (Math.abs(pose.yaw) > SYMMETRY_MAX_YAW) {
    return refuse(`the head is turned (yaw ${pose.yaw.toFixed(1)}°): above ±${SYMMETRY_MAX_YAW}° the turn itself would read as asymmetry`);
  }
  if (!scale) return refuse('not measurable in mm: no px → mm scale');
  const deviations = zoneDeviationsPx(landmarks);
  return {
    measurements: zones.map(([zone, { label }]) => {
      const value = deviations[zone as keyof typeof SYMMETRY_ZONES] * scale.mmPerPx;
      return {
        id: `symmetry_${zone}`,
        label: `${label} symmetry: left–right deviation`,
        value: Number(value.toFixed(1)),
        unit: 'mm' as const,
        // Both sides share the scale; the floor is the residual on faces made exactly symmetric (≤ 0.5 mm, docs/validation.md).
        uncertainty: Number(Math.max(value * scale.uncertainty, 0.5).toFixed(1)),
        method:
          'left-side points mirrored across the fitted facial midline, compared with their right-side counterparts; length of the mean offset. Side differences above about 3 mm are generally perceptible (PMC5556787)',
      };
    }),
    notMeasurable: [],
  };
}
