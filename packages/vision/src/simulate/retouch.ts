/**
 * Localised retouching inside feathered zone windows. Each edit is prepared once from the current image (planes
 * and masks), can PREDICT the measurement it moves at any strength 0–1 from those planes (cheaply: the edits
 * are linear in log light or in Lab before the measurement's non-linear step), and is then written once at the
 * chosen strength (simulate.ts picks it). Every edit works on light (linear RGB, blended in the log domain by
 * its window) or on CIELAB, never on gamma-encoded bytes, so it fades to nothing at the zone's edge.
 *
 * Sizes are in millimetres through the photo's scale, so the same plan does the same thing on a phone photo and
 * a studio one. The measurements mirror the skin indicators (skin.ts) at the image's own resolution: lines
 * (Hessian ridges at 0.4, 0.8, 1.6 mm), shadow (median light against a reference), texture (0.25–0.8 mm band),
 * pigment (0.63–2.5 mm band of L* and b*), on the same eroded, feathered zone mask.
 */
import type { RgbImage } from '../face-result.js';
import { labF, labToLinear, linearToLab, linearToSrgbByte, luminance, readLinear, toLab, type LinearRgb } from './color.js';
import { clamp, closing, distanceTransform, featheredWindow, gaussianBlur, polygonsRect, polylineWindow, rasterize, type Point2, type Rect, type Window } from './raster.js';

/** What an edit's prediction reports: the quantities the simulation aims at. */
export interface Prediction {
  lines?: number;
  shadow?: number;
  texture?: number;
  pigment?: number;
  edge?: number;
  jowl?: number;
}

export interface Edit {
  rect: Rect;
  window: Window;
  /** Writes the edit at `strength` into `image` (the image it was prepared on). */
  apply(image: RgbImage, strength: number): void;
  /** The edit's measurements at `strength`, from the prepared planes (nothing is written). */
  predict(strength: number): Prediction;
}

export interface ZoneGeometry {
  /** The zone's polygon(s), image px. */
  polygons: Point2[][];
  mmPerPx: number;
  /** Inter-pupil distance (px): the skin indicators' grid is 200 px per IPD, their mask erosion is in grid px. */
  ipdPx: number;
  /** Feather half-width (px): the edit fades across the zone's outline over 2 × this. */
  featherPx: number;
}

const LN_FLOOR = 0.005;
/** 100 · ln Y: a crease's depth as a fraction of the light on it (as the line indicator measures it). */
const logLum = (Y: Float32Array): Float32Array => Y.map((v) => 100 * Math.log(Math.max(v, LN_FLOOR)));

interface Prepared {
  rect: Rect;
  window: Window;
  /** The window's weight at every pixel of `rect`. */
  w: Float32Array;
  rgb: LinearRgb;
  Y: Float32Array;
  lnY: Float32Array;
  /** The indicators' zone mask over `rect`: eroded 3 grid px and feathered over 6 (skin.ts). */
  mask: Float32Array;
}

function windowOver(window: Window, rect: Rect): Float32Array {
  const out = new Float32Array(rect.width * rect.height);
  const wr = window.rect;
  for (let row = 0; row < rect.height; row++) {
    const y = rect.y + row - wr.y;
    if (y < 0 || y >= wr.height) continue;
    for (let col = 0; col < rect.width; col++) {
      const x = rect.x + col - wr.x;
      if (x >= 0 && x < wr.width) out[row * rect.width + col] = window.data[y * wr.width + x] as number;
    }
  }
  return out;
}

export function indicatorMask(polygons: Point2[][], rect: Rect, ipdPx: number): Float32Array {
  const inside = rasterize(polygons, rect);
  const outside = inside.map((v) => (v ? 0 : 1));
  const depth = distanceTransform(outside, rect.width, rect.height);
  const grid = ipdPx / 200;
  const mask = new Float32Array(inside.length);
  for (let i = 0; i < mask.length; i++) if (inside[i]) mask[i] = clamp(((depth[i] as number) - 3 * grid) / (6 * grid), 0, 1);
  return mask;
}

