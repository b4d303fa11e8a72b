/**
 * Facial geometry from a frontal photo's landmarks: the px → mm scale from the iris, proportions and
 * distances, symmetry per zone and the zone map. Pure: landmarks in image pixels and the head pose in,
 * figures out. Every figure says how it was measured; mm figures carry the scale's uncertainty; ranges
 * are descriptive population figures from the clinical reference, never "ideals". What a frontal photo
 * cannot show is returned as not measurable, never guessed. Method and checks: docs/validation.md.
 */
import type { Measurement, NotMeasurable, PixelScale, PopulationRange, ZoneShape } from './face-analysis.js';
import { faceFrame, distance, type FaceFrame, type Point2 } from './face-frame.js';
import { MESH, RIGHT_BROW_UPPER, mirrorIndex, type Point3 } from './face-mesh.js';
import { facialSymmetry } from './face-symmetry.js';
import { zoneShapes } from './face-zones.js';

export { facialSymmetry, SYMMETRY_MAX_YAW } from './face-symmetry.js';
export { zoneShapes } from './face-zones.js';

/** Degrees, in Contour's conventions (photo-protocol). */
export interface HeadPose {
  yaw: number;
  pitch: number;
  roll: number;
}

/** Horizontal visible iris diameter, adult population mean (Rüfer et al. 2005, n = 390: 11.71 ± 0.42 mm). */
export const IRIS_DIAMETER_MM = 11.7;
/** ±3.6% from people's iris sizes (1 SD) plus the iris edges' placement: about ±5% in all. */
export const SCALE_UNCERTAINTY = 0.05;
/** The iris is only a fair ruler when it faces the camera: turned, it looks narrower (MediaPipe #4427). */
export const SCALE_MAX_YAW = 8;
export const SCALE_MAX_PITCH = 12;

export interface ScaleResult {
  scale: PixelScale | null;
  /** Why there is no scale, when there is none. */
  reason: string | null;
}

export function pixelScale(landmarks: readonly Point3[], pose: HeadPose): ScaleResult {
  if (Math.abs(pose.yaw) > SCALE_MAX_YAW || Math.abs(pose.pitch) > SCALE_MAX_PITCH) {
    return {
      scale: null,
      reason: `the head is turned (yaw ${pose.yaw.toFixed(1)}°, pitch ${pose.pitch.toFixed(1)}°): the iris is a reliable ruler only within ±${SCALE_MAX_YAW}° yaw and ±${SCALE_MAX_PITCH}° pitch`,
    };
  }
  const p = (i: number): Point2 => [(landmarks[i] as Point3)[0], (landmarks[i] as Point3)[1]];
  const right = distance(p(MESH.rightIrisMedial), p(MESH.rightIrisLateral));
  const left = distance(p(MESH.leftIrisMedial), p(MESH.leftIrisLateral));
  return {
    scale: {
      mmPerPx: IRIS_DIAMETER_MM / ((right + left) / 2),
      method: `horizontal iris diameter, mean of both eyes, taken as ${IRIS_DIAMETER_MM} mm (adult mean, Rüfer 2005)`,
      uncertainty: SCALE_UNCERTAINTY,
      irisDiameterPx: { right, left },
    },
    reason: null,
  };
}

const ranges = {
  lowerFace: { low: 0.43, high: 0.5, source: 'Mommaerts 2011: subnasale–stomion ≈ 1/3 and stomion–menton ≈ 2/3 of the lower third (also reported as 30 : 70)' },
  vermilion: { low: 1, high: 2, source: 'published preferences, not population norms: 1 : 1 (Heidekrueger 2017), 1 : 1.6 (Kar 2018), 1 : 2 (Popenko 2017)' },
  mouthToAlar: { low: 1.22, high: 1.5, source: 'Japanese women mean 48.9 ÷ 40.0 mm (JSMA 56(4)); > 1.5 in Italian models (Torsello 2010)' },
  canthalTilt: { low: 4.1, high: 7.1, source: 'Caucasian women: average 4.1°, rated attractive 7.1° (Rhee 2012, via a secondary summary)' },
  gonialToZygomatic: { low: 0.725, high: 0.86, source: 'bigonial ÷ bizygomatic width rated attractive, 72.5–86% (BioMed Res Int 2022, 2595662)' },
  ipd: { low: 54, high: 74, source: 'approximate adult range (estimate in the clinical reference, §1.6)' },
} satisfies Record<string, PopulationRange>;

