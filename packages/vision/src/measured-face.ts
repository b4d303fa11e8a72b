/**
 * Contour's own landmarks: what the facial geometry measures, what the simulation draws on and what its closed
 * loop measures again, made the same way everywhere.
 *
 * 1. The mesh model's points, steady (steady-landmarks.ts: the photo and its mirror at four sub-crop offsets,
 *    averaged), so a change in one place does not move points elsewhere by the crop's jitter.
 * 2. The lips at the midline found in the pixels (lip-borders.ts): the meeting line (the inner lip points,
 *    13 and 14 on it) and the vermilion borders (0 and 17). The mesh pulls them towards the mean face, and spreads
 *    the inner points apart when a lip is made fuller.
 * 3. The face outline at the cheekbones, the jaw angles and the chin found in the pixels (outline-edges.ts; the jaw
 *    angles read at a height below the meeting line found in 2): the mesh's outline points sit 2–3 mm inside the
 *    outline that is seen, and menton 4.5 mm above the chin's lower edge. It is kept apart from the landmarks because the zone map is drawn on the mesh's outline (its bands lie
 *    inside the face); `measuredOn` has the points the measurements and the shape changes take.
 */
import type { HeadPose, Point3 } from '@contour/domain';
import type { FaceFinder } from './analyze.js';
import type { DetectedFace, RgbImage } from './face-result.js';
import { refineLipLandmarks, unclearLipEdges, type LipBorders } from './lip-borders.js';
import { findOutline, unclearEdges, withOutline, type OutlinePoint } from './outline-edges.js';
import { steadyLandmarks } from './steady-landmarks.js';

export interface MeasuredFace {
  /** The steady mesh points as the model placed them (what `simulate` takes as a photo's `face`). */
  mesh: Point3[];
  /** The steady mesh points with the lips found in the pixels. */
  landmarks: Point3[];
  pose: HeadPose;
  /** The lips' meeting line and vermilion borders found at the midline. */
  lips: LipBorders;
  /** The outline points found near the mesh's 234, 454, 172, 397 and 152. */
  outline: OutlinePoint[];
  /** `landmarks` with the face oval's sides and the chin on the outline found (`withOutline`): what the geometry measures. */
  measuredOn: Point3[];
  /** How many detections were averaged. */
  detections: number;
}

/** The pixel refinements of steady mesh points (`landmarks`) on `image`: the lips and the outline (sides and chin). */
export function refineFace(image: RgbImage, landmarks: readonly Point3[]): Pick<MeasuredFace, 'landmarks' | 'lips' | 'outline' | 'measuredOn'> {
  const { landmarks: refined, borders: lips } = refineLipLandmarks(image, landmarks);
  const outline = findOutline(image, refined);
  return { landmarks: refined, lips, outline, measuredOn: withOutline(refined, outline) };
}

/** The measured face in `image` (null without exactly one face); `first` is the plain detection when already made. */
export async function measureFace(image: RgbImage, finder: FaceFinder, first?: Pick<DetectedFace, 'landmarks' | 'pose' | 'box'>): Promise<MeasuredFace | null> {
  const steady = await steadyLandmarks(image, finder, first);
  if (!steady) return null;
  return { mesh: steady.landmarks, ...refineFace(image, steady.landmarks), pose: steady.pose, detections: steady.detections };
}

/** The points whose edge is not clearly seen (the lips' and the face outline's), each with why: what the facial geometry marks as estimates. */
export function unclearPoints(face: Pick<MeasuredFace, 'lips' | 'outline'>): Map<number, string> {
  return new Map([...unclearLipEdges(face.lips), ...unclearEdges(face.outline)]);
}
