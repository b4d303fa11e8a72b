/**
 * Turns pixels and landmarks into the numbers the photo protocol judges (PhotoMeasurements).
 * Every measure is made on the face, scaled to a fixed size where scale would otherwise change the
 * value, so a 12-megapixel camera and a tablet give comparable figures.
 */
import type { PhotoMeasurements } from '@contour/domain/photo-protocol';
import type { DetectedFace, Point3, RgbImage } from './face-result.js';
import { FACE_OVAL, LEFT_EYE_OPENING, MESH, RIGHT_EYE_OPENING } from './mesh.js';

export interface Region {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

export function luminanceAt(image: RgbImage, x: number, y: number): number {
  const i = (y * image.width + x) * 3;
  return 0.299 * (image.data[i] ?? 0) + 0.587 * (image.data[i + 1] ?? 0) + 0.114 * (image.data[i + 2] ?? 0);
}

export function landmarkBounds(landmarks: Point3[]): Region {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const [x, y] of landmarks) {
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  }
  return { x0, y0, x1, y1 };
}

function insidePolygon(x: number, y: number, polygon: [number, number][]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i] as [number, number];
    const [xj, yj] = polygon[j] as [number, number];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

const polygonOf = (landmarks: Point3[], indices: number[]): [number, number][] =>
  indices.map((i) => [landmarks[i]?.[0] ?? 0, landmarks[i]?.[1] ?? 0]);

/** Luminance of the pixels inside a landmark polygon, sampled on a grid of about `samples` points. */
export function polygonLuminance(image: RgbImage, landmarks: Point3[], indices: number[], samples = 20_000): number[] {
  const polygon = polygonOf(landmarks, indices);
  const b = landmarkBounds(indices.map((i) => landmarks[i] as Point3));
  const step = Math.max(1, Math.floor(Math.sqrt(((b.x1 - b.x0) * (b.y1 - b.y0)) / samples)));
  const values: number[] = [];
  for (let y = clamp(Math.floor(b.y0), 0, image.height - 1); y <= clamp(Math.ceil(b.y1), 0, image.height - 1); y += step) {
    for (let x = clamp(Math.floor(b.x0), 0, image.width - 1); x <= clamp(Math.ceil(b.x1), 0, image.width - 1); x += step) {
      if (insidePolygon(x, y, polygon)) values.push(luminanceAt(image, x, y));
    }
  }
  return values;
}

/** Mean of the brightest fifth of the eye openings: the sclera, whatever the skin around it. */
export function eyeWhiteBrightness(image: RgbImage, landmarks: Point3[]): number | null {
  const values = [...polygonLuminance(image, landmarks, RIGHT_EYE_OPENING), ...polygonLuminance(image, landmarks, LEFT_EYE_OPENING)];
  if (values.length < 10) return null;
  values.sort((a, b) => b - a);
  const top = values.slice(0, Math.max(1, Math.floor(values.length / 5)));
  return top.reduce((a, v) => a + v, 0) / top.length;
}

const ramp = (value: number, from: number, to: number): number => clamp((value - from) / (to - from), 0, 1);

/**
 * A smile from the mouth's shape: wider than at rest and corners lifted above the lip line, both relative
 * to the inter-pupil distance. Calibrated on the London neutral/smiling pairs (docs/validation.md).
 */
export function mouthSmileScore(landmarks: Point3[]): number {
  const p = (i: number): Point3 => landmarks[i] as Point3;
  const ipd = interPupilDistance(landmarks);
  const width = distance(p(MESH.rightMouthCorner), p(MESH.leftMouthCorner)) / ipd;
  const lipLine = (p(MESH.stomion)[1] + p(MESH.lowerLipInner)[1]) / 2;
  const lift = (lipLine - (p(MESH.rightMouthCorner)[1] + p(MESH.leftMouthCorner)[1]) / 2) / ipd;
  return 0.5 * ramp(width, 0.8, 0.95) + 0.5 * ramp(lift, 0.02, 0.08);
}

