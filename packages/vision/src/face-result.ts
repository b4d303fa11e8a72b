/**
 * Human's face result → Contour's DetectedFace. Pure and browser-safe: the server's workers and the
 * browser's guided capture map results the same way, so live feedback and stored checks agree.
 */
import type { Point3 } from '@contour/domain/face-mesh';
import { MESH } from './mesh.js';

export type { Point3 };

export interface RgbImage {
  /** Interleaved 8-bit RGB, row by row, no padding. */
  data: Uint8Array;
  width: number;
  height: number;
}

export interface Pose {
  /** Degrees; > 0 when the patient has turned to their left (showing the right cheek). */
  yaw: number;
  /** Degrees; > 0 when the chin is raised. */
  pitch: number;
  /** Degrees; > 0 when the head tilts towards the patient's left shoulder. */
  roll: number;
}

export interface DetectedFace {
  /** [x, y, width, height] in image pixels. */
  box: [number, number, number, number];
  /** 478 points [x, y, z]; x and y in image pixels, z in pixels relative to the face centre (towards the camera < 0). */
  landmarks: Point3[];
  pose: Pose;
  expression: { label: string; scores: Record<string, number> };
  confidence: number;
}

/** The parts of Human's FaceResult used here (structurally typed, so the browser build's type fits too). */
export interface HumanFace {
  box: readonly number[];
  meshRaw: readonly (readonly (number | undefined)[])[];
  rotation?: { angle: { yaw: number; pitch: number; roll: number } } | null;
  emotion?: readonly { score: number; emotion: string }[];
  score: number;
}

const DEGREES = 180 / Math.PI;
const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/** Roll from the line between the pupils: more direct than the mesh's rotation estimate. */
export function rollFromEyes(landmarks: Point3[]): number {
  const right = landmarks[MESH.rightIrisCentre] as Point3;
  const left = landmarks[MESH.leftIrisCentre] as Point3;
  const [a, b] = right[0] <= left[0] ? [right, left] : [left, right];
  return Math.atan2(b[1] - a[1], b[0] - a[0]) * DEGREES;
}

export function toDetectedFace(face: HumanFace, width: number, height: number): DetectedFace {
  // meshRaw is the mesh normalised to the input size; scaling it back gives image pixels whatever the input.
  const landmarks = face.meshRaw.map(([x, y, z]) => [round((x ?? 0) * width, 2), round((y ?? 0) * height, 2), round((z ?? 0) * width, 2)] as Point3);
  const angle = face.rotation?.angle ?? { yaw: 0, pitch: 0, roll: 0 };
  const scores: Record<string, number> = {};
  for (const e of face.emotion ?? []) scores[e.emotion] = e.score;
  return {
    box: face.box.map((v) => round(v, 1)) as DetectedFace['box'],
    landmarks,
    // Human's yaw and pitch have the opposite signs to Contour's conventions (checked against
    // landmark geometry on the London set: r = −0.96 for yaw, +0.72 for pitch).
    pose: { yaw: round(-angle.yaw * DEGREES, 2), pitch: round(-angle.pitch * DEGREES, 2), roll: round(rollFromEyes(landmarks), 2) },
    expression: { label: face.emotion?.[0]?.emotion ?? 'unknown', scores },
    confidence: round(face.score, 3),
  };
}