function prepare(image: RgbImage, zone: ZoneGeometry, contextMm: number): Prepared | null {
  const window = featheredWindow(zone.polygons, zone.featherPx, zone.featherPx, image.width, image.height);
  const rect = polygonsRect(zone.polygons, zone.featherPx + contextMm / zone.mmPerPx, image.width, image.height);
  if (!window || !rect) return null;
  const rgb = readLinear(image, rect);
  const Y = luminance(rgb);
  return { rect, window, w: windowOver(window, rect), rgb, Y, lnY: logLum(Y), mask: indicatorMask(zone.polygons, rect, zone.ipdPx) };
}

/**
 * Writes light multiplied by exp(w · logGain(o)) (the window blends in the log domain: no halo at its edge).
 * `keepColour` (retouching) raises L* and keeps a* and b*, so a lifted shadow or a filled crease takes the
 * colour of the skin around it instead of growing more saturated; without it (relighting: projection) the light
 * is scaled as light is, hue and chromaticity kept.
 */
function writeGain(image: RgbImage, p: { rect: Rect; w: Float32Array; rgb: LinearRgb }, logGain: (o: number) => number, keepColour = true): void {
  const { rect, w, rgb } = p;
  for (let row = 0; row < rect.height; row++) {
    for (let col = 0; col < rect.width; col++) {
      const o = row * rect.width + col;
      const weight = w[o] as number;
      if (weight <= 0) continue;
      const k = Math.exp(weight * logGain(o));
      if (k === 1) continue;
      const r = rgb.r[o] as number, g = rgb.g[o] as number, b = rgb.b[o] as number;
      let out: [number, number, number] = [r * k, g * k, b * k];
      if (keepColour) {
        const [, A, B] = linearToLab(r, g, b);
        const Y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        out = labToLinear(116 * labF(Math.min(1, Y * k)) - 16, A, B);
      }
      const i = ((rect.y + row) * image.width + rect.x + col) * 3;
      image.data[i] = linearToSrgbByte(out[0]);
      image.data[i + 1] = linearToSrgbByte(out[1]);
      image.data[i + 2] = linearToSrgbByte(out[2]);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Measurement kernels (shared by the predictions).

/** Ridge scales of etched lines (σ, mm), as the line indicator (1.25, 2.5, 5 grid px ≈ 0.4, 0.8, 1.6 mm). */
const LINE_SIGMAS_MM = [0.4, 0.8, 1.6];

/** σ²·max(0, λ1 − |λ2|) of a smoothed plane g at pixel i (a thin dark valley's strength, skin.ts). */
function ridgeAt(g: Float32Array, i: number, width: number, s: number): number {
  const c = g[i] as number;
  const a = (g[i - 1] as number) - 2 * c + (g[i + 1] as number);
  const d = (g[i - width] as number) - 2 * c + (g[i + width] as number);
  const b = ((g[i + width + 1] as number) - (g[i + width - 1] as number) - (g[i - width + 1] as number) + (g[i - width - 1] as number)) / 4;
  const root = Math.sqrt(((a - d) / 2) ** 2 + b * b);
  return s * s * Math.max(0, (a + d) / 2 + root - Math.abs((a + d) / 2 - root));
}

/** ln Y smoothed at each line scale (shared by the valley map and the line prediction). */
interface Smoothed {
  sigma: number;
  g: Float32Array;
}

function lineScales(lnY: Float32Array, width: number, height: number, mmPerPx: number): Smoothed[] {
  return LINE_SIGMAS_MM.map((mm) => ({ sigma: mm / mmPerPx, g: gaussianBlur(lnY, width, height, mm / mmPerPx) }));
}

/**
 * The line measure of ln Y + s · delta: for each scale, the smoothed planes of both (smoothing is linear), the
 * best ridge over scales, mask-weighted mean.
 */
function linePredictor(scales: Smoothed[], delta: Float32Array, mask: Float32Array, width: number, height: number): (s: number) => number {
  const changes = scales.map(({ sigma }) => gaussianBlur(delta, width, height, sigma));
  const g = new Float32Array(delta.length);
  const best = new Float32Array(delta.length);
  let total = 0;
  for (let i = 0; i < mask.length; i++) total += mask[i] as number;
  return (s) => {
    best.fill(0);
    scales.forEach(({ sigma, g: base }, k) => {
      const change = changes[k] as Float32Array;
      for (let i = 0; i < g.length; i++) g[i] = (base[i] as number) + s * (change[i] as number);
      for (let y = 1; y < height - 1; y++) {
        for (let x = 1; x < width - 1; x++) {
          const i = y * width + x;
          if (!((mask[i] as number) > 0)) continue;
          const r = ridgeAt(g, i, width, sigma);
          if (r > (best[i] as number)) best[i] = r;
        }
      }
    });
    let sum = 0;
    for (let i = 0; i < mask.length; i++) sum += (mask[i] as number) * (best[i] as number);
    return total > 0 ? sum / total : NaN;
  };
}

/** The k-th smallest of `a` (0-based), reordering it in place (Hoare's selection: linear on average). */
function select(a: Float32Array, k: number): number {
  let lo = 0, hi = a.length - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1] as number;
    let i = lo, j = hi;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i] = a[j] as number;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k] as number;
  }
  return a[k] as number;
}

