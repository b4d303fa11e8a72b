/**
 * Pixel arithmetic shared by the skin indicators (skin.ts) and the outcome simulation (simulate/): sRGB to
 * linear light, the CIELAB transfer function, and a Gaussian blur of float planes. One copy, so what the
 * simulation retouches and what the indicators then measure use the same colour and the same smoothing.
 */

/** sRGB byte → linear light (0–1). */
export const SRGB_TO_LINEAR = Float32Array.from({ length: 256 }, (_, c) => {
  const v = c / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
});

/** CIELAB's f(t), for L*a*b* from linear XYZ relative to the white point. */
export const labF = (t: number): number => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

function gaussianKernel(sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * radius + 1);
  let norm = 0;
  for (let i = -radius; i <= radius; i++) norm += k[i + radius] = Math.exp((-i * i) / (2 * sigma * sigma));
  return k.map((v) => v / norm);
}

/**
 * Separable convolution (k along rows, then along columns), edges clamped. Written for speed (it is most of
 * the skin indicators' work): rows are copied into a padded buffer so the inner loops need no bounds checks.
 */
function convolve(src: Float32Array, w: number, h: number, k: Float32Array): Float32Array {
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  const r = (k.length - 1) / 2;
  const padded = new Float32Array(w + 2 * r);
  const n = k.length;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let i = 0; i < padded.length; i++) padded[i] = src[row + clamp(i - r, 0, w - 1)] as number;
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += (k[j] as number) * (padded[x + j] as number);
      tmp[row + x] = s;
    }
  }
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let j = 0; j < n; j++) {
      const c = k[j] as number;
      const from = clamp(y + j - r, 0, h - 1) * w;
      for (let x = 0; x < w; x++) out[row + x] = (out[row + x] as number) + c * (tmp[from + x] as number);
    }
  }
  return out;
}

/**
 * Three box blurs in a row (running sums) with widths chosen to match the Gaussian's variance: the same
 * smoothing to within a few percent at a cost that does not grow with σ. Used for the larger scales.
 */
function boxWidths(sigma: number): number[] {
  const ideal = Math.sqrt((12 * sigma * sigma) / 3 + 1);
  let wl = Math.floor(ideal);
  if (wl % 2 === 0) wl--;
  const wu = wl + 2;
  const m = Math.round((12 * sigma * sigma - 3 * wl * wl - 12 * wl - 9) / (-4 * wl - 4));
  return [0, 1, 2].map((i) => (i < m ? wl : wu));
}

/** One box blur of odd width along every row, edges clamped (running sum: two reads per pixel). */
function boxRows(src: Float32Array, dst: Float32Array, width: number, height: number, size: number): void {
  const r = (size - 1) / 2;
  const last = width - 1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let sum = 0;
    for (let k = -r; k <= r; k++) sum += src[row + clamp(k, 0, last)] as number;
    for (let x = 0; x < width; x++) {
      dst[row + x] = sum / size;
      const add = x + r + 1, drop = x - r;
      sum += (src[row + (add > last ? last : add)] as number) - (src[row + (drop < 0 ? 0 : drop)] as number);
    }
  }
}

/** A width × height plane, transposed (rows become columns). */
export function transpose(src: Float32Array, width: number, height: number): Float32Array {
  const out = new Float32Array(src.length);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[x * height + y] = src[y * width + x] as number;
  return out;
}

/** Gaussian blur of a width × height plane, edges clamped: exact kernel below σ = 2 px, three box passes above. */
export function gaussianBlur(src: Float32Array, width: number, height: number, sigma: number): Float32Array {
  if (!(sigma > 0.05)) return Float32Array.from(src);
  if (sigma < 2) return convolve(src, width, height, gaussianKernel(sigma));
  const sizes = boxWidths(sigma);
  let a: Float32Array = Float32Array.from(src), b: Float32Array = new Float32Array(src.length);
  for (const size of sizes) {
    boxRows(a, b, width, height, size);
    [a, b] = [b, a];
  }
  a = transpose(a, width, height);
  b = new Float32Array(a.length);
  for (const size of sizes) {
    boxRows(a, b, height, width, size);
    [a, b] = [b, a];
  }
  return transpose(a, height, width);
}

/** The median of the finite values (NaN when there are none). */
export function median(xs: number[]): number {
  const v = xs.filter(Number.isFinite).sort((p, q) => p - q);
  if (!v.length) return NaN;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? (v[m] as number) : ((v[m - 1] as number) + (v[m] as number)) / 2;
}
