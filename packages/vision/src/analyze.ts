/**
 * One decoded photo: landmarks → measurements → the protocol's verdict. The JSON shape is
 * what `contour analyze --json` prints and what the server stores with each photo.
 */
import { DEFAULT_PROTOCOL, evaluatePhoto, findView, type PhotoMeasurements, type PhotoProtocol, type QualityResult } from '@contour/domain';
import type { DetectedFace, RgbImage } from './face-result.js';
import { measurePhoto } from './measure.js';

/** Anything that finds faces: the in-thread FaceLandmarker or the worker pool. */
export interface FaceFinder {
  detect(image: RgbImage): Promise<DetectedFace[]>;
}

export interface PhotoAnalysis {
  width: number;
  height: number;
  view: string;
  face: Omit<DetectedFace, 'confidence'> | null;
  faces: number;
  measurements: PhotoMeasurements;
  quality: QualityResult;
}

export async function analyzeImage(image: RgbImage, viewId: string, finder: FaceFinder, protocol: PhotoProtocol = DEFAULT_PROTOCOL): Promise<PhotoAnalysis> {
  const view = findView(protocol, viewId);
  if (!view) throw new Error(`Unknown view "${viewId}"; the protocol has ${protocol.views.map((v) => v.id).join(', ')}`);
  const faces = await finder.detect(image);
  const measurements = measurePhoto(image, faces);
  const face = faces.length === 1 ? faces[0] : undefined;
  return {
    width: image.width,
    height: image.height,
    view: view.id,
    face: face ? { box: face.box, landmarks: face.landmarks, pose: face.pose, expression: face.expression } : null,
    faces: faces.length,
    measurements,
    quality: evaluatePhoto(view, protocol.thresholds, measurements),
  };
}