interface Figure {
  id: string;
  label: string;
  unit: Measurement['unit'];
  side?: 'right' | 'left';
  method: string;
  range?: PopulationRange;
  /** Pixels for mm figures, the value itself for ratios and angles. */
  raw: number;
}

const DEGREES = 180 / Math.PI;

/** Height of the brow's upper edge above the pupil, straight up in the face frame (interpolated along the brow). */
function browHeightPx(frame: FaceFrame, pupil: number, brow: readonly number[]): number {
  const [px, py] = frame.at(pupil);
  const points = brow.map((i) => frame.at(i)).sort((a, b) => a[0] - b[0]);
  let y = (points[0] as Point2)[1];
  for (let k = 1; k < points.length; k++) {
    const [x0, y0] = points[k - 1] as Point2;
    const [x1, y1] = points[k] as Point2;
    if (px >= x0 && px <= x1) y = y0 + ((y1 - y0) * (px - x0)) / (x1 - x0 || 1);
    else if (px > x1) y = y1;
  }
  return py - y;
}

/** Per-side figures for the patient's right side; the left side uses each point's mirror counterpart. */
function sideFigures(frame: FaceFrame, side: 'right' | 'left'): Figure[] {
  const m = (i: number): number => (side === 'right' ? i : mirrorIndex(i));
  const at = (i: number): Point2 => frame.at(m(i));
  const outer = at(MESH.rightEyeOuter);
  const inner = at(MESH.rightEyeInner);
  // Lateral canthus above the medial one is a positive tilt; y grows downwards, x's sign depends on the side.
  const tilt = Math.atan2(inner[1] - outer[1], Math.abs(outer[0] - inner[0])) * DEGREES;
  const name = side === 'right' ? 'Right' : 'Left';
  return [
    { id: 'canthal_tilt', label: `${name} canthal tilt`, unit: 'deg', side, raw: tilt, range: ranges.canthalTilt, method: 'angle of the medial → lateral canthus line above the inter-pupil line (head roll cancels)' },
    { id: 'brow_height', label: `${name} brow height`, unit: 'mm', side, raw: browHeightPx(frame, m(MESH.rightIrisCentre), RIGHT_BROW_UPPER.map(m)), method: "pupil centre to the brow's upper edge, straight up from the pupil" },
    { id: 'palpebral_fissure_height', label: `${name} eye opening height`, unit: 'mm', side, raw: at(MESH.rightEyeLower)[1] - at(MESH.rightEyeUpper)[1], method: 'upper to lower lid margin at the middle of the eye, perpendicular to the inter-pupil line' },
    { id: 'palpebral_fissure_width', label: `${name} eye opening width`, unit: 'mm', side, raw: distance(outer, inner), method: 'medial to lateral canthus' },
  ];
}