/** Median (for an even count the upper middle value, as skin.ts) of the values whose mask weight is ≥ ½ (the indicators' core). */
function coreMedian(values: Float32Array, mask: Float32Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if ((mask[i] as number) >= 0.5) n++;
  if (n === 0) return NaN;
  const core = new Float32Array(n);
  let j = 0;
  for (let i = 0; i < mask.length; i++) if ((mask[i] as number) >= 0.5) core[j++] = values[i] as number;
  return select(core, Math.round((n - 1) / 2));
}

/** 1.4826 × median absolute deviation over the core (a standard deviation for Gaussian data), as skin.ts. */
function robustSpread(values: Float32Array, mask: Float32Array): number {
  const med = coreMedian(values, mask);
  return 1.4826 * coreMedian(values.map((v) => Math.abs(v - med)), mask);
}

const dog = (plane: Float32Array, width: number, height: number, fine: number, coarse: number): Float32Array => {
  const a = gaussianBlur(plane, width, height, fine);
  const b = gaussianBlur(plane, width, height, coarse);
  return a.map((v, i) => v - (b[i] as number));
};

// ---------------------------------------------------------------------------------------------------------
// Lines and folds.

/**
 * How much each pixel belongs to a thin dark valley (0–1): the ridge strength at the line scales mapped
 * 0.1 → 0, 0.8 → 1 (percent luminance depth: below 0.1 is the grain of skin, 0.8 a visible line), then blurred
 * a little to cover each line's full width. Pores, spots and bright ridges score 0 (λ1 ≈ λ2, or λ1 < 0).
 */
function valleyness(scales: Smoothed[], width: number, height: number, mmPerPx: number): Float32Array {
  const best = new Float32Array(width * height);
  for (const { sigma, g } of scales) {
    for (let y = 1; y < height - 1; y++) {
      for (let x = 1; x < width - 1; x++) {
        const i = y * width + x;
        const r = ridgeAt(g, i, width, sigma);
        if (r > (best[i] as number)) best[i] = r;
      }
    }
  }
  for (let i = 0; i < best.length; i++) {
    const t = clamp(((best[i] as number) - 0.1) / (0.8 - 0.1), 0, 1);
    best[i] = t * t * (3 - 2 * t);
  }
  return gaussianBlur(best, width, height, 0.3 / mmPerPx);
}

/**
 * Valleys deeper than this (percent light) fade out of the fill: brows, lashes, eyeliner and stray hair are far
 * darker than any crease, and Contour's line estimates pick them up at the zones' edges (docs/validation.md).
 */
