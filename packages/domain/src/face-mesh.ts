/**
 * Named points of the 478-point face mesh (MediaPipe topology, as used by Human): 468 face points, then
 * the patient's LEFT iris (468 centre, 469–472 around it) and RIGHT iris (473 centre, 474–477).
 * "Right" and "left" are the patient's own sides: the patient's right eye appears on the left of a
 * frontal photo. Every index here was checked by drawing it on London portraits (docs/validation.md).
 * Browser-safe: guided capture draws from these too.
 */
import { MIRROR_MAP } from './face-mirror-map.js';

/** [x, y, z]: x and y in image pixels, z in pixels relative to the face centre (towards the camera < 0). */
export type Point3 = [number, number, number];

export { MIRROR_MAP };

export const MESH = {
  rightIrisCentre: 473,
  leftIrisCentre: 468,
  /** Horizontal extremes of each iris: the iris model's points on the limbus at the pupil's height. */
  rightIrisMedial: 474,
  rightIrisLateral: 476,
  leftIrisMedial: 469,
  leftIrisLateral: 471,
  /** Lateral and medial canthi, and the mid-points of the upper and lower lid margins. */
  rightEyeOuter: 33,
  rightEyeInner: 133,
  rightEyeUpper: 159,
  rightEyeLower: 145,
  leftEyeOuter: 263,
  leftEyeInner: 362,
  leftEyeUpper: 386,
  leftEyeLower: 374,
  noseTip: 1,
  /** Where the columella meets the upper lip. */
  subnasale: 2,
  /** Upper lip's vermilion border at the midline (labrale superius). */
  upperLipTop: 0,
  /** Inner edges of the upper and lower lips at the midline; stomion is their mid-point. */
  stomion: 13,
  lowerLipInner: 14,
  /** Lower lip's vermilion border at the midline (labrale inferius). */
  lowerLipBottom: 17,
  /** Lowest point of the chin outline (soft-tissue menton). */
  chin: 152,
  rightMouthCorner: 61,
  leftMouthCorner: 291,
  /** Outermost points of the nasal alae. */
  rightAla: 129,
  leftAla: 358,
  rightCheek: 205,
  leftCheek: 425,
  foreheadTop: 10,
  /** Widest points of the face outline, at the cheekbones (zygion). */
  rightFaceEdge: 234,
  leftFaceEdge: 454,
  /** Angles of the jaw on the outline (gonion). */
  rightJawAngle: 172,
  leftJawAngle: 397,
} as const;

/** Eye openings (lid margins), in order around each eye. */
export const RIGHT_EYE_OPENING = [33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246];
export const LEFT_EYE_OPENING = [263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466];

/** The right brow's upper and lower edges, lateral (tail) to medial (head). */
export const RIGHT_BROW_UPPER = [70, 63, 105, 66, 107];
export const RIGHT_BROW_LOWER = [46, 53, 52, 65, 55];

/** The face outline, in order around the face. */
export const FACE_OVAL = [
  10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136,
  172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
];

/** The counterpart of a mesh point on the other side of the face. */
export const mirrorIndex = (i: number): number => MIRROR_MAP[i] ?? i;
export const mirrorIndices = (indices: readonly number[]): number[] => indices.map(mirrorIndex);

/** Points on the facial midline: those that are their own mirror image (forehead, nose, lips, chin). */
export const MIDLINE: readonly number[] = MIRROR_MAP.flatMap((j, i) => (j === i ? [i] : []));

/**
 * The landmarks of the same face photographed in a mirror: x → width − x, and each point takes its
 * counterpart's place, so the patient's right eye is still point 473. Measurements on the result must
 * swap right and left and leave everything else unchanged.
 */
export function mirrorLandmarks(landmarks: readonly Point3[], width: number): Point3[] {
  return landmarks.map((_, i) => {
    const [x, y, z] = landmarks[mirrorIndex(i)] as Point3;
    return [width - x, y, z];
  });
}
