/**
 * Landmark-driven deformation: thin-plate splines through control points (landmarks moved by the intended mm,
 * landmarks that must stay, and anchors all around the treated region), multiplied by the region's feathered
 * window so the displacement is exactly zero outside it. The field is built backwards (for each output pixel,
 * where to read in the source), so every output pixel gets a value and nothing folds; it is evaluated on a
 * coarse grid (the spline is smooth) and resampled with a Catmull-Rom bicubic, sharper than bilinear.
 */
import type { RgbImage } from '../face-result.js';
import { clamp, unionRect, type Point2, type Rect, type Window } from './raster.js';

export interface Deformation {
  /** e.g. "upper_lip:centre:vermilion_height", for reports. */
  name: string;
  /** Source positions (image px) and how far each moves (px). */
  moves: { from: Point2; shift: Point2 }[];
  /** Points that must not move (lips' inner edges, eyelids, …). */
  fixed: Point2[];
  /** Where the deformation may act: 1 where the shifts apply in full, 0 outside the treated region. */
  window: Window;
  /**
   * A further weight per window pixel that fades the field without moving the spline's anchors (which sit on the
   * window's edge): where a neighbouring region must stay although the window reaches it.
   */
  fade?: Float32Array;
}

/** Backward displacement: output pixel (x, y) reads the source at (x + bx, y + by). */
export interface DisplacementField {
  rect: Rect;
  bx: Float32Array;
  by: Float32Array;
}

// ---------------------------------------------------------------------------------------------------------
// Thin-plate spline (2-D values), coordinates normalised for conditioning.

type Spline = (x: number, y: number) => Point2;

/** U(r) = r² ln r, from r². */
const kernel = (r2: number): number => (r2 > 1e-20 ? 0.5 * r2 * Math.log(r2) : 0);

/** Solves A x = B in place (Gaussian elimination, partial pivoting); A is n×n row-major, B is n×m. */
function solve(A: Float64Array, B: Float64Array, n: number, m: number): void {
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) if (Math.abs(A[row * n + col] as number) > Math.abs(A[pivot * n + col] as number)) pivot = row;
    if (pivot !== col) {
      for (let k = 0; k < n; k++) [A[col * n + k], A[pivot * n + k]] = [A[pivot * n + k] as number, A[col * n + k] as number];
      for (let k = 0; k < m; k++) [B[col * m + k], B[pivot * m + k]] = [B[pivot * m + k] as number, B[col * m + k] as number];
    }
    const p = A[col * n + col] as number;
    if (Math.abs(p) < 1e-14) throw new Error('thin-plate spline: singular system (coincident or collinear control points)');
    for (let row = col + 1; row < n; row++) {
      const f = (A[row * n + col] as number) / p;
      if (f === 0) continue;
      for (let k = col; k < n; k++) A[row * n + k] = (A[row * n + k] as number) - f * (A[col * n + k] as number);
      for (let k = 0; k < m; k++) B[row * m + k] = (B[row * m + k] as number) - f * (B[col * m + k] as number);
    }
  }
  for (let row = n - 1; row >= 0; row--) {
    for (let k = 0; k < m; k++) {
      let s = B[row * m + k] as number;
      for (let j = row + 1; j < n; j++) s -= (A[row * n + j] as number) * (B[j * m + k] as number);
      B[row * m + k] = s / (A[row * n + row] as number);
    }
  }
}

/**
 * A thin-plate spline through `points` with 2-D `values`. `smoothing` (in normalised units, ≥ 0) relaxes exact
 * interpolation a little, which keeps close points from making the surface ring.
 */
