/**
 * The clinical photography protocol: which views a session needs, how each must be posed, and the
 * quality thresholds every photo is held to. Pure: measurements come in (from packages/vision), a
 * verdict per check comes out, each with a plain instruction for the photographer.
 *
 * Pose conventions (degrees, as the camera sees the patient):
 * - yaw > 0: the patient has turned to their left, showing their RIGHT cheek (right oblique is +45°);
 * - pitch > 0: chin raised; roll > 0: head tilted towards the patient's left shoulder.
 */

export const VIEW_IDS = [
  'frontal',
  'right_oblique',
  'left_oblique',
  'right_profile',
  'left_profile',
  'frown',
  'brow_raise',
  'smile',
] as const;
export type ViewId = (typeof VIEW_IDS)[number];

export const EXPRESSIONS = ['neutral', 'smile', 'frown', 'brow_raise'] as const;
export type Expression = (typeof EXPRESSIONS)[number];

export interface ViewSpec {
  id: ViewId;
  label: string;
  /** Expected yaw in degrees (see conventions above). */
  yaw: number;
  yawTolerance: number;
  pitchTolerance: number;
  rollTolerance: number;
  expression: Expression;
  /** Part of a complete session; optional views can be taken but are not required. */
  required: boolean;
}

export interface QualityThresholds {
  /** Face width as a share of image width. */
  minFaceWidthShare: number;
  maxFaceWidthShare: number;
  /** Distance of the face centre from the image centre, as a share of the image size. */
  maxCentreOffset: number;
  /** Margin the whole face must keep from every image edge, as a share of the image size. */
  minEdgeMargin: number;
  /** Variance of the Laplacian on the face scaled to a fixed width (higher is sharper). */
  minSharpness: number;
  /**
   * Brightness of the whites of the eyes, 0–255: the one near-white reference on every face, so exposure
   * is judged the same whatever the patient's skin tone.
   */
  minEyeWhiteBrightness: number;
  maxEyeWhiteBrightness: number;
  /** Share of face and background pixels crushed to black or blown to white. */
  maxClippedShare: number;
  /** Darker cheek ÷ brighter cheek. */
  minLightingBalance: number;
  /** Chroma of the background's mean colour (CIELAB a*b* distance from grey). */
  maxColourCast: number;
  /** Standard deviation of background luminance. */
  maxBackgroundVariation: number;
  /** Eyelid opening ÷ eye width, the smaller eye. */
  minEyeOpenness: number;
  /** Shorter image side and face width, in pixels. */
  minImageSide: number;
  minFaceWidthPx: number;
  /** Expression model scores, 0–1. */
  minSmileScore: number;
  maxNeutralSmileScore: number;
  /** Evidence for the dynamic views (see PhotoMeasurements), 0–1. */
  minFrownScore: number;
  minBrowRaiseScore: number;
}

export interface PhotoProtocol {
  name: string;
  views: ViewSpec[];
  thresholds: QualityThresholds;
}

const view = (id: ViewId, label: string, yaw: number, expression: Expression, required: boolean, tolerance: number): ViewSpec => ({
  id,
  label,
  yaw,
  yawTolerance: tolerance,
  pitchTolerance: 12,
  rollTolerance: 6,
  expression,
  required,
});

/** A standard aesthetic-photography set; clinics can replace views and thresholds with their own. */
export const DEFAULT_PROTOCOL: PhotoProtocol = {
  name: 'Standard facial aesthetics',
  views: [
    view('frontal', 'Frontal, neutral', 0, 'neutral', true, 6),
    view('right_oblique', 'Right oblique 45°', 45, 'neutral', true, 12),
    view('left_oblique', 'Left oblique 45°', -45, 'neutral', true, 12),
    view('right_profile', 'Right profile 90°', 90, 'neutral', true, 15),
    view('left_profile', 'Left profile 90°', -90, 'neutral', true, 15),
    view('frown', 'Frown (glabellar lines)', 0, 'frown', false, 8),
    view('brow_raise', 'Brow raise (forehead lines)', 0, 'brow_raise', false, 8),
    view('smile', 'Full smile', 0, 'smile', true, 8),
  ],
  thresholds: {
    minFaceWidthShare: 0.25,
    maxFaceWidthShare: 0.75,
    maxCentreOffset: 0.12,
    minEdgeMargin: 0.02,
    minSharpness: 20,
    minEyeWhiteBrightness: 90,
    maxEyeWhiteBrightness: 232,
    maxClippedShare: 0.05,
    minLightingBalance: 0.8,
    maxColourCast: 12,
    maxBackgroundVariation: 25,
    minEyeOpenness: 0.18,
    minImageSide: 800,
    minFaceWidthPx: 300,
    minSmileScore: 0.5,
    maxNeutralSmileScore: 0.6,
    minFrownScore: 0.5,
    minBrowRaiseScore: 0.5,
  },
};