const LINE_DEPTH_FULL = 10, LINE_DEPTH_NONE = 20;

/**
 * How much to raise each pixel (100·ln Y units) to fill the lines at rest: the depth of the pixel under the
 * grey-level closing of ln Y (the skin's level with every dark structure narrower than 3.2 mm filled, lightly
 * smoothed), weighted by the valley map so only elongated valleys are filled (pores, spots, freckles stay), and
 * faded out for structures deeper than 10–20 % (hair is far darker than a crease).
 */
function lineFill(lnY: Float32Array, scales: Smoothed[], width: number, height: number, mmPerPx: number): Float32Array {
  const level = gaussianBlur(closing(lnY, width, height, 1.6 / mmPerPx), width, height, 0.4 / mmPerPx);
  const v = valleyness(scales, width, height, mmPerPx);
  return lnY.map((l, o) => {
    const depth = Math.max(0, (level[o] as number) - l);
    const keep = clamp((LINE_DEPTH_NONE - depth) / (LINE_DEPTH_NONE - LINE_DEPTH_FULL), 0, 1);
    return (v[o] as number) * depth * keep;
  });
}

/**
 * Lines at rest: dark valleys raised to the skin around them, so lines fade and pores, texture and pigment
 * stay. Strength 1 removes the valleys' depth entirely. Predicts `lines`.
 */
export function linesEdit(image: RgbImage, zone: ZoneGeometry): Edit | null {
  const p = prepare(image, zone, 8);
  if (!p) return null;
  const { width, height } = p.rect;
  const scales = lineScales(p.lnY, width, height, zone.mmPerPx);
  const fill = lineFill(p.lnY, scales, width, height, zone.mmPerPx);
  const lines = linePredictor(scales, fill.map((f, o) => f * (p.w[o] as number)), p.mask, width, height);
  return {
    rect: p.rect,
    window: p.window,
    apply: (target, s) => writeGain(target, p, (o) => (s * (fill[o] as number)) / 100),
    predict: (s) => ({ lines: lines(s) }),
  };
}

/**
 * The most a hollow or fold is brightened: up to 35 % above the reference skin's median light. Contour's
 * hollow and fold estimates are calibrated on faces where these zones are often brighter than the cheek (the
 * London 5th percentile of the tear-trough shadow is −0.28: 28 % brighter), so "no hollow" can mean brighter
 * than the cheek; the strength decides how far towards this ceiling the shadow is lifted.
 */
const LIFT_CEILING = 1.35;

/** Per-pixel lift factor towards the ceiling, from the zone's light smoothed at 2 mm (the shadow's shape, not the skin's detail). */
function shadowLift(p: Prepared, mmPerPx: number, referenceY: number): Float32Array {
  const smooth = gaussianBlur(p.Y, p.rect.width, p.rect.height, 2 / mmPerPx);
  return smooth.map((y) => Math.max(0, (LIFT_CEILING * referenceY) / Math.max(y, LN_FLOOR) - 1));
}

/** The shadow measure (1 − core median light ÷ reference) of light multiplied by exp(w · logGain(s, o)). */
function shadowPredictor(p: Prepared, referenceY: number, logGain: (s: number, o: number) => number): (s: number) => number {
  const lit = new Float32Array(p.Y.length);
  return (s) => {
    for (let o = 0; o < lit.length; o++) lit[o] = (p.Y[o] as number) * Math.exp((p.w[o] as number) * logGain(s, o));
    return 1 - coreMedian(lit, p.mask) / referenceY;
  };
}

/**
 * Hollows seen as shadow: the zone's light raised towards the ceiling above the reference (the median light of
 * the flat skin next to it, e.g. the cheek below a tear trough), the darkest parts most; pixels already above
 * it are left alone. Predicts `shadow`.
 */
