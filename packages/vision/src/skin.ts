/**
 * Per-zone skin indicators (lines, hollowness shadow, texture, redness, pigment) from the pixels inside each
 * zone polygon. Raw, unitless figures: severity.ts in the domain maps them to 0–4 AI photo estimates.
 *
 * Every zone is resampled to a canonical grid where the inter-pupil distance is CANON_IPD pixels, so the same
 * face photographed by a 12-megapixel camera or a tablet gives the same figures (filters are sized in fractions
 * of the IPD, not in camera pixels). Browser-safe: no Node APIs. Formulas and their checks: docs/validation.md
 * ("Skin indicators").
 */
import type { ZoneFinding, ZoneId, ZoneIndicators, ZoneShape } from '@contour/domain';
import type { RgbImage } from './face-result.js';
import { SRGB_TO_LINEAR, gaussianBlur, labF, median } from './pixels.js';

/** Grid pixels per inter-pupil distance (≈ 63 mm), so one grid pixel ≈ 0.32 mm on an average adult face. */
export const CANON_IPD = 200;
/** Grid pixels per square centimetre (for spot densities). */
const PX_PER_CM2 = (CANON_IPD / 6.3) ** 2;

/** Zones read for hollowness, and the neighbouring skin each is compared with (first one present wins). */
export const SHADOW_REFERENCES: Partial<Record<ZoneId, ZoneId[]>> = {
  tear_trough: ['cheek'],
  nasolabial: ['cheek'],
  marionette: ['cheek', 'chin'],
  temple: ['forehead', 'cheek'],
};

/** Zones whose own colour is not skin colour (vermilion), left out of the face's reference skin. */
const NOT_REFERENCE_SKIN = new Set<ZoneId>(['upper_lip', 'lower_lip', 'neck']);

export interface ZoneSkin {
  zone: ZoneShape;
  indicators: ZoneIndicators;
  /** Effective number of analysed grid pixels (sum of the feathered mask's weights), for confidence. */
  pixels: number;
  /** The same area in source-image pixels. */
  imagePixels: number;
}

// ---------------------------------------------------------------------------------------------------------
// Small image-processing kit on Float32 planes.

interface Plane {
  data: Float32Array;
  width: number;
  height: number;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** Linear luminance Y (0–1) and CIELAB L*, a*, b* (D65) planes of an image rectangle. */
function labPlanes(image: RgbImage, x0: number, y0: number, w: number, h: number): { Y: Plane; L: Plane; a: Plane; b: Plane } {
  const mk = (): Plane => ({ data: new Float32Array(w * h), width: w, height: h });
  const Y = mk(), L = mk(), A = mk(), B = mk();
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = ((y0 + y) * image.width + x0 + x) * 3;
      const r = SRGB_TO_LINEAR[image.data[i] ?? 0] ?? 0;
      const g = SRGB_TO_LINEAR[image.data[i + 1] ?? 0] ?? 0;
      const bl = SRGB_TO_LINEAR[image.data[i + 2] ?? 0] ?? 0;
      const lum = 0.2126 * r + 0.7152 * g + 0.0722 * bl;
      const fx = labF((0.4124 * r + 0.3576 * g + 0.1805 * bl) / 0.95047);
      const fy = labF(lum);
      const fz = labF((0.0193 * r + 0.1192 * g + 0.9505 * bl) / 1.08883);
      const o = y * w + x;
      Y.data[o] = lum;
      L.data[o] = 116 * fy - 16;
      A.data[o] = 500 * (fx - fy);
      B.data[o] = 200 * (fy - fz);
    }
  }
  return { Y, L, a: A, b: B };
}

/**
 * Resamples a plane by `scale` (output pixels per input pixel): area averaging when shrinking (no aliasing,
 * which would fake fine lines), bilinear when enlarging.
 */