/** The face box resampled to `width` columns of grey by area averaging (no aliasing to fake sharpness). */
export function resampleGrey(image: RgbImage, region: Region, width: number): { grey: Float32Array; width: number; height: number } {
  const x0 = clamp(Math.floor(region.x0), 0, image.width - 1);
  const y0 = clamp(Math.floor(region.y0), 0, image.height - 1);
  const x1 = clamp(Math.ceil(region.x1), x0 + 1, image.width);
  const y1 = clamp(Math.ceil(region.y1), y0 + 1, image.height);
  const scale = (x1 - x0) / width;
  const height = Math.max(1, Math.round((y1 - y0) / scale));
  const grey = new Float32Array(width * height);
  for (let ty = 0; ty < height; ty++) {
    const sy0 = y0 + Math.floor(ty * scale);
    const sy1 = Math.min(y1, Math.max(sy0 + 1, y0 + Math.floor((ty + 1) * scale)));
    for (let tx = 0; tx < width; tx++) {
      const sx0 = x0 + Math.floor(tx * scale);
      const sx1 = Math.min(x1, Math.max(sx0 + 1, x0 + Math.floor((tx + 1) * scale)));
      let sum = 0, n = 0;
      for (let sy = sy0; sy < sy1; sy++) for (let sx = sx0; sx < sx1; sx++) { sum += luminanceAt(image, sx, sy); n++; }
      grey[ty * width + tx] = n ? sum / n : 0;
    }
  }
  return { grey, width, height };
}

/** Variance of the 4-neighbour Laplacian: high when edges are crisp, low when blurred. */
export function laplacianVariance(grey: Float32Array, width: number, height: number): number {
  let sum = 0, sumSq = 0, n = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const v = (grey[i - 1] ?? 0) + (grey[i + 1] ?? 0) + (grey[i - width] ?? 0) + (grey[i + width] ?? 0) - 4 * (grey[i] ?? 0);
      sum += v;
      sumSq += v * v;
      n++;
    }
  }
  return n ? sumSq / n - (sum / n) ** 2 : 0;
}

function meanLuminance(image: RgbImage, cx: number, cy: number, radius: number): number {
  let sum = 0, n = 0;
  for (let y = clamp(Math.round(cy - radius), 0, image.height - 1); y <= clamp(Math.round(cy + radius), 0, image.height - 1); y++) {
    for (let x = clamp(Math.round(cx - radius), 0, image.width - 1); x <= clamp(Math.round(cx + radius), 0, image.width - 1); x++) {
      sum += luminanceAt(image, x, y);
      n++;
    }
  }
  return n ? sum / n : 0;
}