export function shadowEdit(image: RgbImage, zone: ZoneGeometry, referenceY: number): Edit | null {
  const p = prepare(image, zone, 6);
  if (!p) return null;
  const lift = shadowLift(p, zone.mmPerPx, referenceY);
  const logGain = (s: number, o: number): number => Math.log1p(s * (lift[o] as number));
  const shadow = shadowPredictor(p, referenceY, logGain);
  return { rect: p.rect, window: p.window, apply: (target, s) => writeGain(target, p, (o) => logGain(s, o)), predict: (s) => ({ shadow: shadow(s) }) };
}

/**
 * A fold: its shadow lifted and its crease filled together, at one strength (the fold estimates weigh both).
 * Predicts `shadow` and `lines` (the lift is smooth at 2 mm, so it adds no ridge at the line scales).
 */
export function foldEdit(image: RgbImage, zone: ZoneGeometry, referenceY: number): Edit | null {
  const p = prepare(image, zone, 8);
  if (!p) return null;
  const { width, height } = p.rect;
  const scales = lineScales(p.lnY, width, height, zone.mmPerPx);
  const fill = lineFill(p.lnY, scales, width, height, zone.mmPerPx);
  const lift = shadowLift(p, zone.mmPerPx, referenceY);
  const logGain = (s: number, o: number): number => Math.log1p(s * (lift[o] as number)) + (s * (fill[o] as number)) / 100;
  const shadow = shadowPredictor(p, referenceY, logGain);
  const lines = linePredictor(scales, fill.map((f, o) => f * (p.w[o] as number)), p.mask, width, height);
  return {
    rect: p.rect,
    window: p.window,
    apply: (target, s) => writeGain(target, p, (o) => logGain(s, o)),
    predict: (s) => ({ shadow: shadow(s), lines: lines(s) }),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Skin quality.

/**
 * Texture: the detail finer than 0.8 mm (the texture indicator's band and below: pores, roughness) scaled
 * down by the strength. Each pixel's change is capped at ±6 % of its light, so strong edges inside a zone
 * (lashes, a brow's edge, a mole) keep most of their contrast. Predicts `texture` (robust spread of the
 * 0.25–0.8 mm band of ln Y over the zone's core).
 */
export function textureEdit(image: RgbImage, zone: ZoneGeometry): Edit | null {
  const p = prepare(image, zone, 3);
  if (!p) return null;
  const { width, height } = p.rect;
  const coarse = gaussianBlur(p.lnY, width, height, 0.8 / zone.mmPerPx);
  const detail = p.lnY.map((l, o) => clamp(l - (coarse[o] as number), -6, 6));
  const fine = 0.25 / zone.mmPerPx, wide = 0.79 / zone.mmPerPx;
  const band0 = dog(p.lnY, width, height, fine, wide);
  const bandChange = dog(detail.map((d, o) => d * (p.w[o] as number)), width, height, fine, wide);
  const band = new Float32Array(band0.length);
  return {
    rect: p.rect,
    window: p.window,
    apply: (target, s) => writeGain(target, p, (o) => (-s * (detail[o] as number)) / 100),
    predict: (s) => {
      for (let i = 0; i < band.length; i++) band[i] = (band0[i] as number) - s * (bandChange[i] as number);
      return { texture: robustSpread(band, p.mask) };
    },
  };
}

/**
 * Tone: blotches and spots (the 0.6–2.5 mm band of L*, a* and b*, where the pigment indicator looks) scaled
 * down by the strength; the face's larger-scale colour and shading are kept. Predicts `pigment` (robust spreads
 * of the 0.63–2.5 mm band of L* and b*, plus 0.25 per dark spot per cm², as the indicator).
 */
export function toneEdit(image: RgbImage, zone: ZoneGeometry): Edit | null {
  const p = prepare(image, zone, 8);
  if (!p) return null;
  const { rect, rgb, w } = p;
  const { width, height } = rect;
  const lab = toLab(rgb);
  const px = (mm: number): number => mm / zone.mmPerPx;
  const dL = dog(lab.L, width, height, px(0.6), px(2.5)), dA = dog(lab.a, width, height, px(0.6), px(2.5)), dB = dog(lab.b, width, height, px(0.6), px(2.5));
  const weighted = (d: Float32Array): Float32Array => d.map((v, o) => v * (w[o] as number));
  const L0 = dog(lab.L, width, height, px(0.63), px(2.52)), B0 = dog(lab.b, width, height, px(0.63), px(2.52));
  const L1 = dog(weighted(dL), width, height, px(0.63), px(2.52)), B1 = dog(weighted(dB), width, height, px(0.63), px(2.52));
  const bandL = new Float32Array(L0.length), bandB = new Float32Array(B0.length);
  // The indicator's spot size and area are on its grid (200 px per IPD, the IPD taken as 63 mm).
  const gridScale = 200 / zone.ipdPx;
  const minSpot = Math.max(1, Math.round(10 / (gridScale * gridScale)));
  const areaCm2 = Math.max(1e-6, (p.mask.reduce((a, v) => a + v, 0) * gridScale * gridScale) / (200 / 6.3) ** 2);
  return {
    rect,
    window: p.window,
    apply(target, s) {
      for (let row = 0; row < height; row++) {
        for (let col = 0; col < width; col++) {
          const o = row * width + col;
          const k = s * (w[o] as number);
          if (k <= 0) continue;
          const [r, g, b] = labToLinear((lab.L[o] as number) - k * (dL[o] as number), (lab.a[o] as number) - k * (dA[o] as number), (lab.b[o] as number) - k * (dB[o] as number));
          const i = ((rect.y + row) * target.width + rect.x + col) * 3;
          target.data[i] = linearToSrgbByte(r);
          target.data[i + 1] = linearToSrgbByte(g);
          target.data[i + 2] = linearToSrgbByte(b);
        }
      }
    },
    predict: (s) => {
      for (let i = 0; i < bandL.length; i++) {
        bandL[i] = (L0[i] as number) - s * (L1[i] as number);
        bandB[i] = (B0[i] as number) - s * (B1[i] as number);
      }
      return { pigment: Math.hypot(robustSpread(bandL, p.mask), robustSpread(bandB, p.mask)) + 0.25 * (countSpots(bandL, p.mask, width, height, minSpot) / areaCm2) };
    },
  };
}

/**
 * Dark spots as the pigment indicator counts them: connected core pixels whose 0.63–2.5 mm band of L* is more
 * than 3 below its surroundings, at least `minSize` pixels (≈ 1 mm²) large.
 */
function countSpots(bandL: Float32Array, mask: Float32Array, width: number, height: number, minSize: number): number {
  const seen = new Uint8Array(bandL.length);
  const flag = (i: number): boolean => (mask[i] as number) >= 0.5 && (bandL[i] as number) < -3;
  const stack: number[] = [];
  let count = 0;
  for (let start = 0; start < bandL.length; start++) {
    if (seen[start] || !flag(start)) continue;
    let size = 0;
    seen[start] = 1;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop() as number;
      size++;
      const x = i % width, y = (i - x) / width;
      for (const j of [x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1, y > 0 ? i - width : -1, y < height - 1 ? i + width : -1]) {
        if (j >= 0 && !seen[j] && flag(j)) {
          seen[j] = 1;
          stack.push(j);
        }
      }
    }
    if (size >= minSize) count++;
  }
  return count;
}

// ---------------------------------------------------------------------------------------------------------
// Edges and the jaw's shading.

/**
 * Sample points every 0.5 mm along a polyline, each with the pixels of `rect` within `radiusPx` of it: the
 * neighbourhoods whose steepest gradient the edge measure averages.
 */
export function edgeNeighbourhoods(line: Point2[], rect: Rect, mmPerPx: number, radiusPx: number): number[][] {
  const out: number[][] = [];
  const step = 0.5 / mmPerPx;
  for (let k = 1; k < line.length; k++) {
    const [ax, ay] = line[k - 1] as Point2;
    const [bx, by] = line[k] as Point2;
    const n = Math.max(1, Math.ceil(Math.hypot(bx - ax, by - ay) / step));
    for (let j = 0; j < n; j++) {
      const cx = ax + ((bx - ax) * j) / n, cy = ay + ((by - ay) * j) / n;
      const idx: number[] = [];
      for (let y = Math.floor(cy - radiusPx); y <= Math.ceil(cy + radiusPx); y++) {
        for (let x = Math.floor(cx - radiusPx); x <= Math.ceil(cx + radiusPx); x++) {
          const col = x - rect.x, row = y - rect.y;
          if (col < 1 || row < 1 || col >= rect.width - 1 || row >= rect.height - 1) continue;
          if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= radiusPx * radiusPx) idx.push(row * rect.width + col);
        }
      }
      if (idx.length) out.push(idx);
    }
  }
  return out;
}