function resample(src: Plane, scale: number): Plane {
  const width = Math.max(1, Math.round(src.width * scale));
  const height = Math.max(1, Math.round(src.height * scale));
  const out = new Float32Array(width * height);
  const at = (x: number, y: number): number => src.data[clamp(y, 0, src.height - 1) * src.width + clamp(x, 0, src.width - 1)] ?? 0;
  if (scale < 1) {
    const step = 1 / scale;
    for (let ty = 0; ty < height; ty++) {
      const sy0 = Math.floor(ty * step), sy1 = Math.max(sy0 + 1, Math.min(src.height, Math.floor((ty + 1) * step)));
      for (let tx = 0; tx < width; tx++) {
        const sx0 = Math.floor(tx * step), sx1 = Math.max(sx0 + 1, Math.min(src.width, Math.floor((tx + 1) * step)));
        let sum = 0, n = 0;
        for (let sy = sy0; sy < sy1; sy++) for (let sx = sx0; sx < sx1; sx++) { sum += at(sx, sy); n++; }
        out[ty * width + tx] = sum / n;
      }
    }
  } else {
    for (let ty = 0; ty < height; ty++) {
      const fy = (ty + 0.5) / scale - 0.5, y0 = Math.floor(fy), dy = fy - y0;
      for (let tx = 0; tx < width; tx++) {
        const fx = (tx + 0.5) / scale - 0.5, x0 = Math.floor(fx), dx = fx - x0;
        out[ty * width + tx] =
          (at(x0, y0) * (1 - dx) + at(x0 + 1, y0) * dx) * (1 - dy) + (at(x0, y0 + 1) * (1 - dx) + at(x0 + 1, y0 + 1) * dx) * dy;
      }
    }
  }
  return { data: out, width, height };
}

function gaussian(p: Plane, sigma: number): Plane {
  return { data: gaussianBlur(p.data, p.width, p.height, sigma), width: p.width, height: p.height };
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

function distanceToEdges(x: number, y: number, polygon: [number, number][]): number {
  let best = Infinity;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [ax, ay] = polygon[j] as [number, number];
    const [bx, by] = polygon[i] as [number, number];
    const dx = bx - ax, dy = by - ay;
    const len2 = dx * dx + dy * dy;
    const t = len2 > 0 ? clamp(((x - ax) * dx + (y - ay) * dy) / len2, 0, 1) : 0;
    const ex = x - ax - t * dx, ey = y - ay - t * dy;
    const d2 = ex * ex + ey * ey;
    if (d2 < best) best = d2;
  }
  return Math.sqrt(best);
}

// Weighted statistics over the mask.
function weightedMean(values: Float32Array, weights: Float32Array): number {
  let s = 0, n = 0;
  for (let i = 0; i < values.length; i++) {
    const w = weights[i] ?? 0;
    if (w > 0) { s += w * (values[i] ?? 0); n += w; }
  }
  return n > 0 ? s / n : NaN;
}

/**
 * Quantile of the mask's core (weight ≥ ½; every masked pixel when the core is empty). Unweighted within the
 * core: a sorted typed array is an order of magnitude faster than weighted pairs, and the feathered rim adds
 * nothing a median needs.
 */
function weightedQuantile(values: Float32Array, weights: Float32Array, q: number): number {
  let n = 0;
  for (let i = 0; i < weights.length; i++) if ((weights[i] as number) >= 0.5) n++;
  const threshold = n > 0 ? 0.5 : Number.MIN_VALUE;
  if (n === 0) for (let i = 0; i < weights.length; i++) if ((weights[i] as number) > 0) n++;
  if (n === 0) return NaN;
  const core = new Float32Array(n);
  let j = 0;
  for (let i = 0; i < weights.length; i++) if ((weights[i] as number) >= threshold) core[j++] = values[i] as number;
  core.sort();
  return core[clamp(Math.round(q * (n - 1)), 0, n - 1)] as number;
}

/** Robust spread: 1.4826 × weighted median absolute deviation (a standard deviation for Gaussian data). */
function robustSpread(values: Float32Array, weights: Float32Array): number {
  const med = weightedQuantile(values, weights, 0.5);
  const dev = values.map((v) => Math.abs(v - med));
  return 1.4826 * weightedQuantile(dev, weights, 0.5);
}

// ---------------------------------------------------------------------------------------------------------
// Filter sizes, in grid pixels (CANON_IPD per IPD).

/**
 * Ridge scales: fine lines (σ ≈ 0.4 mm), wrinkles (0.8 mm) and folds (1.5 mm). Etched lines at rest are
 * 0.2–1 mm wide; three octaves cover them without reaching the centimetre-scale shading of the face's shape.
 */