function figures(frame: FaceFrame): Figure[] {
  const at = (i: number): Point2 => frame.at(i);
  const height = (top: Point2, bottom: Point2): number => bottom[1] - top[1];
  const stomion: Point2 = [(at(MESH.stomion)[0] + at(MESH.lowerLipInner)[0]) / 2, (at(MESH.stomion)[1] + at(MESH.lowerLipInner)[1]) / 2];
  const upperLip = height(at(MESH.upperLipTop), at(MESH.stomion));
  const lowerLip = height(at(MESH.lowerLipInner), at(MESH.lowerLipBottom));
  const mouth = distance(at(MESH.rightMouthCorner), at(MESH.leftMouthCorner));
  const intercanthal = distance(at(MESH.rightEyeInner), at(MESH.leftEyeInner));
  const alar = distance(at(MESH.rightAla), at(MESH.leftAla));
  const zygomatic = distance(at(MESH.rightFaceEdge), at(MESH.leftFaceEdge));
  const gonial = distance(at(MESH.rightJawAngle), at(MESH.leftJawAngle));
  const lidTops = (at(MESH.rightEyeUpper)[1] + at(MESH.leftEyeUpper)[1]) / 2;
  return [
    { id: 'interpupillary_distance', label: 'Inter-pupil distance', unit: 'mm', raw: frame.ipdPx, range: ranges.ipd, method: 'between the iris centres' },
    {
      id: 'lower_face_proportion',
      label: 'Lower face: upper lip ÷ lower lip and chin',
      unit: 'ratio',
      raw: height(at(MESH.subnasale), stomion) / height(stomion, at(MESH.chin)),
      range: ranges.lowerFace,
      method: 'subnasale–stomion height ÷ stomion–menton height, perpendicular to the inter-pupil line',
    },
    { id: 'upper_vermilion_height', label: 'Upper lip height (vermilion)', unit: 'mm', raw: upperLip, method: 'upper vermilion border to the lips’ meeting line at the midline' },
    { id: 'lower_vermilion_height', label: 'Lower lip height (vermilion)', unit: 'mm', raw: lowerLip, method: 'lips’ meeting line to the lower vermilion border at the midline' },
    { id: 'vermilion_ratio', label: 'Lower ÷ upper lip height', unit: 'ratio', raw: lowerLip / upperLip, range: ranges.vermilion, method: 'lower ÷ upper vermilion height at the midline' },
    { id: 'mouth_width', label: 'Mouth width', unit: 'mm', raw: mouth, method: 'between the mouth corners (cheilion)' },
    { id: 'intercanthal_width', label: 'Intercanthal width', unit: 'mm', raw: intercanthal, method: 'between the medial canthi' },
    { id: 'alar_width', label: 'Nose width (alar)', unit: 'mm', raw: alar, method: 'between the outermost points of the nasal alae' },
    { id: 'mouth_to_intercanthal', label: 'Mouth width ÷ intercanthal width', unit: 'ratio', raw: mouth / intercanthal, method: 'cheilion–cheilion ÷ medial canthus–medial canthus' },
    { id: 'mouth_to_alar', label: 'Mouth width ÷ nose width', unit: 'ratio', raw: mouth / alar, range: ranges.mouthToAlar, method: 'cheilion–cheilion ÷ alar width' },
    { id: 'bizygomatic_width', label: 'Cheekbone width (bizygomatic)', unit: 'mm', raw: zygomatic, method: 'widest points of the face outline at the cheekbones' },
    { id: 'bigonial_width', label: 'Jaw width (bigonial)', unit: 'mm', raw: gonial, method: 'between the angles of the jaw on the face outline' },
    { id: 'bigonial_to_bizygomatic', label: 'Jaw width ÷ cheekbone width', unit: 'ratio', raw: gonial / zygomatic, range: ranges.gonialToZygomatic, method: 'bigonial ÷ bizygomatic width' },
    {
      id: 'face_width_to_height',
      label: 'Face width-to-height ratio',
      unit: 'ratio',
      raw: zygomatic / (at(MESH.upperLipTop)[1] - lidTops),
      method: 'bizygomatic width ÷ upper-face height (top of the upper lids to the upper lip’s vermilion border; Carré & McCormick 2008)',
    },
    ...sideFigures(frame, 'right'),
    ...sideFigures(frame, 'left'),
  ];
}

export const PROFILE_ONLY: readonly Omit<NotMeasurable, 'reason'>[] = [
  { id: 'e_line_upper_lip', label: 'Upper lip to E-line (Ricketts)' },
  { id: 'e_line_lower_lip', label: 'Lower lip to E-line (Ricketts)' },
  { id: 'chin_projection', label: 'Chin projection' },
  { id: 'nasolabial_angle', label: 'Nasolabial angle' },
];
export const NEEDS_PROFILE = 'not measurable from these photos: needs a lateral (profile) photo';

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

export interface FaceMeasurements {
  measurements: Measurement[];
  notMeasurable: NotMeasurable[];
}

