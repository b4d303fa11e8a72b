/**
 * Consistency with the patient's baseline: a before/after pair is only comparable when it was taken at
 * the same scale, framing, head pose and lighting. Pure: the server gathers the numbers of two analysed
 * frontal photos (the patient's first compliant one, in an earlier session, and the new one) and this
 * says, per aspect, whether they match and what the photographer should change.
 */

/** What one analysed photo contributes to the comparison (all in that photo's pixels unless stated). */
export interface ConsistencyBasis {
  photoId: string;
  width: number;
  height: number;
  /** Distance between the pupil centres, in pixels. */
  interPupilPx: number;
  /** Centre of the face (landmark bounds), in pixels. */
  faceCentre: { x: number; y: number };
  /** Degrees, in the conventions of photo-protocol.ts. */
  pose: { yaw: number; pitch: number; roll: number };
  /** Brightness of the whites of the eyes, 0–255 (see QualityThresholds). */
  eyeWhiteBrightness: number | null;
  /** Darker cheek ÷ brighter cheek, 0–1. */
  lightingBalance: number | null;
  darkerSide?: 'right' | 'left' | null;
}

export const CONSISTENCY_CHECK_IDS = ['scale', 'framing', 'pose', 'lighting'] as const;
export type ConsistencyCheckId = (typeof CONSISTENCY_CHECK_IDS)[number];

export interface ConsistencyCheck {
  id: ConsistencyCheckId;
  passed: boolean;
  /**
   * How far from the baseline, as a non-negative magnitude in the threshold's unit (the message says which
   * way): scale = relative change in face size, framing = shift of the face centre as a share of the image,
   * pose = largest yaw/pitch/roll difference in degrees, lighting = relative change in eye-white brightness.
   * Null when it could not be measured.
   */
  value: number | null;
  threshold: number;
  message: string;
}

export interface ConsistencyReport {
  baselinePhotoId: string;
  checks: ConsistencyCheck[];
}

export interface ConsistencyThresholds {
  /** Relative change in face size (inter-pupil distance as a share of image width). */
  maxScaleChange: number;
  /** Shift of the face centre as a share of the image width/height. */
  maxCentreShift: number;
  /** Degrees, for each of yaw, pitch and roll. */
  maxPoseChange: number;
  /** Relative change in eye-white brightness. */
  maxBrightnessChange: number;
  /** Absolute change in lighting balance (darker ÷ brighter cheek). */
  maxBalanceChange: number;
}

export const DEFAULT_CONSISTENCY_THRESHOLDS: ConsistencyThresholds = {
  maxScaleChange: 0.1,
  maxCentreShift: 0.05,
  maxPoseChange: 5,
  maxBrightnessChange: 0.15,
  maxBalanceChange: 0.1,
};

const round = (value: number, digits = 3): number => Number(value.toFixed(digits));
const percent = (share: number): number => Math.max(1, Math.round(Math.abs(share) * 100));

function scaleCheck(baseline: ConsistencyBasis, current: ConsistencyBasis, t: ConsistencyThresholds): ConsistencyCheck {
  const base = baseline.interPupilPx / baseline.width;
  const now = current.interPupilPx / current.width;
  if (!(base > 0) || !(now > 0)) {
    return { id: 'scale', passed: false, value: null, threshold: t.maxScaleChange, message: 'Could not be measured: the pupils were not found.' };
  }
  // The face's apparent size is inversely proportional to the camera distance: a face 20% larger needs
  // the camera 20% further back.
  const ratio = now / base;
  const change = ratio - 1;
  const passed = Math.abs(change) <= t.maxScaleChange;
  const message = passed
    ? `Same scale as at baseline (within ${percent(t.maxScaleChange)}%).`
    : change > 0
      ? `Closer than at baseline: move the camera back about ${percent(change)}%.`
      : `Further away than at baseline: move the camera closer, about ${percent(1 - ratio)}% nearer.`;
  return { id: 'scale', passed, value: round(Math.abs(change)), threshold: t.maxScaleChange, message };
}