const RIDGE_SIGMAS = [1.25, 2.5, 5];
/** Mask erosion and feather: keeps the filters' support off the zone's borders (lid margins, lips, hairline). */
const ERODE = 3;
const FEATHER = 6;
/** Texture band: 0.3–0.8 mm (the coarse end is the middle ridge scale, reused), pores and surface roughness. */
const TEXTURE_SIGMAS: [number, number] = [0.8, 2.5];
/** Pigment band: 1–5 mm, the scale of lentigines and blotches. */
const PIGMENT_SIGMAS: [number, number] = [2, 8];
/** A dark spot: L* at least this far below its surroundings in the pigment band... */
const SPOT_DEPTH = 3;
/** ...over at least this many grid pixels (≈ 1 mm²). */
const SPOT_MIN_PIXELS = 10;
// Filter context around the zone: two of the largest σ (beyond that the edge clamp changes little).
const MARGIN = Math.ceil(2 * Math.max(...RIDGE_SIGMAS, ...PIGMENT_SIGMAS)) + 2;

interface ZoneGrid {
  Y: Plane;
  L: Plane;
  a: Plane;
  b: Plane;
  weights: Float32Array;
  pixels: number;
  imagePixels: number;
}

/** The zone's rectangle (plus filter margin) on the canonical grid, with its feathered, eroded mask. */
function zoneGrid(image: RgbImage, zone: ZoneShape, scale: number): ZoneGrid | null {
  const poly = zone.polygon;
  if (poly.length < 3) return null;
  const marginPx = MARGIN / scale;
  const xs = poly.map((p) => p[0]), ys = poly.map((p) => p[1]);
  const x0 = clamp(Math.floor(Math.min(...xs) - marginPx), 0, image.width - 1);
  const y0 = clamp(Math.floor(Math.min(...ys) - marginPx), 0, image.height - 1);
  const x1 = clamp(Math.ceil(Math.max(...xs) + marginPx), x0 + 1, image.width);
  const y1 = clamp(Math.ceil(Math.max(...ys) + marginPx), y0 + 1, image.height);
  const raw = labPlanes(image, x0, y0, x1 - x0, y1 - y0);
  const Y = resample(raw.Y, scale), L = resample(raw.L, scale), a = resample(raw.a, scale), b = resample(raw.b, scale);
  const local: [number, number][] = poly.map(([x, y]) => [(x - x0) * scale, (y - y0) * scale]);
  const weights = new Float32Array(Y.width * Y.height);
  let pixels = 0, inside = 0;
  for (let y = 0; y < Y.height; y++) {
    for (let x = 0; x < Y.width; x++) {
      if (!insidePolygon(x + 0.5, y + 0.5, local)) continue;
      inside++;
      const w = clamp((distanceToEdges(x + 0.5, y + 0.5, local) - ERODE) / FEATHER, 0, 1);
      weights[y * Y.width + x] = w;
      pixels += w;
    }
  }
  // A zone too thin to survive the erosion is still measured, unfeathered (its confidence will say so).
  if (pixels < 1 && inside > 0) {
    for (let y = 0; y < Y.height; y++) for (let x = 0; x < Y.width; x++) if (insidePolygon(x + 0.5, y + 0.5, local)) weights[y * Y.width + x] = 1;
    pixels = inside;
  }
  if (pixels < 1) return null;
  return { Y, L, a, b, weights, pixels, imagePixels: pixels / (scale * scale) };
}

/**
 * Lines: scale-normalised Hessian ridge strength of dark valleys on log luminance.
 *
 * Why log luminance: a crease darkens the skin by a fraction of the light falling on it, so on ln Y a line has
 * the same depth in a bright or a shaded part of the face and under any exposure (Weber contrast). That is the
 * "normalised by local contrast" step. Why the Hessian: a thin dark valley has a large positive curvature
 * across it (λ1) and almost none along it (λ2); λ1 − |λ2| keeps oriented, elongated valleys and rejects pores
 * and spots (λ1 ≈ λ2) and bright ridges (λ1 < 0). σ² makes the response comparable across scales, and the
 * maximum over three scales catches fine and deep lines alike. Units: percent luminance depth; the figure is
 * the masked mean, so it grows with both the number and the depth of lines.
 */
