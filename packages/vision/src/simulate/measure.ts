/**
 * Pixel measurements of the effects that have no skin indicator of their own: contrast across an edge (the
 * vermilion border, the jaw outline) and mid-scale shadow along the jaw. The simulation renders towards them
 * and the closed-loop tests re-measure them on the exported JPEG, on landmarks found again in it.
 */
import { mirrorIndex, type Point3 } from '@contour/domain';
import type { RgbImage } from '../face-result.js';
import { luminance, readLinear } from './color.js';
import { gaussianBlur, polygonsRect, rasterize, type Point2 } from './raster.js';
import { edgeNeighbourhoods, indicatorMask, midScaleDips } from './retouch.js';

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
 * Edge contrast: every 0.5 mm along the line, the steepest gradient of 100·ln Y (smoothed at 0.3 mm, per mm)
 * within 1.5 mm, averaged. How sharply the light changes across the edge, independent of exposure, and found
 * even when the line (from landmarks) sits a pixel or two off the edge.
 */
export function edgeContrast(image: RgbImage, line: Point2[], mmPerPx: number): number {
  const rect = polygonsRect([line], 2 / mmPerPx + 4, image.width, image.height);
  if (!rect) return NaN;
  const lnY = gaussianBlur(ln(luminance(readLinear(image, rect))), rect.width, rect.height, 0.3 / mmPerPx);
  const neighbourhoods = edgeNeighbourhoods(line, rect, mmPerPx, 1.5 / mmPerPx);
  let sum = 0;
  for (const idx of neighbourhoods) {
    let best = 0;
    for (const i of idx) {
      const gx = ((lnY[i + 1] as number) - (lnY[i - 1] as number)) / 2;
      const gy = ((lnY[i + rect.width] as number) - (lnY[i - rect.width] as number)) / 2;
      best = Math.max(best, gx * gx + gy * gy);
    }
    sum += Math.sqrt(best) / mmPerPx;
  }
  return neighbourhoods.length ? sum / neighbourhoods.length : NaN;
}

/**
 * Mean depth (percent light) of the mid-scale shadows (0.8–4 mm) over the zone's mask eroded as the skin
 * indicators' (so the outline against the backdrop is left out). `ipdPx` sizes the erosion.
 */
export function jowlShadow(image: RgbImage, polygon: Point2[], mmPerPx: number, ipdPx: number): number {
  const rect = polygonsRect([polygon], 12 / mmPerPx, image.width, image.height);
  if (!rect) return NaN;
  const dips = midScaleDips(ln(luminance(readLinear(image, rect))), rect.width, rect.height, mmPerPx);
  const mask = indicatorMask([polygon], rect, ipdPx);
  let sum = 0, n = 0;
  for (let i = 0; i < mask.length; i++) {
    sum += (mask[i] as number) * (dips[i] as number);
    n += mask[i] as number;
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