function framingCheck(baseline: ConsistencyBasis, current: ConsistencyBasis, t: ConsistencyThresholds): ConsistencyCheck {
  const dx = current.faceCentre.x / current.width - baseline.faceCentre.x / baseline.width;
  const dy = current.faceCentre.y / current.height - baseline.faceCentre.y / baseline.height;
  const shift = Math.max(Math.abs(dx), Math.abs(dy));
  const passed = shift <= t.maxCentreShift;
  const moves: string[] = [];
  if (Math.abs(dx) > t.maxCentreShift) moves.push(`${percent(dx)}% further ${dx > 0 ? 'right' : 'left'}`);
  if (Math.abs(dy) > t.maxCentreShift) moves.push(`${percent(dy)}% ${dy > 0 ? 'lower' : 'higher'}`);
  const message = passed
    ? 'The face sits where it did at baseline.'
    : `The face sits ${moves.join(' and ')} in the frame than at baseline: aim the camera to frame it as before.`;
  return { id: 'framing', passed, value: round(shift), threshold: t.maxCentreShift, message };
}

function poseCheck(baseline: ConsistencyBasis, current: ConsistencyBasis, t: ConsistencyThresholds): ConsistencyCheck {
  const d = {
    yaw: current.pose.yaw - baseline.pose.yaw,
    pitch: current.pose.pitch - baseline.pose.pitch,
    roll: current.pose.roll - baseline.pose.roll,
  };
  const largest = Math.max(Math.abs(d.yaw), Math.abs(d.pitch), Math.abs(d.roll));
  const passed = largest <= t.maxPoseChange;
  const degrees = (v: number): number => Math.max(1, Math.round(Math.abs(v)));
  const fixes: string[] = [];
  // Conventions (photo-protocol.ts): yaw > 0 turned to their left; pitch > 0 chin raised; roll > 0 tilted to the left shoulder.
  if (Math.abs(d.yaw) > t.maxPoseChange) fixes.push(`turn their head about ${degrees(d.yaw)}° to their ${d.yaw > 0 ? 'right' : 'left'}`);
  if (Math.abs(d.pitch) > t.maxPoseChange) fixes.push(`${d.pitch > 0 ? 'lower' : 'raise'} their chin by about ${degrees(d.pitch)}°`);
  if (Math.abs(d.roll) > t.maxPoseChange) fixes.push(`level their head by about ${degrees(d.roll)}° towards their ${d.roll > 0 ? 'right' : 'left'} shoulder`);
  const message = passed ? 'Head position matches the baseline.' : `Head position differs from the baseline: ask the patient to ${fixes.join(', and ')}.`;
  return { id: 'pose', passed, value: round(largest, 1), threshold: t.maxPoseChange, message };
}

function lightingCheck(baseline: ConsistencyBasis, current: ConsistencyBasis, t: ConsistencyThresholds): ConsistencyCheck {
  const threshold = t.maxBrightnessChange;
  if (baseline.eyeWhiteBrightness === null || current.eyeWhiteBrightness === null || baseline.eyeWhiteBrightness <= 0) {
    return { id: 'lighting', passed: false, value: null, threshold, message: 'Could not be measured: the eyes were not found.' };
  }
  const change = current.eyeWhiteBrightness / baseline.eyeWhiteBrightness - 1;
  const brightnessOk = Math.abs(change) <= threshold;
  const balanceChange =
    baseline.lightingBalance === null || current.lightingBalance === null ? 0 : current.lightingBalance - baseline.lightingBalance;
  const balanceOk = Math.abs(balanceChange) <= t.maxBalanceChange;
  const problems: string[] = [];
  if (!brightnessOk) {
    problems.push(
      change > 0
        ? `Brighter than at baseline by about ${percent(change)}%: lower the exposure or the light to match`
        : `Darker than at baseline by about ${percent(change)}%: raise the exposure or add light to match`,
    );
  }
  if (!balanceOk) {
    const side = current.darkerSide ? `the patient's ${current.darkerSide} side is darker` : 'one side is darker';
    problems.push(
      balanceChange < 0
        ? `The light is less even than at baseline (${side}): place the lights as they were`
        : 'The light is more even than at baseline: place the lights as they were',
    );
  }
  return {
    id: 'lighting',
    passed: brightnessOk && balanceOk,
    value: round(Math.abs(change)),
    threshold,
    message: problems.length === 0 ? 'Lighting matches the baseline.' : `${problems.join('. ')}.`,
  };
}

/** Compares a photo with the baseline photo of the same view; every check must pass for a comparable pair. */
export function compareWithBaseline(
  baseline: ConsistencyBasis,
  current: ConsistencyBasis,
  thresholds: ConsistencyThresholds = DEFAULT_CONSISTENCY_THRESHOLDS,
): ConsistencyReport {
  return {
    baselinePhotoId: baseline.photoId,
    checks: [
      scaleCheck(baseline, current, thresholds),
      framingCheck(baseline, current, thresholds),
      poseCheck(baseline, current, thresholds),
      lightingCheck(baseline, current, thresholds),
    ],
  };
}
