/**
 * Named points of the 478-point face mesh (MediaPipe topology, as used by Human). "Right" and "left"
 * are the patient's own sides: the patient's right eye appears on the left of a frontal photo.
 */
export const MESH = {
  rightIrisCentre: 473,
  leftIrisCentre: 468,
  rightEyeOuter: 33,
  rightEyeInner: 133,
  rightEyeUpper: 159,
  rightEyeLower: 145,
  leftEyeOuter: 263,
  leftEyeInner: 362,
  leftEyeUpper: 386,
  leftEyeLower: 374,
  noseTip: 1,
  subnasale: 2,
  upperLipTop: 0,
  stomion: 13,
  lowerLipInner: 14,
  lowerLipBottom: 17,
  chin: 152,
  rightMouthCorner: 61,
  leftMouthCorner: 291,
  rightCheek: 205,
  leftCheek: 425,
  foreheadTop: 10,
  rightFaceEdge: 234,
  leftFaceEdge: 454,
} as const;

/** Eye openings (lid margins), in order around each eye. */
export const RIGHT_EYE_OPENING = [33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246];
export const LEFT_EYE_OPENING = [263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466];

/** The face outline, in order around the face. */
export const FACE_OVAL = [
  10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136,
  172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
];