/** Proportions, distances and angles of a frontal face; mm figures only with a scale. */
export function faceMeasurements(landmarks: readonly Point3[], scale: PixelScale | null, noScaleReason = 'no px → mm scale'): FaceMeasurements {
  const measurements: Measurement[] = [];
  const notMeasurable: NotMeasurable[] = PROFILE_ONLY.map((f) => ({ ...f, reason: NEEDS_PROFILE }));
  for (const { raw, ...f } of figures(faceFrame(landmarks))) {
    if (f.unit !== 'mm') {
      measurements.push({ ...f, value: round(raw, f.unit === 'deg' ? 1 : 3) });
    } else if (scale) {
      const value = raw * scale.mmPerPx;
      measurements.push({ ...f, value: round(value, 1), uncertainty: round(value * scale.uncertainty, 1) });
    } else {
      notMeasurable.push({ id: f.side ? `${f.id}_${f.side}` : f.id, label: f.label, reason: `not measurable in mm: ${noScaleReason}` });
    }
  }
  return { measurements, notMeasurable };
}

/**
 * The points found in the pixels (the lips' edges, the face outline) each figure on them is measured on: what
 * `unclearEdges` may name. The meeting line is named as stomion (13).
 */
const ON_EDGES_FOUND: Readonly<Record<string, readonly number[]>> = {
  lower_face_proportion: [MESH.stomion, MESH.chin],
  upper_vermilion_height: [MESH.upperLipTop, MESH.stomion],
  lower_vermilion_height: [MESH.stomion, MESH.lowerLipBottom],
  vermilion_ratio: [MESH.upperLipTop, MESH.stomion, MESH.lowerLipBottom],
  bizygomatic_width: [MESH.rightFaceEdge, MESH.leftFaceEdge],
  bigonial_width: [MESH.rightJawAngle, MESH.leftJawAngle],
  bigonial_to_bizygomatic: [MESH.rightFaceEdge, MESH.leftFaceEdge, MESH.rightJawAngle, MESH.leftJawAngle],
  face_width_to_height: [MESH.rightFaceEdge, MESH.leftFaceEdge],
  // The jaw zone's points lie on the outline, moved with each side's cheekbone and jaw angle (the chin moves both sides alike).
  symmetry_jaw: [MESH.rightFaceEdge, MESH.leftFaceEdge, MESH.rightJawAngle, MESH.leftJawAngle],
};

/** `measurements` with `unclearEdge` set on each measured on a point that `unclear` (mesh index → why) names. */
export function markUnclearEdges(measurements: readonly Measurement[], unclear: ReadonlyMap<number, string>): Measurement[] {
  return measurements.map((m) => {
    const why = (ON_EDGES_FOUND[m.id] ?? []).flatMap((i) => unclear.get(i) ?? []);
    return why.length > 0 ? { ...m, unclearEdge: why.join('; ') } : m;
  });
}

export interface FaceGeometry {
  scale: PixelScale | null;
  measurements: Measurement[];
  notMeasurable: NotMeasurable[];
  zones: ZoneShape[];
}

/**
 * Everything the geometry can say about one frontal photo, measured on `landmarks`. The zone map is drawn on
 * `zoneLandmarks` (the mesh's own outline, whose bands lie inside the face) when the measured outline was moved to
 * the edge seen in the pixels; `unclearEdges` names the points whose edge (the outline's, the lips') was not clearly seen there, and why.
 */
export function faceGeometry(
  landmarks: readonly Point3[],
  pose: HeadPose,
  image: { width: number; height: number },
  { zoneLandmarks = landmarks, unclearEdges = new Map() }: { zoneLandmarks?: readonly Point3[]; unclearEdges?: ReadonlyMap<number, string> } = {},
): FaceGeometry {
  const { scale, reason } = pixelScale(landmarks, pose);
  const { measurements, notMeasurable } = faceMeasurements(landmarks, scale, reason ?? undefined);
  const symmetry = facialSymmetry(landmarks, pose, scale);
  return {
    scale,
    measurements: markUnclearEdges([...measurements, ...symmetry.measurements], unclearEdges),
    notMeasurable: [...notMeasurable, ...symmetry.notMeasurable],
    zones: zoneShapes(zoneLandmarks, image),
  };
}