/**
 * Edge contrast (measure.ts `edgeContrast`) of ln Y + s · delta: the mean over the line's sample points of the
 * steepest gradient (per mm) within 1.5 mm of each, so a line placed a pixel or two off the edge still finds it.
 */
function edgePredictor(lnY: Float32Array, delta: Float32Array, neighbourhoods: number[][], width: number, height: number, mmPerPx: number): (s: number) => number {
  const sigma = 0.3 / mmPerPx;
  const base = gaussianBlur(lnY, width, height, sigma);
  const change = gaussianBlur(delta, width, height, sigma);
  return (s) => {
    let sum = 0;
    for (const idx of neighbourhoods) {
      let best = 0;
      for (const i of idx) {
        const gx = ((base[i + 1] as number) - (base[i - 1] as number) + s * ((change[i + 1] as number) - (change[i - 1] as number))) / 2;
        const gy = ((base[i + width] as number) - (base[i - width] as number) + s * ((change[i + width] as number) - (change[i - width] as number))) / 2;
        const g = gx * gx + gy * gy;
        if (g > best) best = g;
      }
      sum += Math.sqrt(best) / mmPerPx;
    }
    return neighbourhoods.length > 0 ? sum / neighbourhoods.length : NaN;
  };
}

/**
 * Definition along an edge (the vermilion border, the mandibular border): local contrast of ln Y at 0.5 mm
 * raised by the strength (unsharp masking) within a band around the edge line: full within `innerMm`, fading
 * out by `outerMm`. Predicts `edge` (as `edgeContrast`).
 */
