/**
 * Pixel kit for the outcome simulation: float planes, Gaussian blur, polygon rasterisation, Euclidean distance
 * transforms and feathered windows. A window is a weight 0–1 over a rectangle of the image; the simulation
 * changes no pixel where every window is 0, which is how "outside the treated zones the image is untouched"
 * holds exactly (before JPEG encoding).
 */

import { transpose } from '../pixels.js';

export { gaussianBlur } from '../pixels.js';

export type Point2 = [number, number];

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Weights 0–1 over `rect` (row-major). */
export interface Window {
  rect: Rect;
  data: Float32Array;
}

export const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);
const smoothstep = (t: number): number => (t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t));

/** The bounding box of polygons, grown by `margin`, clipped to the image; null when empty. */
export function polygonsRect(polygons: readonly (readonly Point2[])[], margin: number, imageWidth: number, imageHeight: number): Rect | null {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const polygon of polygons) {
    for (const [x, y] of polygon) {
      if (x < x0) x0 = x;
      if (y < y0) y0 = y;
      if (x > x1) x1 = x;
      if (y > y1) y1 = y;
    }
  }
  if (!(x1 >= x0 && y1 >= y0)) return null;
  const left = clamp(Math.floor(x0 - margin), 0, imageWidth);
  const top = clamp(Math.floor(y0 - margin), 0, imageHeight);
  const right = clamp(Math.ceil(x1 + margin), 0, imageWidth);
  const bottom = clamp(Math.ceil(y1 + margin), 0, imageHeight);
  if (right <= left || bottom <= top) return null;
  return { x: left, y: top, width: right - left, height: bottom - top };
}

export function unionRect(rects: readonly (Rect | null)[]): Rect | null {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const r of rects) {
    if (!r) continue;
    x0 = Math.min(x0, r.x);
    y0 = Math.min(y0, r.y);
    x1 = Math.max(x1, r.x + r.width);
    y1 = Math.max(y1, r.y + r.height);
  }
  return x1 > x0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : null;
}

/** Pixel centres inside any of the polygons (even-odd per polygon, union across them), over `rect`. */
export function rasterize(polygons: readonly (readonly Point2[])[], rect: Rect): Uint8Array {
  const { x: rx, y: ry, width, height } = rect;
  const out = new Uint8Array(width * height);
  const crossings: number[] = [];
  for (const polygon of polygons) {
    const n = polygon.length;
    if (n < 3) continue;
    for (let row = 0; row < height; row++) {
      const y = ry + row + 0.5;
      crossings.length = 0;
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const [xi, yi] = polygon[i] as Point2;
        const [xj, yj] = polygon[j] as Point2;
        if (yi > y !== yj > y) crossings.push(xi + ((y - yi) * (xj - xi)) / (yj - yi));
      }
      crossings.sort((a, b) => a - b);
      for (let k = 0; k + 1 < crossings.length; k += 2) {
        // Pixel centres x + 0.5 within [a, b).
        const from = Math.max(0, Math.ceil((crossings[k] as number) - 0.5 - rx));
        const to = Math.min(width - 1, Math.ceil((crossings[k + 1] as number) - 0.5 - rx) - 1);
        for (let col = from; col <= to; col++) out[row * width + col] = 1;
      }
    }
  }
  return out;
}

/** 1-D squared Euclidean distance transform of a sampled function (Felzenszwalb & Huttenlocher 2012). */
function edt1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    // Where the parabola from q overtakes the lowest so far (no closure here: this is the innermost loop).
    const fq = (f[q] as number) + q * q;
    let p = v[k] as number;
    let s = (fq - ((f[p] as number) + p * p)) / (2 * q - 2 * p);
    while (s <= (z[k] as number) && k > 0) {
      k--;
      p = v[k] as number;
      s = (fq - ((f[p] as number) + p * p)) / (2 * q - 2 * p);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while ((z[k + 1] as number) < q) k++;
    const p = v[k] as number;
    d[q] = (q - p) * (q - p) + (f[p] as number);
  }
}

/** Distance (px) from every pixel to the nearest pixel where `features` is 1; Infinity-free (a large value when none). */
export function distanceTransform(features: Uint8Array, width: number, height: number): Float32Array {
  // Squared distances fit a float32 exactly enough (images are far below 4096² px); "none" is a large finite value.
  const BIG = 1e10;
  const n = Math.max(width, height);
  const f = new Float64Array(n), d = new Float64Array(n), z = new Float64Array(n + 1);
  const v = new Int32Array(n);
  const grid = new Float32Array(width * height);
  for (let i = 0; i < grid.length; i++) grid[i] = features[i] ? 0 : BIG;
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) f[y] = grid[y * width + x] as number;
    edt1d(f, height, d, v, z);
    for (let y = 0; y < height; y++) grid[y * width + x] = d[y] as number;
  }
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) f[x] = grid[y * width + x] as number;
    edt1d(f, width, d, v, z);
    for (let x = 0; x < width; x++) out[y * width + x] = Math.sqrt(d[x] as number);
  }
  return out;
}

