/**
 * Facial geometry added to a frontal photo's analysis: the px → mm scale, measurements, what could not be
 * measured and why, and the zone map. The existing PhotoAnalysis fields are left as they are.
 *
 * Measured on Contour's own landmarks (measured-face.ts): the mesh model's points steadied over the photo and its
 * mirror at four sub-crop offsets (the model is not left/right even-handed: on a face made exactly symmetric it
 * places the two brows 3–4 mm apart, docs/validation.md), the lips' meeting line and vermilion borders and the
 * face outline found in the pixels.
 */
import { faceGeometry, type FaceGeometry, type HeadPose } from '@contour/domain/face-geometry';
import type { Point3 } from '@contour/domain/face-mesh';
import type { FaceFinder, PhotoAnalysis } from './analyze.js';
import type { RgbImage } from './face-result.js';
import { measureFace, unclearPoints, type MeasuredFace } from './measured-face.js';

export type { FaceGeometry };

export interface FrontalPhotoAnalysis extends PhotoAnalysis {
  geometry: FaceGeometry;
  /** The steady mesh points and pose the geometry started from (steady-landmarks.ts); what `simulate` takes as `face`. */
  steadyFace?: { landmarks: Point3[]; pose: HeadPose };
}

/** Views photographed face-on at rest, where the frontal geometry applies. */
const FACE_ON = new Set(['frontal']);

const refused = (analysis: PhotoAnalysis, reason: string): FrontalPhotoAnalysis => ({
  ...analysis,
  geometry: { scale: null, measurements: [], notMeasurable: [{ id: 'facial_geometry', label: 'Facial geometry', reason }], zones: [] },
});

/** Adds `geometry` to the analysis of a frontal photo; `image` is the decoded photo the analysis was made from. */
export async function addFacialGeometry(analysis: PhotoAnalysis, image: RgbImage, finder: FaceFinder): Promise<FrontalPhotoAnalysis> {
  if (!FACE_ON.has(analysis.view)) return refused(analysis, `not measurable from this photo: facial geometry needs the frontal view, not "${analysis.view}"`);
  const face = analysis.face;
  if (!face) return refused(analysis, `not measurable from this photo: ${analysis.faces === 0 ? 'no face was found' : `${analysis.faces} faces were found`}`);
  // measureFace keeps the plain detection even when an offset or the mirror finds no single face (rare).
  const measured = (await measureFace(image, finder, face)) as MeasuredFace;
  return {
    ...analysis,
    geometry: faceGeometry(measured.measuredOn, measured.pose, image, { zoneLandmarks: measured.landmarks, unclearEdges: unclearPoints(measured) }),
    steadyFace: { landmarks: measured.mesh, pose: measured.pose },
  };
}