export function thinPlateSpline(points: readonly Point2[], values: readonly Point2[], smoothing = 1e-4): Spline {
  const n = points.length;
  let cx = 0, cy = 0;
  for (const [x, y] of points) { cx += x / n; cy += y / n; }
  let s = 0;
  for (const [x, y] of points) s = Math.max(s, Math.abs(x - cx), Math.abs(y - cy));
  s = s || 1;
  const px = points.map(([x]) => (x - cx) / s);
  const py = points.map(([, y]) => (y - cy) / s);
  const size = n + 3;
  const A = new Float64Array(size * size);
  const B = new Float64Array(size * 2);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const dx = (px[i] as number) - (px[j] as number), dy = (py[i] as number) - (py[j] as number);
      A[i * size + j] = i === j ? smoothing : kernel(dx * dx + dy * dy);
    }
    A[i * size + n] = 1;
    A[i * size + n + 1] = px[i] as number;
    A[i * size + n + 2] = py[i] as number;
    A[n * size + i] = 1;
    A[(n + 1) * size + i] = px[i] as number;
    A[(n + 2) * size + i] = py[i] as number;
    B[i * 2] = (values[i] as Point2)[0];
    B[i * 2 + 1] = (values[i] as Point2)[1];
  }
  solve(A, B, size, 2);
  const w = B;
  return (x, y) => {
    const ux = (x - cx) / s, uy = (y - cy) / s;
    let vx = (w[n * 2] as number) + (w[(n + 1) * 2] as number) * ux + (w[(n + 2) * 2] as number) * uy;
    let vy = (w[n * 2 + 1] as number) + (w[(n + 1) * 2 + 1] as number) * ux + (w[(n + 2) * 2 + 1] as number) * uy;
    for (let i = 0; i < n; i++) {
      const dx = ux - (px[i] as number), dy = uy - (py[i] as number);
      const k = kernel(dx * dx + dy * dy);
      vx += (w[i * 2] as number) * k;
      vy += (w[i * 2 + 1] as number) * k;
    }
    return [vx, vy];
  };
}

/**
 * Anchors on the edge of the window's support (w = 0 next to w > 0), one per `cell` × `cell` block: with them
 * the spline is already near zero where the window cuts it, so the cut adds no visible bend.
 */
export function boundaryAnchors(window: Window, cell: number): Point2[] {
  const { rect, data } = window;
  const { width, height } = rect;
  const anchors: Point2[] = [];
  const c = Math.max(2, Math.round(cell));
  for (let by = 0; by < height; by += c) {
    for (let bx = 0; bx < width; bx += c) {
      let found = false;
      for (let y = by; y < Math.min(height, by + c) && !found; y++) {
        for (let x = bx; x < Math.min(width, bx + c) && !found; x++) {
          const i = y * width + x;
          if ((data[i] as number) > 0) continue;
          const near = (x > 0 && (data[i - 1] as number) > 0) || (x < width - 1 && (data[i + 1] as number) > 0) || (y > 0 && (data[i - width] as number) > 0) || (y < height - 1 && (data[i + width] as number) > 0);
          if (near) {
            anchors.push([rect.x + x, rect.y + y]);
            found = true;
          }
        }
      }
    }
  }
  return anchors;
}

/** Grid step (px) the spline is evaluated on; bilinear in between is within a few hundredths of a pixel. */
const GRID = 6;

/**
 * The backward displacement field of all deformations (their fields add up), over the union of their
 * windows; null when there is nothing to move.
 */
export function displacementField(deformations: readonly Deformation[]): DisplacementField | null {
  const rect = unionRect(deformations.map((d) => d.window.rect));
  if (!rect || deformations.length === 0) return null;
  const bx = new Float32Array(rect.width * rect.height);
  const by = new Float32Array(rect.width * rect.height);
  for (const d of deformations) {
    const { window } = d;
    const wr = window.rect;
    // Control points at the TARGET positions, valued with the way back to the source.
    const points: Point2[] = [];
    const values: Point2[] = [];
    for (const { from, shift } of d.moves) {
      points.push([from[0] + shift[0], from[1] + shift[1]]);
      values.push([-shift[0], -shift[1]]);
    }
    const moved = points.slice();
    const tooClose = (p: Point2): boolean => moved.some((q) => Math.hypot(p[0] - q[0], p[1] - q[1]) < 2);
    const ipdish = Math.max(wr.width, wr.height);
    for (const p of [...d.fixed, ...boundaryAnchors(window, Math.max(8, ipdish / 16))]) {
      if (tooClose(p)) continue;
      points.push(p);
      values.push([0, 0]);
    }
    const spline = thinPlateSpline(points, values);
    // The spline on a coarse grid, then bilinear in between.
    const gw = Math.ceil(wr.width / GRID) + 1, gh = Math.ceil(wr.height / GRID) + 1;
    const gx = new Float32Array(gw * gh), gy = new Float32Array(gw * gh);
    for (let j = 0; j < gh; j++) {
      for (let i = 0; i < gw; i++) {
        const [vx, vy] = spline(wr.x + i * GRID, wr.y + j * GRID);
        gx[j * gw + i] = vx;
        gy[j * gw + i] = vy;
      }
    }
    for (let row = 0; row < wr.height; row++) {
      const j = Math.floor(row / GRID), fy = (row - j * GRID) / GRID;
      for (let col = 0; col < wr.width; col++) {
        const w = (window.data[row * wr.width + col] as number) * (d.fade ? (d.fade[row * wr.width + col] as number) : 1);
        if (w <= 0) continue;
        const i = Math.floor(col / GRID), fx = (col - i * GRID) / GRID;
        const k = j * gw + i;
        const w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
        const o = (wr.y + row - rect.y) * rect.width + (wr.x + col - rect.x);
        bx[o] = (bx[o] as number) + w * ((gx[k] as number) * w00 + (gx[k + 1] as number) * w01 + (gx[k + gw] as number) * w10 + (gx[k + gw + 1] as number) * w11);
        by[o] = (by[o] as number) + w * ((gy[k] as number) * w00 + (gy[k + 1] as number) * w01 + (gy[k + gw] as number) * w10 + (gy[k + gw + 1] as number) * w11);
      }
    }
  }
  return { rect, bx, by };
}

