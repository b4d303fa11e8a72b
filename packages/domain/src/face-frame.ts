/**
 * The face's own frame: origin at the mid-point between the pupils, x along the inter-pupil line towards
 * the patient's left (the image right), y down. Turning the photo into this frame removes head roll, so a
 * tilted head neither tilts the canthi nor shortens heights; mirroring the face only changes the sign of x.
 */
import { MESH, type Point3 } from './face-mesh.js';

export type Point2 = [number, number];

export interface FaceFrame {
  /** Inter-pupil distance in pixels. */
  ipdPx: number;
  /** Head roll in degrees, from the pupils (> 0: the patient's left pupil is lower in the image). */
  rollDeg: number;
  /** Landmark i in the face frame (pixels). */
  at(i: number): Point2;
  /** Any image point into the face frame. */
  level(p: readonly number[]): Point2;
  /** A face-frame point back into the image. */
  toImage(p: Point2): Point2;
}

export function faceFrame(landmarks: readonly Point3[]): FaceFrame {
  const right = landmarks[MESH.rightIrisCentre] as Point3;
  const left = landmarks[MESH.leftIrisCentre] as Point3;
  const ox = (right[0] + left[0]) / 2;
  const oy = (right[1] + left[1]) / 2;
  const angle = Math.atan2(left[1] - right[1], left[0] - right[0]);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const level = (p: readonly number[]): Point2 => {
    const dx = (p[0] ?? 0) - ox;
    const dy = (p[1] ?? 0) - oy;
    return [cos * dx + sin * dy, -sin * dx + cos * dy];
  };
  return {
    ipdPx: Math.hypot(left[0] - right[0], left[1] - right[1]),
    rollDeg: (angle * 180) / Math.PI,
    at: (i) => level(landmarks[i] as Point3),
    level,
    toImage: ([x, y]) => [ox + cos * x - sin * y, oy + sin * x + cos * y],
  };
}

export const distance = (a: Point2, b: Point2): number => Math.hypot(a[0] - b[0], a[1] - b[1]);