/**
 * A feathered window of polygons: weight 1 from `inner` px inside their outline inwards, 0 from `outer` px
 * outside it outwards, a smoothstep in between (so the weight has no kink a seam could show). `inner = 0`
 * keeps the whole polygon at full weight (warps: the moved points must get their full shift); a symmetric
 * feather (`inner = outer`) fades an edit across the zone's edge (retouching).
 */
export function featheredWindow(polygons: readonly (readonly Point2[])[], inner: number, outer: number, imageWidth: number, imageHeight: number): Window | null {
  const rect = polygonsRect(polygons, outer + 2, imageWidth, imageHeight);
  if (!rect) return null;
  const inside = rasterize(polygons, rect);
  const outside = new Uint8Array(inside.length);
  let any = false;
  for (let i = 0; i < inside.length; i++) {
    outside[i] = inside[i] ? 0 : 1;
    if (inside[i]) any = true;
  }
  if (!any) return null;
  const toInside = distanceTransform(inside, rect.width, rect.height);
  // Without an inner feather every inside pixel weighs 1: no distance inside is needed.
  const toOutside = inner > 0 ? distanceTransform(outside, rect.width, rect.height) : null;
  const data = new Float32Array(inside.length);
  const span = inner + outer;
  for (let i = 0; i < data.length; i++) {
    if (inside[i] && !toOutside) {
      data[i] = 1;
      continue;
    }
    // Signed distance to the outline, negative inside (pixel centres: half a pixel off the true edge either way).
    const signed = inside[i] ? -((toOutside?.[i] as number) - 0.5) : (toInside[i] as number) - 0.5;
    data[i] = span > 0 ? smoothstep((outer - signed) / span) : signed <= 0 ? 1 : 0;
  }
  return { rect, data };
}

/** A window along a polyline: 1 within `inner` px of it, 0 beyond `outer` px, smoothstep between. */
export function polylineWindow(line: readonly Point2[], inner: number, outer: number, imageWidth: number, imageHeight: number): Window | null {
  const rect = polygonsRect([line], outer + 2, imageWidth, imageHeight);
  if (!rect || line.length < 2) return null;
  const data = new Float32Array(rect.width * rect.height);
  for (let row = 0; row < rect.height; row++) {
    const py = rect.y + row + 0.5;
    for (let col = 0; col < rect.width; col++) {
      const px = rect.x + col + 0.5;
      let best = Infinity;
      for (let k = 1; k < line.length; k++) {
        const [ax, ay] = line[k - 1] as Point2;
        const [bx, by] = line[k] as Point2;
        const dx = bx - ax, dy = by - ay;
        const len2 = dx * dx + dy * dy;
        const t = len2 > 0 ? clamp(((px - ax) * dx + (py - ay) * dy) / len2, 0, 1) : 0;
        const ex = px - ax - t * dx, ey = py - ay - t * dy;
        const d2 = ex * ex + ey * ey;
        if (d2 < best) best = d2;
      }
      data[row * rect.width + col] = smoothstep((outer - Math.sqrt(best)) / Math.max(1e-6, outer - inner));
    }
  }
  return { rect, data };
}

// ---------------------------------------------------------------------------------------------------------
// Grey-level morphology: running max / min over square windows (van Herk / Gil-Werman, O(1) per pixel).

function runningExtremum(src: Float32Array, dst: Float32Array, width: number, height: number, radius: number, max: boolean): void {
  const size = 2 * radius + 1;
  const n = width + 2 * radius;
  const padded = new Float32Array(n), left = new Float32Array(n), right = new Float32Array(n);
  // Branches rather than a comparison callback: this runs for every pixel four times per closing.
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let i = 0; i < n; i++) padded[i] = src[row + clamp(i - radius, 0, width - 1)] as number;
    for (let i = 0; i < n; i++) {
      const v = padded[i] as number;
      const prev = left[i - 1] as number;
      left[i] = i % size === 0 ? v : max ? (prev > v ? prev : v) : prev < v ? prev : v;
    }
    for (let i = n - 1; i >= 0; i--) {
      const v = padded[i] as number;
      const next = right[i + 1] as number;
      right[i] = i === n - 1 || (i + 1) % size === 0 ? v : max ? (next > v ? next : v) : next < v ? next : v;
    }
    for (let x = 0; x < width; x++) {
      const a = right[x] as number, b = left[x + size - 1] as number;
      dst[row + x] = max ? (a > b ? a : b) : a < b ? a : b;
    }
  }
}

/**
 * Grey-level closing (max then min over a (2r+1)² square): fills every dark structure narrower than the
 * square, in any orientation, and leaves wider ones (and the level around them) as they were.
 */
export function closing(src: Float32Array, width: number, height: number, radius: number): Float32Array {
  const r = Math.max(1, Math.round(radius));
  const a = new Float32Array(src.length), b = new Float32Array(src.length);
  const pass = (from: Float32Array, to: Float32Array, max: boolean): void => {
    runningExtremum(from, to, width, height, r, max);
    const t = transpose(to, width, height);
    const u = new Float32Array(t.length);
    runningExtremum(t, u, height, width, r, max);
    to.set(transpose(u, height, width));
  };
  pass(src, a, true);
  pass(a, b, false);
  return b;
}