function lineScore(smoothed: Plane[], weights: Float32Array): number {
  const best = new Float32Array(weights.length);
  RIDGE_SIGMAS.forEach((s, k) => {
    // Second differences of the Gaussian-smoothed image: the Hessian at scale σ, at a third of the cost of
    // derivative-of-Gaussian kernels and indistinguishable from them for σ ≥ 1.
    const { data: g, width: w, height: h } = smoothed[k] as Plane;
    for (let y = 1; y < h - 1; y++) {
      for (let x = 1; x < w - 1; x++) {
        const i = y * w + x;
        if (!((weights[i] as number) > 0)) continue;
        const c = g[i] as number;
        const a = (g[i - 1] as number) - 2 * c + (g[i + 1] as number);
        const d = (g[i - w] as number) - 2 * c + (g[i + w] as number);
        const b = ((g[i + w + 1] as number) - (g[i + w - 1] as number) - (g[i - w + 1] as number) + (g[i - w - 1] as number)) / 4;
        const root = Math.sqrt(((a - d) / 2) ** 2 + b * b);
        const l1 = (a + d) / 2 + root, l2 = (a + d) / 2 - root;
        const r = s * s * Math.max(0, l1 - Math.abs(l2));
        if (r > (best[i] as number)) best[i] = r;
      }
    }
  });
  return weightedMean(best, weights);
}

/** Difference of Gaussians: the band between two scales, free of the shading above it. */
function band(fine: Plane, coarse: Plane): Float32Array {
  return fine.data.map((v, i) => v - (coarse.data[i] as number));
}

/** Counts connected (4-neighbour) groups of flagged mask pixels at least `minSize` large. */
function countBlobs(flag: Uint8Array, width: number, height: number, minSize: number): number {
  const seen = new Uint8Array(flag.length);
  let count = 0;
  const stack: number[] = [];
  for (let start = 0; start < flag.length; start++) {
    if (!flag[start] || seen[start]) continue;
    let size = 0;
    stack.push(start);
    seen[start] = 1;
    while (stack.length) {
      const i = stack.pop() as number;
      size++;
      const x = i % width, y = (i - x) / width;
      for (const j of [x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1, y > 0 ? i - width : -1, y < height - 1 ? i + width : -1]) {
        if (j >= 0 && flag[j] && !seen[j]) { seen[j] = 1; stack.push(j); }
      }
    }
    if (size >= minSize) count++;
  }
  return count;
}

/**
 * The raw indicators of every zone. `interPupilPx` is the inter-pupil distance in image pixels; every filter
 * is sized from it. Zones whose polygon lies outside the image or is empty are left out.
 */