export function edgeEdit(image: RgbImage, line: Point2[], mmPerPx: number, innerMm: number, outerMm: number): Edit | null {
  const window = polylineWindow(line, innerMm / mmPerPx, outerMm / mmPerPx, image.width, image.height);
  const rect = polygonsRect([line], Math.max(outerMm, 2) / mmPerPx + 4, image.width, image.height);
  if (!window || !rect) return null;
  const rgb = readLinear(image, rect);
  const lnY = logLum(luminance(rgb));
  const w = windowOver(window, rect);
  const blur = gaussianBlur(lnY, rect.width, rect.height, 0.5 / mmPerPx);
  const detail = lnY.map((l, o) => clamp(l - (blur[o] as number), -15, 15));
  const edge = edgePredictor(lnY, detail.map((d, o) => d * (w[o] as number)), edgeNeighbourhoods(line, rect, mmPerPx, 1.5 / mmPerPx), rect.width, rect.height, mmPerPx);
  return { rect, window, apply: (target, s) => writeGain(target, { rect, w, rgb }, (o) => (s * (detail[o] as number)) / 100), predict: (s) => ({ edge: edge(s) }) };
}

/** max(0, −(G(0.8 mm) − G(4 mm))) of a ln Y plane: how far each pixel sits in a mid-scale shadow. */
export function midScaleDips(lnY: Float32Array, width: number, height: number, mmPerPx: number): Float32Array {
  const fine = gaussianBlur(lnY, width, height, 0.8 / mmPerPx);
  const coarse = gaussianBlur(lnY, width, height, 4 / mmPerPx);
  return fine.map((v, i) => Math.max(0, (coarse[i] as number) - v));
}

