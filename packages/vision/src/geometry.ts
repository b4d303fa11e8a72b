/**
 * Facial geometry added to a frontal photo's analysis: the px → mm scale, measurements, what could not be
 * measured and why, and the zone map. The existing PhotoAnalysis fields are left as they are.
 *
 * The landmark model is not left/right even-handed: on a face made exactly symmetric it places the two
 * brows 3–4 mm apart on average and tilts the canthi differently (docs/validation.md). So the geometry
 * runs on flip-averaged landmarks: the photo and its mirror image are both detected, the mirror's points
 * are mapped back (x → W − x, each point to its counterpart) and the two sets averaged. Real asymmetry is
 * seen the same way in both and kept; the model's handedness cancels.
 *
 * The mesh model also pulls the lips' outer borders towards the mean face, so the upper vermilion border at the
 * midline (point 0) is then found in the pixels (lip-borders.ts) before anything is measured. The lower border
 * (point 17) is not: its search is closer to the templates on the London set but not stable when the same photo is
 * mirrored and re-encoded (the shadow under the lower lip competes), so the mesh point stays until it is.
 */
import { faceGeometry, type FaceGeometry, type HeadPose } from '@contour/domain/face-geometry';
import { mirrorLandmarks, type Point3 } from '@contour/domain/face-mesh';
import type { FaceFinder, PhotoAnalysis } from './analyze.js';
import type { RgbImage } from './face-result.js';
import { refineLipLandmarks } from './lip-borders.js';

export type { FaceGeometry };

export interface FrontalPhotoAnalysis extends PhotoAnalysis {
  geometry: FaceGeometry;
}

/** Views photographed face-on at rest, where the frontal geometry applies. */
const FACE_ON = new Set(['frontal']);

export function mirrorImage(image: RgbImage): RgbImage {
  const { width, height, data } = image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    const row = y * width * 3;
    for (let x = 0; x < width; x++) {
      const from = row + x * 3;
      const to = row + (width - 1 - x) * 3;
      out[to] = data[from] ?? 0;
      out[to + 1] = data[from + 1] ?? 0;
      out[to + 2] = data[from + 2] ?? 0;
    }
  }
  return { width, height, data: out };
}

/** A face found in the mirror image of a `width` px wide photo, mapped back onto the photo: each point to its counterpart. */
export function mirroredBack(landmarks: Point3[], pose: HeadPose, width: number): { landmarks: Point3[]; pose: HeadPose } {
  // In the mirror, yaw and roll change sign and pitch does not.
  return { landmarks: mirrorLandmarks(landmarks, width), pose: { yaw: -pose.yaw, pitch: pose.pitch, roll: -pose.roll } };
}

/** The mean of a face's landmarks and its mirror image's landmarks mapped back; pose averaged the same way. */
export function flipAveraged(landmarks: Point3[], pose: HeadPose, mirrored: Point3[], mirroredPose: HeadPose, width: number): { landmarks: Point3[]; pose: HeadPose } {
  const back = mirroredBack(mirrored, mirroredPose, width);
  return {
    landmarks: landmarks.map((p, i) => {
      const q = back.landmarks[i] as Point3;
      return [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2, (p[2] + q[2]) / 2];
    }),
    pose: { yaw: (pose.yaw + back.pose.yaw) / 2, pitch: (pose.pitch + back.pose.pitch) / 2, roll: (pose.roll + back.pose.roll) / 2 },
  };
}

const refused = (analysis: PhotoAnalysis, reason: string): FrontalPhotoAnalysis => ({
  ...analysis,
  geometry: { scale: null, measurements: [], notMeasurable: [{ id: 'facial_geometry', label: 'Facial geometry', reason }], zones: [] },
});

/** Adds `geometry` to the analysis of a frontal photo; `image` is the decoded photo the analysis was made from. */
export async function addFacialGeometry(analysis: PhotoAnalysis, image: RgbImage, finder: FaceFinder): Promise<FrontalPhotoAnalysis> {
  if (!FACE_ON.has(analysis.view)) return refused(analysis, `not measurable from this photo: facial geometry needs the frontal view, not "${analysis.view}"`);
  const face = analysis.face;
  if (!face) return refused(analysis, `not measurable from this photo: ${analysis.faces === 0 ? 'no face was found' : `${analysis.faces} faces were found`}`);
  const mirrored = await finder.detect(mirrorImage(image));
  const twin = mirrored.length === 1 ? mirrored[0] : undefined;
  // Without exactly one face in the mirror image (rare), the single detection is used as it is.
  const points = twin ? flipAveraged(face.landmarks, face.pose, twin.landmarks, twin.pose, image.width) : face;
  const landmarks = refineLipLandmarks(image, points.landmarks).landmarks;
  return { ...analysis, geometry: faceGeometry(landmarks, points.pose, image) };
}