export function findView(protocol: PhotoProtocol, id: string): ViewSpec | undefined {
  return protocol.views.find((v) => v.id === id);
}

/** What vision measured on one photo. Face-dependent values are null when no single face was found. */
export interface PhotoMeasurements {
  width: number;
  height: number;
  faceCount: number;
  yaw: number | null;
  pitch: number | null;
  roll: number | null;
  faceWidthShare: number | null;
  faceWidthPx: number | null;
  centreOffset: number | null;
  edgeMargin: number | null;
  sharpness: number | null;
  eyeWhiteBrightness: number | null;
  clippedShare: number | null;
  lightingBalance: number | null;
  /** Which side is darker when unbalanced, as the patient's side. */
  darkerSide: 'right' | 'left' | null;
  colourCast: number | null;
  backgroundVariation: number | null;
  eyeOpenness: number | null;
  /** Larger of the expression model's "happy" score and a mouth-shape score (width and corner lift), 0–1. */
  smileScore: number | null;
  /** Expression evidence for the dynamic views, 0–1. */
  frownScore: number | null;
  browRaiseScore: number | null;
}

export const CHECK_IDS = [
  'one_face',
  'resolution',
  'face_size',
  'centring',
  'yaw',
  'pitch',
  'roll',
  'sharpness',
  'exposure',
  'clipping',
  'lighting_balance',
  'colour_cast',
  'background',
  'eyes_open',
  'expression',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export interface QualityCheck {
  id: CheckId;
  passed: boolean;
  /** The measured value (rounded), or null when it could not be measured. */
  value: number | null;
  /** The limit it was held to, in the same unit; a [min, max] pair for ranges. */
  threshold: number | [number, number];
  /** What the photographer should do; for a pass, what was confirmed. */
  message: string;
}

export interface QualityResult {
  passed: boolean;
  checks: QualityCheck[];
}

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

const side = (positive: boolean): string => (positive ? 'left' : 'right');

function rangeCheck(id: CheckId, value: number | null, min: number, max: number, low: string, high: string, ok: string): QualityCheck {
  if (value === null) return { id, passed: false, value: null, threshold: [min, max], message: 'Could not be measured: no single face found.' };
  const passed = value >= min && value <= max;
  return { id, passed, value: round(value), threshold: [min, max], message: passed ? ok : value < min ? low : high };
}

function minCheck(id: CheckId, value: number | null, min: number, failed: string, ok: string): QualityCheck {
  if (value === null) return { id, passed: false, value: null, threshold: min, message: 'Could not be measured: no single face found.' };
  const passed = value >= min;
  return { id, passed, value: round(value), threshold: min, message: passed ? ok : failed };
}

function maxCheck(id: CheckId, value: number | null, max: number, failed: string, ok: string): QualityCheck {
  if (value === null) return { id, passed: false, value: null, threshold: max, message: 'Could not be measured: no single face found.' };
  const passed = value <= max;
  return { id, passed, value: round(value), threshold: max, message: passed ? ok : failed };
}

function poseCheck(id: 'yaw' | 'pitch' | 'roll', measured: number | null, expected: number, tolerance: number): QualityCheck {
  if (measured === null) {
    return { id, passed: false, value: null, threshold: tolerance, message: 'Could not be measured: no single face found.' };
  }
  const error = measured - expected;
  const passed = Math.abs(error) <= tolerance;
  const degrees = Math.max(1, Math.round(Math.abs(error)));
  let message: string;
  if (passed) message = 'Head position is right for this view.';
  else if (id === 'yaw') message = `Ask the patient to turn their head ${degrees}° to their ${side(error < 0)}.`;
  else if (id === 'pitch') message = error > 0 ? `Ask the patient to lower their chin by about ${degrees}°.` : `Ask the patient to raise their chin by about ${degrees}°.`;
  else message = `Ask the patient to level their head: it tilts ${degrees}° towards their ${side(error > 0)} shoulder.`;
  return { id, passed, value: round(measured, 1), threshold: tolerance, message };
}

interface ExpressionRule {
  score: (m: PhotoMeasurements) => number;
  limit: (t: QualityThresholds) => number;
  /** True when the score must stay at or below the limit (a neutral face), false when it must reach it. */
  atMost: boolean;
  confirmed: string;
  ask: string;
}

const EXPRESSION_RULES: Record<Expression, ExpressionRule> = {
  neutral: {
    score: (m) => m.smileScore ?? 0,
    limit: (t) => t.maxNeutralSmileScore,
    atMost: true,
    confirmed: 'Neutral expression.',
    ask: 'Ask the patient to relax their expression: lips together, no smile.',
  },
  smile: {
    score: (m) => m.smileScore ?? 0,
    limit: (t) => t.minSmileScore,
    atMost: false,
    confirmed: 'Full smile.',
    ask: 'Ask the patient for a full smile, showing their teeth.',
  },
  frown: {
    score: (m) => m.frownScore ?? 0,
    limit: (t) => t.minFrownScore,
    atMost: false,
    confirmed: 'Frown shows the glabellar lines.',
    ask: 'Ask the patient to frown hard, drawing their brows together.',
  },
  brow_raise: {
    score: (m) => m.browRaiseScore ?? 0,
    limit: (t) => t.minBrowRaiseScore,
    atMost: false,
    confirmed: 'Brows raised.',
    ask: 'Ask the patient to raise their eyebrows as high as they can.',
  },
};

function expressionCheck(expected: Expression, m: PhotoMeasurements, t: QualityThresholds): QualityCheck {
  const rule = EXPRESSION_RULES[expected];
  const threshold = rule.limit(t);
  // The expression scores exist only when a single face was measured (smileScore stands for all of them).
  if (m.smileScore === null) return { id: 'expression', passed: false, value: null, threshold, message: 'Could not be measured: no single face found.' };
  const score = rule.score(m);
  const passed = rule.atMost ? score <= threshold : score >= threshold;
  return { id: 'expression', passed, value: round(score), threshold, message: passed ? rule.confirmed : rule.ask };
}

/** Every check for one photo of one view; the photo passes only if all do. */
export function evaluatePhoto(view: ViewSpec, t: QualityThresholds, m: PhotoMeasurements): QualityResult {
  const shortSide = Math.min(m.width, m.height);
  const oneFace: QualityCheck = {
    id: 'one_face',
    passed: m.faceCount === 1,
    value: m.faceCount,
    threshold: 1,
    message:
      m.faceCount === 1
        ? 'Exactly one face in the frame.'
        : m.faceCount === 0
          ? 'No face found: make sure the whole face is in the frame, well lit and facing the camera.'
          : `${m.faceCount} faces found: only the patient may be in the frame.`,
  };
  const resolution: QualityCheck = {
    id: 'resolution',
    passed: shortSide >= t.minImageSide && (m.faceWidthPx === null || m.faceWidthPx >= t.minFaceWidthPx),
    value: shortSide,
    threshold: t.minImageSide,
    message:
      shortSide < t.minImageSide
        ? `The image is too small (${shortSide} px): use the camera's full resolution, at least ${t.minImageSide} px.`
        : m.faceWidthPx !== null && m.faceWidthPx < t.minFaceWidthPx
          ? `The face is only ${Math.round(m.faceWidthPx)} px wide: move closer or use a higher resolution.`
          : 'Resolution is sufficient.',
  };
  const framing = (() => {
    const size = rangeCheck(
      'face_size',
      m.faceWidthShare,
      t.minFaceWidthShare,
      t.maxFaceWidthShare,
      'The face is too small in the frame: move the camera closer.',
      'The face is too large in the frame: move the camera further away.',
      'Face size in the frame is right.',
    );
    const offset = m.centreOffset;
    const margin = m.edgeMargin;
    const centred = offset !== null && margin !== null && offset <= t.maxCentreOffset && margin >= t.minEdgeMargin;
    const centring: QualityCheck = {
      id: 'centring',
      passed: centred,
      value: offset === null ? null : round(offset),
      threshold: t.maxCentreOffset,
      message:
        offset === null || margin === null
          ? 'Could not be measured: no single face found.'
          : margin < t.minEdgeMargin
            ? 'Part of the face is cut off: frame the whole head with some space around it.'
            : offset > t.maxCentreOffset
              ? 'Centre the face in the frame.'
              : 'The face is centred.',
    };
    return [size, centring];
  })();
  const checks: QualityCheck[] = [
    oneFace,
    resolution,
    ...framing,
    poseCheck('yaw', m.yaw, view.yaw, view.yawTolerance),
    poseCheck('pitch', m.pitch, 0, view.pitchTolerance),
    poseCheck('roll', m.roll, 0, view.rollTolerance),
    minCheck('sharpness', m.sharpness, t.minSharpness, 'The photo is blurred: hold the camera steady, focus on the eyes and retake.', 'The photo is sharp.'),
    rangeCheck(
      'exposure',
      m.eyeWhiteBrightness,
      t.minEyeWhiteBrightness,
      t.maxEyeWhiteBrightness,
      'The image is too dark: raise the exposure or add light.',
      'The image is too bright: lower the exposure or reduce the light.',
      'Exposure is right.',
    ),
    maxCheck('clipping', m.clippedShare, t.maxClippedShare, 'Parts of the image are pure black or white: adjust the exposure so skin and background keep their detail.', 'No clipped highlights or shadows.'),
    minCheck(
      'lighting_balance',
      m.lightingBalance,
      t.minLightingBalance,
      `Lighting is uneven: the patient's ${m.darkerSide ?? 'one'} side is darker. Even out the lights on both sides.`,
      'Both sides of the face are evenly lit.',
    ),
    maxCheck('colour_cast', m.colourCast, t.maxColourCast, 'The image has a colour cast: set the white balance (use a grey card) and retake.', 'Colour balance is neutral.'),
    maxCheck('background', m.backgroundVariation, t.maxBackgroundVariation, 'The background is not plain: use the plain backdrop and remove objects behind the patient.', 'The background is plain.'),
    minCheck('eyes_open', m.eyeOpenness, t.minEyeOpenness, 'The eyes are closed or half closed: ask the patient to keep their eyes open and look at the camera.', 'Eyes are open.'),
    expressionCheck(view.expression, m, t),
  ];
  return { passed: checks.every((c) => c.passed), checks };
}

export interface ProtocolProblem {
  /** JSON pointer into the protocol, e.g. /views/2/yawTolerance. */
  path: string;
  message: string;
}

type ThresholdName = keyof QualityThresholds;

/** Sane range of every threshold: a clinic can tighten or relax its checks, not switch them off by accident. */
export const THRESHOLD_RANGES: Record<ThresholdName, [number, number]> = {
  minFaceWidthShare: [0.05, 1],
  maxFaceWidthShare: [0.05, 1],
  maxCentreOffset: [0, 0.5],
  minEdgeMargin: [0, 0.3],
  minSharpness: [0, 10_000],
  minEyeWhiteBrightness: [0, 255],
  maxEyeWhiteBrightness: [0, 255],
  maxClippedShare: [0, 1],
  minLightingBalance: [0, 1],
  maxColourCast: [0, 100],
  maxBackgroundVariation: [0, 128],
  minEyeOpenness: [0, 1],
  minImageSide: [64, 20_000],
  minFaceWidthPx: [16, 20_000],
  minSmileScore: [0, 1],
  maxNeutralSmileScore: [0, 1],
  minFrownScore: [0, 1],
  minBrowRaiseScore: [0, 1],
};

/**
 * Everything wrong with a clinic's protocol (empty when it is sound): known and unique view ids, at least
 * one required view, poses within ±90° and tolerances of 1–45°, thresholds in range and min below max.
 */
export function protocolProblems(protocol: PhotoProtocol): ProtocolProblem[] {
  const problems: ProtocolProblem[] = [];
  if (typeof protocol.name !== 'string' || protocol.name.trim() === '') problems.push({ path: '/name', message: 'must not be blank' });
  if (!Array.isArray(protocol.views) || protocol.views.length === 0) {
    problems.push({ path: '/views', message: 'must list at least one view' });
  } else {
    const seen = new Set<string>();
    protocol.views.forEach((v, i) => {
      const at = `/views/${i}`;
      if (!(VIEW_IDS as readonly string[]).includes(v.id)) problems.push({ path: `${at}/id`, message: `unknown view; views are ${VIEW_IDS.join(', ')}` });
      else if (seen.has(v.id)) problems.push({ path: `${at}/id`, message: `view ${v.id} is listed twice` });
      seen.add(v.id);
      if (typeof v.label !== 'string' || v.label.trim() === '') problems.push({ path: `${at}/label`, message: 'must not be blank' });
      if (!(EXPRESSIONS as readonly string[]).includes(v.expression)) problems.push({ path: `${at}/expression`, message: `must be one of ${EXPRESSIONS.join(', ')}` });
      if (!(Math.abs(v.yaw) <= 90)) problems.push({ path: `${at}/yaw`, message: 'must be between -90 and 90 degrees' });
      for (const key of ['yawTolerance', 'pitchTolerance', 'rollTolerance'] as const) {
        if (!(v[key] >= 1 && v[key] <= 45)) problems.push({ path: `${at}/${key}`, message: 'must be between 1 and 45 degrees' });
      }
    });
    if (!protocol.views.some((v) => v.required)) problems.push({ path: '/views', message: 'at least one view must be required' });
  }
  const t = protocol.thresholds;
  if (!t || typeof t !== 'object') {
    problems.push({ path: '/thresholds', message: 'are missing' });
    return problems;
  }
  for (const [name, [min, max]] of Object.entries(THRESHOLD_RANGES) as [ThresholdName, [number, number]][]) {
    const value = t[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      problems.push({ path: `/thresholds/${name}`, message: `must be between ${min} and ${max}` });
    }
  }
  const ordered: [ThresholdName, ThresholdName][] = [
    ['minFaceWidthShare', 'maxFaceWidthShare'],
    ['minEyeWhiteBrightness', 'maxEyeWhiteBrightness'],
  ];
  for (const [low, high] of ordered) {
    if (t[low] >= t[high]) problems.push({ path: `/thresholds/${low}`, message: `must be below ${high}` });
  }
  return problems;
}