/**
 * Mid-scale shadow along the jaw (0.8–4 mm dips of ln Y: jowl and prejowl shading) lifted by the strength.
 * Predicts `jowl` (measure.ts `jowlShadow`: mean dip over the zone's eroded mask, away from the outline).
 */
export function jowlEdit(image: RgbImage, zone: ZoneGeometry): Edit | null {
  const p = prepare(image, zone, 12);
  if (!p) return null;
  const { width, height } = p.rect;
  const dip = midScaleDips(p.lnY, width, height, zone.mmPerPx);
  const delta = dip.map((d, o) => d * (p.w[o] as number));
  const fine0 = gaussianBlur(p.lnY, width, height, 0.8 / zone.mmPerPx), coarse0 = gaussianBlur(p.lnY, width, height, 4 / zone.mmPerPx);
  const fine1 = gaussianBlur(delta, width, height, 0.8 / zone.mmPerPx), coarse1 = gaussianBlur(delta, width, height, 4 / zone.mmPerPx);
  const total = p.mask.reduce((a, v) => a + v, 0);
  return {
    rect: p.rect,
    window: p.window,
    apply: (target, s) => writeGain(target, p, (o) => (s * (dip[o] as number)) / 100),
    predict: (s) => {
      let sum = 0;
      for (let i = 0; i < p.mask.length; i++) {
        const m = p.mask[i] as number;
        if (m > 0) sum += m * Math.max(0, (coarse0[i] as number) + s * (coarse1[i] as number) - (fine0[i] as number) - s * (fine1[i] as number));
      }
      return { jowl: total > 0 ? sum / total : NaN };
    },
  };
}

/**
 * Projection seen frontally: a smooth mound (Gaussian, apex `heightMm`, σ = `sigmaMm`) on a surface facing the
 * camera, lit from 30° above the camera axis, with 60 % of the light diffuse (a studio softbox) [EST]. The mound's
 * upper slope turns to the light and brightens, its lower slope darkens: the highlight of a fuller cheek.
 * `up` is the face's upward unit vector in the image. Drawn at full strength; predicts nothing.
 */
export function projectionEdit(image: RgbImage, zone: ZoneGeometry, apex: Point2, heightMm: number, sigmaMm: number, up: Point2): Edit | null {
  const p = prepare(image, zone, 0);
  if (!p) return null;
  const { rect } = p;
  const sigma = sigmaMm / zone.mmPerPx;
  const shade = new Float32Array(rect.width * rect.height);
  const lz = Math.cos(Math.PI / 6), ly = Math.sin(Math.PI / 6);
  for (let row = 0; row < rect.height; row++) {
    for (let col = 0; col < rect.width; col++) {
      const dx = rect.x + col + 0.5 - apex[0], dy = rect.y + row + 0.5 - apex[1];
      const h = heightMm * Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
      // Height gradient (mm of height per mm across the face): along the face's up direction, and in all.
      const gx = (-dx / (sigma * sigma)) * h, gy = (-dy / (sigma * sigma)) * h;
      const gUp = (gx * up[0] + gy * up[1]) / zone.mmPerPx;
      const gAll = Math.hypot(gx, gy) / zone.mmPerPx;
      // n ∝ (−∇h, 1), light L = (sin 30° along up, cos 30° towards the camera): n·L ÷ the flat surface's n0·L.
      const lambert = (-gUp * ly + lz) / (Math.sqrt(1 + gAll * gAll) * lz);
      shade[row * rect.width + col] = Math.log(0.6 + 0.4 * lambert);
    }
  }
  return { rect, window: p.window, apply: (target, s) => writeGain(target, p, (o) => s * (shade[o] as number), false), predict: () => ({}) };
}
