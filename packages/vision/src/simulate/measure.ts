/**
 * Pixel measurements of the effects that have no skin indicator of their own: contrast across an edge (the
 * vermilion border, the jaw outline) and mid-scale shadow along the jaw. The simulation renders towards them
 * and the closed-loop tests re-measure them on the exported JPEG, on landmarks found again in it.
 */
import { mirrorIndex, type Point3 } from '@contour/domain';
import type { RgbImage } from '../face-result.js';
import { luminance, readLinear } from './color.js';
import { gaussianBlur, polygonsRect, polylineWindow, rasterize, type Point2 } from './raster.js';
import { midScaleDips } from './retouch.js';

/** Outer vermilion borders, corner to corner through the midline (0 and 17). */
export const UPPER_LIP_OUTER = [61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291];
export const UPPER_LIP_INNER = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308];
export const LOWER_LIP_OUTER = [61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291];
export const LOWER_LIP_INNER = [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308];
/** The patient's right jaw outline, from below the ear to beside the chin (face oval order). */
export const RIGHT_JAW_LINE = [132, 58, 172, 136, 150, 149, 176, 148];

/** The edge a definition effect works on: 'upper_lip' / 'lower_lip' borders or a side's jaw outline. */
export function edgeLine(landmarks: readonly Point3[], zoneId: 'upper_lip' | 'lower_lip' | 'jawline', side: 'right' | 'left' | 'centre'): Point2[] {
  const indices = zoneId === 'upper_lip' ? UPPER_LIP_OUTER : zoneId === 'lower_lip' ? LOWER_LIP_OUTER : RIGHT_JAW_LINE.map((i) => (side === 'left' ? mirrorIndex(i) : i));
  return indices.map((i) => {
    const p = landmarks[i] as Point3;
    return [p[0], p[1]];
  });
}

const ln = (Y: Float32Array): Float32Array => Y.map((v) => 100 * Math.log(Math.max(v, 0.005)));

/**
 * Mean gradient magnitude of 100·ln Y (smoothed at 0.3 mm) within 1 mm of the line, per mm: how sharply the
 * light changes across the edge, independent of exposure.
 */
export function edgeContrast(image: RgbImage, line: Point2[], mmPerPx: number): number {
  const band = polylineWindow(line, 1 / mmPerPx, 1 / mmPerPx + 0.01, image.width, image.height);
  const rect = polygonsRect([line], 1.5 / mmPerPx + 4, image.width, image.height);
  if (!band || !rect) return NaN;
  const lnY = gaussianBlur(ln(luminance(readLinear(image, rect))), rect.width, rect.height, 0.3 / mmPerPx);
  let sum = 0, n = 0;
  for (let row = 1; row < rect.height - 1; row++) {
    for (let col = 1; col < rect.width - 1; col++) {
      const bx = rect.x + col - band.rect.x, by = rect.y + row - band.rect.y;
      if (bx < 0 || by < 0 || bx >= band.rect.width || by >= band.rect.height) continue;
      if ((band.data[by * band.rect.width + bx] as number) < 0.5) continue;
      const i = row * rect.width + col;
      const gx = ((lnY[i + 1] as number) - (lnY[i - 1] as number)) / 2;
      const gy = ((lnY[i + rect.width] as number) - (lnY[i - rect.width] as number)) / 2;
      sum += Math.hypot(gx, gy) / mmPerPx;
      n++;
    }
  }
  return n > 0 ? sum / n : NaN;
}

/** Mean depth (percent light) of the mid-scale shadows (0.8–4 mm) inside the polygon. */
export function jowlShadow(image: RgbImage, polygon: Point2[], mmPerPx: number): number {
  const rect = polygonsRect([polygon], 12 / mmPerPx, image.width, image.height);
  if (!rect) return NaN;
  const dips = midScaleDips(ln(luminance(readLinear(image, rect))), rect.width, rect.height, mmPerPx);
  const inside = rasterize([polygon], rect);
  let sum = 0, n = 0;
  for (let i = 0; i < inside.length; i++) {
    if (!inside[i]) continue;
    sum += dips[i] as number;
    n++;
  }
  return n > 0 ? sum / n : NaN;
}

/** Median linear luminance of the pixels inside a polygon (the reference light of flat skin). */
export function medianLuminance(image: RgbImage, polygon: Point2[]): number {
  const rect = polygonsRect([polygon], 0, image.width, image.height);
  if (!rect) return NaN;
  const Y = luminance(readLinear(image, rect));
  const inside = rasterize([polygon], rect);
  const values: number[] = [];
  for (let i = 0; i < inside.length; i++) if (inside[i]) values.push(Y[i] as number);
  if (values.length === 0) return NaN;
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)] as number;
}