/** Bilinear sample of the field at an image point (0 outside it). */
export function fieldAt(field: DisplacementField, x: number, y: number): Point2 {
  const { rect, bx, by } = field;
  const fx = x - rect.x, fy = y - rect.y;
  if (fx < 0 || fy < 0 || fx > rect.width - 1 || fy > rect.height - 1) return [0, 0];
  const i = Math.min(rect.width - 2, Math.floor(fx)), j = Math.min(rect.height - 2, Math.floor(fy));
  const tx = fx - i, ty = fy - j;
  const k = j * rect.width + i;
  const lerp = (g: Float32Array): number =>
    ((g[k] as number) * (1 - tx) + (g[k + 1] as number) * tx) * (1 - ty) + ((g[k + rect.width] as number) * (1 - tx) + (g[k + rect.width + 1] as number) * tx) * ty;
  return rect.width < 2 || rect.height < 2 ? [0, 0] : [lerp(bx), lerp(by)];
}

/** Where a source point ends up: the t with t + b(t) = p (fixed-point iteration; the field is smooth and small). */
export function forwardPoint(field: DisplacementField, p: Point2): Point2 {
  let t: Point2 = [p[0], p[1]];
  for (let k = 0; k < 6; k++) {
    const [dx, dy] = fieldAt(field, t[0], t[1]);
    t = [p[0] - dx, p[1] - dy];
  }
  return t;
}

/** Catmull-Rom weights for a fractional offset t ∈ [0, 1). */
function cubicWeights(t: number, out: Float64Array): void {
  const t2 = t * t, t3 = t2 * t;
  out[0] = -0.5 * t3 + t2 - 0.5 * t;
  out[1] = 1.5 * t3 - 2.5 * t2 + 1;
  out[2] = -1.5 * t3 + 2 * t2 + 0.5 * t;
  out[3] = 0.5 * t3 - 0.5 * t2;
}

/** The image with the field applied (a new image; pixels with no displacement are copied byte for byte). */
export function warpImage(image: RgbImage, field: DisplacementField | null): RgbImage {
  const out = new Uint8Array(image.data);
  if (!field) return { width: image.width, height: image.height, data: out };
  const { rect, bx, by } = field;
  const { width: W, height: H, data: src } = image;
  const wx = new Float64Array(4), wy = new Float64Array(4);
  for (let row = 0; row < rect.height; row++) {
    for (let col = 0; col < rect.width; col++) {
      const o = row * rect.width + col;
      const dx = bx[o] as number, dy = by[o] as number;
      if (dx === 0 && dy === 0) continue;
      const x = rect.x + col, y = rect.y + row;
      const sx = x + dx, sy = y + dy;
      const ix = Math.floor(sx), iy = Math.floor(sy);
      cubicWeights(sx - ix, wx);
      cubicWeights(sy - iy, wy);
      let r = 0, g = 0, b = 0;
      for (let m = 0; m < 4; m++) {
        const yy = clamp(iy - 1 + m, 0, H - 1);
        let rr = 0, gg = 0, bb = 0;
        for (let n = 0; n < 4; n++) {
          const i = (yy * W + clamp(ix - 1 + n, 0, W - 1)) * 3;
          const w = wx[n] as number;
          rr += w * (src[i] as number);
          gg += w * (src[i + 1] as number);
          bb += w * (src[i + 2] as number);
        }
        const w = wy[m] as number;
        r += w * rr;
        g += w * gg;
        b += w * bb;
      }
      const i = (y * W + x) * 3;
      out[i] = clamp(Math.round(r), 0, 255);
      out[i + 1] = clamp(Math.round(g), 0, 255);
      out[i + 2] = clamp(Math.round(b), 0, 255);
    }
  }
  return { width: W, height: H, data: out };
}
