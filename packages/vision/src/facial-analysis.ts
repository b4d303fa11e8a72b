/**
 * The facial analysis of one frontal photo: scale, measurements, what could not be measured (and why) and
 * the zone findings (skin indicators and 0–4 AI severity estimates). Geometry runs on Contour's own landmarks
 * (seven more detections, on shifted and mirrored copies, then edges found in the pixels; measured-face.ts); the
 * zone findings are pixel work (skin.ts). Both run inside a worker when called through `LandmarkPool.analyzeFace`.
 */
import type { Measurement, NotMeasurable, PixelScale, ZoneFinding } from '@contour/domain';
import type { FaceFinder, PhotoAnalysis } from './analyze.js';
import type { RgbImage } from './face-result.js';
import { addFacialGeometry, type FrontalPhotoAnalysis } from './geometry.js';
import { interPupilDistance } from './measure.js';
import { zoneFindings, type SeverityEstimator } from './skin.js';

/**
 * The analysis method the findings were made with. Bump it (to the day of the change; a second change on one day
 * adds `.2`, and so on) with any change that moves a stored figure: the landmarks (steady-landmarks.ts,
 * lip-borders.ts, outline-edges.ts, outline-trace.ts, edge-profile.ts), the measurements and the zone map (domain
 * face-geometry), the skin indicators (skin.ts) or the severity estimates. Figures made by different methods are not comparable as they stand (the London mean of the
 * lower-face proportion moved from 0.50 to 0.47 with the chin's edge, and the bigonial width's spread from 8.8 to
 * 11.3 mm with the traced outline), so every stored analysis carries its method, the app marks the
 * ones an earlier method made, and the grading agreement counts only the current method's estimates.
 */
export const FACIAL_ANALYSIS_METHOD = 'contour-analysis/2026-12-02.7';

export interface FacialFindings {
  /** `FACIAL_ANALYSIS_METHOD` when the findings were made; absent on analyses stored before methods were recorded. */
  method?: string;
  scale: PixelScale | null;
  measurements: Measurement[];
  notMeasurable: NotMeasurable[];
  zones: ZoneFinding[];
}

/**
 * A photo's analysis, plus its facial findings when it is a frontal photo (null for other views), and the steady
 * landmarks they were measured on, which a simulation of the same photo can start from instead of finding them again.
 */
export interface FaceAnalysisResult {
  analysis: PhotoAnalysis;
  facial: FacialFindings | null;
  steadyFace: FrontalPhotoAnalysis['steadyFace'] | null;
}

/** Views the facial analysis is made for. */
export const FACIAL_ANALYSIS_VIEWS: readonly string[] = ['frontal'];

/** Facial findings of an analysed photo; `image` is the decoded photo the analysis was made from. */
export async function facialFindings(analysis: PhotoAnalysis, image: RgbImage, finder: FaceFinder, estimate: SeverityEstimator): Promise<FacialFindings> {
  return (await facialAnalysis(analysis, image, finder, estimate)).findings;
}

/** The facial findings and the steady landmarks they were measured on. */
export async function facialAnalysis(analysis: PhotoAnalysis, image: RgbImage, finder: FaceFinder, estimate: SeverityEstimator): Promise<{ findings: FacialFindings; steadyFace: FrontalPhotoAnalysis['steadyFace'] | null }> {
  const { geometry, steadyFace } = await addFacialGeometry(analysis, image, finder);
  const zones =
    analysis.face && geometry.zones.length > 0
      ? zoneFindings(image, geometry.zones, interPupilDistance(analysis.face.landmarks), analysis.view, 'rest', estimate)
      : [];
  return { findings: { method: FACIAL_ANALYSIS_METHOD, scale: geometry.scale, measurements: geometry.measurements, notMeasurable: geometry.notMeasurable, zones }, steadyFace: steadyFace ?? null };
}