/** sRGB 0–255 → CIELAB (D65). */
export function rgbToLab(r: number, g: number, b: number): [number, number, number] {
  const lin = (c: number): number => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const [R, G, B] = [lin(r), lin(g), lin(b)];
  const X = (0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047;
  const Y = 0.2126 * R + 0.7152 * G + 0.0722 * B;
  const Z = (0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883;
  const f = (t: number): number => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
  return [116 * f(Y) - 16, 500 * (f(X) - f(Y)), 200 * (f(Y) - f(Z))];
}

/**
 * The background beside and above the head: the two upper corners outside the face box, with a margin
 * for hair. Returns null when the face fills the frame and no background is visible.
 */
export function backgroundRegions(image: RgbImage, face: Region): Region[] {
  const faceWidth = face.x1 - face.x0;
  const margin = faceWidth * 0.25;
  const top = 0;
  const bottom = clamp(face.y0 + (face.y1 - face.y0) * 0.3, 0, image.height);
  const regions: Region[] = [
    { x0: 0, y0: top, x1: clamp(face.x0 - margin, 0, image.width), y1: bottom },
    { x0: clamp(face.x1 + margin, 0, image.width), y0: top, x1: image.width, y1: bottom },
  ];
  const minArea = image.width * image.height * 0.01;
  return regions.filter((r) => (r.x1 - r.x0) * (r.y1 - r.y0) >= minArea);
}

function backgroundStats(image: RgbImage, regions: Region[]): { cast: number; variation: number; samples: number[] } | null {
  if (regions.length === 0) return null;
  let r = 0, g = 0, b = 0, sum = 0, sumSq = 0, n = 0;
  const samples: number[] = [];
  for (const region of regions) {
    const step = Math.max(1, Math.floor(Math.sqrt(((region.x1 - region.x0) * (region.y1 - region.y0)) / 10_000)));
    for (let y = Math.floor(region.y0); y < region.y1; y += step) {
      for (let x = Math.floor(region.x0); x < region.x1; x += step) {
        const i = (y * image.width + x) * 3;
        r += image.data[i] ?? 0;
        g += image.data[i + 1] ?? 0;
        b += image.data[i + 2] ?? 0;
        const l = luminanceAt(image, x, y);
        samples.push(l);
        sum += l;
        sumSq += l * l;
        n++;
      }
    }
  }
  const [, a, bb] = rgbToLab(r / n, g / n, b / n);
  return { cast: Math.hypot(a, bb), variation: Math.sqrt(Math.max(0, sumSq / n - (sum / n) ** 2)), samples };
}

const distance = (p: Point3, q: Point3): number => Math.hypot(p[0] - q[0], p[1] - q[1]);

export function eyeOpenness(landmarks: Point3[]): number {
  const p = (i: number): Point3 => landmarks[i] as Point3;
  const right = distance(p(MESH.rightEyeUpper), p(MESH.rightEyeLower)) / distance(p(MESH.rightEyeOuter), p(MESH.rightEyeInner));
  const left = distance(p(MESH.leftEyeUpper), p(MESH.leftEyeLower)) / distance(p(MESH.leftEyeOuter), p(MESH.leftEyeInner));
  return Math.min(right, left);
}

export function interPupilDistance(landmarks: Point3[]): number {
  return distance(landmarks[MESH.rightIrisCentre] as Point3, landmarks[MESH.leftIrisCentre] as Point3);
}

const SHARPNESS_WIDTH = 256;

export function measurePhoto(image: RgbImage, faces: DetectedFace[]): PhotoMeasurements {
  const base: PhotoMeasurements = {
    width: image.width,
    height: image.height,
    faceCount: faces.length,
    yaw: null,
    pitch: null,
    roll: null,
    faceWidthShare: null,
    faceWidthPx: null,
    centreOffset: null,
    edgeMargin: null,
    sharpness: null,
    eyeWhiteBrightness: null,
    clippedShare: null,
    lightingBalance: null,
    darkerSide: null,
    colourCast: null,
    backgroundVariation: null,
    eyeOpenness: null,
    smileScore: null,
    frownScore: null,
    browRaiseScore: null,
  };
  const face = faces.length === 1 ? faces[0] : undefined;
  if (!face) return base;
  const lm = face.landmarks;
  const bounds = landmarkBounds(lm);
  const faceWidth = bounds.x1 - bounds.x0;
  const centreX = (bounds.x0 + bounds.x1) / 2;
  const centreY = (bounds.y0 + bounds.y1) / 2;
  const shortSide = Math.min(image.width, image.height);

  const oval = polygonLuminance(image, lm, FACE_OVAL);

  const { grey, width, height } = resampleGrey(image, bounds, SHARPNESS_WIDTH);
  const ipd = interPupilDistance(lm);
  const cheekRadius = ipd * 0.18;
  const rightCheek = lm[MESH.rightCheek] as Point3;
  const leftCheek = lm[MESH.leftCheek] as Point3;
  const right = meanLuminance(image, rightCheek[0], rightCheek[1], cheekRadius);
  const left = meanLuminance(image, leftCheek[0], leftCheek[1], cheekRadius);
  const background = backgroundStats(image, backgroundRegions(image, bounds));
  // Clipping counts the face and the backdrop: a blown-out backdrop means the exposure is too high even
  // when a darker face still looks right.
  const judged = [...oval, ...(background?.samples ?? [])];
  const clipped = judged.filter((v) => v <= 5 || v >= 250).length / Math.max(1, judged.length);
  const scores = face.expression.scores;

  return {
    ...base,
    yaw: face.pose.yaw,
    pitch: face.pose.pitch,
    roll: face.pose.roll,
    faceWidthShare: faceWidth / image.width,
    faceWidthPx: faceWidth,
    centreOffset: Math.max(Math.abs(centreX - image.width / 2) / image.width, Math.abs(centreY - image.height / 2) / image.height),
    edgeMargin: Math.min(bounds.x0, bounds.y0, image.width - bounds.x1, image.height - bounds.y1) / shortSide,
    sharpness: laplacianVariance(grey, width, height),
    eyeWhiteBrightness: eyeWhiteBrightness(image, lm),
    clippedShare: clipped,
    lightingBalance: Math.min(right, left) / Math.max(right, left, 1),
    darkerSide: right < left ? 'right' : 'left',
    colourCast: background?.cast ?? 0,
    backgroundVariation: background?.variation ?? 0,
    eyeOpenness: eyeOpenness(lm),
    smileScore: Math.max(scores.happy ?? 0, mouthSmileScore(lm)),
    // The expression model's closest classes for the two dynamic views (no dedicated model ships offline).
    frownScore: Math.min(1, (scores.angry ?? 0) + (scores.disgust ?? 0)),
    browRaiseScore: Math.min(1, (scores.surprise ?? 0) + (scores.fear ?? 0)),
  };
}
