/**
 * Colour for the outcome simulation: sRGB ↔ linear light and CIELAB (D65), on rectangles of an RGB image.
 * Retouching works on light (linear RGB: a shadow lifted is light added) and on Lab (a lifted shadow keeps the
 * skin's a* b*; the skin indicators measure pigment in L* and b*).
 */
import type { RgbImage } from '../face-result.js';
import type { Rect } from './raster.js';

import { SRGB_TO_LINEAR, labF } from '../pixels.js';

export { SRGB_TO_LINEAR, labF };

export function linearToSrgbByte(v: number): number {
  const c = v <= 0 ? 0 : v >= 1 ? 1 : v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055;
  return Math.round(c * 255);
}

export interface LinearRgb {
  rect: Rect;
  r: Float32Array;
  g: Float32Array;
  b: Float32Array;
}

export function readLinear(image: RgbImage, rect: Rect): LinearRgb {
  const n = rect.width * rect.height;
  const r = new Float32Array(n), g = new Float32Array(n), b = new Float32Array(n);
  for (let row = 0; row < rect.height; row++) {
    let i = ((rect.y + row) * image.width + rect.x) * 3;
    for (let col = 0, o = row * rect.width; col < rect.width; col++, o++, i += 3) {
      r[o] = SRGB_TO_LINEAR[image.data[i] as number] as number;
      g[o] = SRGB_TO_LINEAR[image.data[i + 1] as number] as number;
      b[o] = SRGB_TO_LINEAR[image.data[i + 2] as number] as number;
    }
  }
  return { rect, r, g, b };
}

/** Luminance (Rec. 709 / sRGB primaries) of linear RGB. */
export function luminance(rgb: LinearRgb): Float32Array {
  const out = new Float32Array(rgb.r.length);
  for (let i = 0; i < out.length; i++) out[i] = 0.2126 * (rgb.r[i] as number) + 0.7152 * (rgb.g[i] as number) + 0.0722 * (rgb.b[i] as number);
  return out;
}

// CIELAB (D65), for tone.
const XN = 0.95047, ZN = 1.08883;
const labFInv = (f: number): number => (f ** 3 > 216 / 24389 ? f ** 3 : (116 * f - 16) / (24389 / 27));

export interface LabPlanes {
  L: Float32Array;
  a: Float32Array;
  b: Float32Array;
}

export function toLab(rgb: LinearRgb): LabPlanes {
  const n = rgb.r.length;
  const L = new Float32Array(n), A = new Float32Array(n), B = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = rgb.r[i] as number, g = rgb.g[i] as number, b = rgb.b[i] as number;
    const fx = labF((0.4124 * r + 0.3576 * g + 0.1805 * b) / XN);
    const fy = labF(0.2126 * r + 0.7152 * g + 0.0722 * b);
    const fz = labF((0.0193 * r + 0.1192 * g + 0.9505 * b) / ZN);
    L[i] = 116 * fy - 16;
    A[i] = 500 * (fx - fy);
    B[i] = 200 * (fy - fz);
  }
  return { L, a: A, b: B };
}

/** Linear RGB → Lab for one pixel. */
export function linearToLab(r: number, g: number, b: number): [number, number, number] {
  const fx = labF((0.4124 * r + 0.3576 * g + 0.1805 * b) / XN);
  const fy = labF(0.2126 * r + 0.7152 * g + 0.0722 * b);
  const fz = labF((0.0193 * r + 0.1192 * g + 0.9505 * b) / ZN);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

/** CIE L*, a*, b* at a fractional image position, interpolated bilinearly in linear light. */
export function labAt(image: RgbImage, x: number, y: number): [number, number, number] {
  const ix = Math.max(0, Math.min(image.width - 2, Math.floor(x))), iy = Math.max(0, Math.min(image.height - 2, Math.floor(y)));
  const fx = Math.min(1, Math.max(0, x - ix)), fy = Math.min(1, Math.max(0, y - iy));
  const rgb: [number, number, number] = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    const at = (xx: number, yy: number): number => SRGB_TO_LINEAR[image.data[(yy * image.width + xx) * 3 + c] as number] as number;
    rgb[c] = (at(ix, iy) * (1 - fx) + at(ix + 1, iy) * fx) * (1 - fy) + (at(ix, iy + 1) * (1 - fx) + at(ix + 1, iy + 1) * fx) * fy;
  }
  return linearToLab(rgb[0], rgb[1], rgb[2]);
}

/** CIE L* alone at a fractional image position: `labAt(…)[0]`, for a third of the work (luminance is linear in light). */
export function lightnessAt(image: RgbImage, x: number, y: number): number {
  const ix = Math.max(0, Math.min(image.width - 2, Math.floor(x))), iy = Math.max(0, Math.min(image.height - 2, Math.floor(y)));
  const fx = Math.min(1, Math.max(0, x - ix)), fy = Math.min(1, Math.max(0, y - iy));
  const Y = (xx: number, yy: number): number => {
    const o = (yy * image.width + xx) * 3;
    return 0.2126 * (SRGB_TO_LINEAR[image.data[o] as number] as number) + 0.7152 * (SRGB_TO_LINEAR[image.data[o + 1] as number] as number) + 0.0722 * (SRGB_TO_LINEAR[image.data[o + 2] as number] as number);
  };
  return 116 * labF((Y(ix, iy) * (1 - fx) + Y(ix + 1, iy) * fx) * (1 - fy) + (Y(ix, iy + 1) * (1 - fx) + Y(ix + 1, iy + 1) * fx) * fy) - 16;
}

/** Lab → linear RGB for one pixel (the inverse of toLab's matrices). */
export function labToLinear(L: number, a: number, b: number): [number, number, number] {
  const fy = (L + 16) / 116;
  const x = XN * labFInv(fy + a / 500);
  const y = labFInv(fy);
  const z = ZN * labFInv(fy - b / 200);
  return [3.2406 * x - 1.5372 * y - 0.4986 * z, -0.9689 * x + 1.8758 * y + 0.0415 * z, 0.0557 * x - 0.204 * y + 1.057 * z];
}