export function zoneIndicators(image: RgbImage, zones: ZoneShape[], interPupilPx: number): ZoneSkin[] {
  if (!(interPupilPx > 0)) throw new Error('zoneIndicators needs a positive inter-pupil distance');
  const scale = CANON_IPD / interPupilPx;
  const grids = zones.map((zone) => ({ zone, grid: zoneGrid(image, zone, scale) }));

  // Per-zone medians, reused for the references.
  const medians = new Map<ZoneShape, { Y: number; a: number }>();
  for (const { zone, grid } of grids) {
    if (grid) medians.set(zone, { Y: weightedQuantile(grid.Y.data, grid.weights, 0.5), a: weightedQuantile(grid.a.data, grid.weights, 0.5) });
  }
  // The face's reference skin colour: the median a* of the cheeks and forehead when given, else of every
  // skin zone. A median of zone medians, so a large zone does not outvote the others.
  const skinZones = [...medians.keys()].filter((z) => !NOT_REFERENCE_SKIN.has(z.id));
  const preferred = skinZones.filter((z) => z.id === 'cheek' || z.id === 'forehead');
  const refA = median((preferred.length ? preferred : skinZones).map((z) => medians.get(z)?.a ?? NaN));

  const out: ZoneSkin[] = [];
  for (const { zone, grid } of grids) {
    if (!grid) continue;
    const { weights } = grid;
    // ln Y in percent (ln(1.01) ≈ 1 %), floored so black pixels do not explode.
    const logY: Plane = { ...grid.Y, data: grid.Y.data.map((v) => 100 * Math.log(Math.max(v, 0.005))) };
    const indicators: ZoneIndicators = {};

    const smoothed = RIDGE_SIGMAS.map((sigma) => gaussian(logY, sigma));
    indicators.lines = lineScore(smoothed, weights);

    // Texture: spread of the 0.3–1 mm band of ln Y. The band removes the face's shading; the robust spread
    // (median absolute deviation) ignores the few line pixels, so lines and roughness stay separate figures.
    indicators.texture = robustSpread(band(gaussian(logY, TEXTURE_SIGMAS[0]), smoothed[1] as Plane), weights);

    // Hollowness: a hollow is seen as a shadow, the light the zone gets as a fraction of the light on the
    // neighbouring flat skin of the same side (medians, so a spot or a highlight does not move it). 0 = as
    // bright as the reference, 0.3 = 30 % darker; negative when brighter.
    const refs = SHADOW_REFERENCES[zone.id];
    if (refs) {
      const ref = referenceZone(zone, refs, [...medians.keys()]);
      const refY = ref ? medians.get(ref)?.Y : median([...medians.values()].map((m) => m.Y));
      const own = medians.get(zone)?.Y;
      if (refY && own !== undefined) indicators.shadow = 1 - own / refY;
    }

    // Redness: mean a* above the face's reference skin. A difference, not a level, so constitutive skin colour
    // and the camera's white balance largely cancel.
    indicators.redness = weightedMean(grid.a.data, weights) - refA;

    // Pigment unevenness: spread of the 1–5 mm band in L* and b* (blotches and lentigines are darker and
    // yellower), in ΔE-like units, plus 0.25 per dark spot per cm², so a few distinct spots count even when
    // the spread is dominated by the rest of the zone.
    const lBand = band(gaussian(grid.L, PIGMENT_SIGMAS[0]), gaussian(grid.L, PIGMENT_SIGMAS[1]));
    const bBand = band(gaussian(grid.b, PIGMENT_SIGMAS[0]), gaussian(grid.b, PIGMENT_SIGMAS[1]));
    const spread = Math.hypot(robustSpread(lBand, weights), robustSpread(bBand, weights));
    const dark = new Uint8Array(lBand.length);
    for (let i = 0; i < lBand.length; i++) dark[i] = (weights[i] ?? 0) >= 0.5 && (lBand[i] ?? 0) < -SPOT_DEPTH ? 1 : 0;
    const spots = countBlobs(dark, grid.L.width, grid.L.height, SPOT_MIN_PIXELS);
    indicators.pigment = spread + 0.25 * (spots / (grid.pixels / PX_PER_CM2));

    out.push({ zone, indicators, pixels: grid.pixels, imagePixels: grid.imagePixels });
  }
  return out;
}

/** The first reference zone present, preferring the same side (then the centre, then the other side). */
function referenceZone(zone: ZoneShape, ids: ZoneId[], available: ZoneShape[]): ZoneShape | undefined {
  for (const id of ids) {
    const candidates = available.filter((z) => z.id === id);
    const pick = candidates.find((z) => z.side === zone.side) ?? candidates.find((z) => z.side === 'centre') ?? candidates[0];
    if (pick) return pick;
  }
  return undefined;
}

/**
 * The severity step: zone, raw indicators and context → 0–4 estimate. The domain's
 * `severityEstimator(table)` (severity.ts) is the one to pass; it is a parameter so this browser-safe module
 * needs no import of the domain's calibration table (and a practice's own table drops in the same way).
 */
export type SeverityEstimator = (
  zoneId: ZoneId,
  indicators: ZoneIndicators,
  context: { pixels: number; view: string; expression: 'rest' | 'dynamic' },
) => { severity: number | null; confidence: number; scale: string | null };

/**
 * Indicators and 0–4 severity estimates of every zone of one photo. `view` and `expression` are the photo's
 * (e.g. 'frontal', 'rest'; the smile view is 'dynamic'); the table's calibration says which it was set on, and
 * a mismatch lowers the confidence. Zones that could not be measured are left out.
 */
export function zoneFindings(
  image: RgbImage,
  zones: ZoneShape[],
  interPupilPx: number,
  view: string,
  expression: 'rest' | 'dynamic',
  estimate: SeverityEstimator,
): ZoneFinding[] {
  return zoneIndicators(image, zones, interPupilPx).map(({ zone, indicators, pixels }) => {
    const { severity, confidence, scale } = estimate(zone.id, indicators, { pixels, view, expression });
    return { ...zone, indicators, severity, confidence, scale, view, expression };
  });
}
