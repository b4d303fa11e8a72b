/** The pixel kit and the deformation, on synthetic images where the right answer is known exactly. */
import { describe, expect, it } from 'vitest';
import type { Point3 } from '@contour/domain';
import type { RgbImage } from '../face-result.js';
import { frameOf, ownSideOf } from './geometry.js';
import { closing, distanceTransform, featheredWindow, gaussianBlur, rasterize, type Point2 } from './raster.js';
import { solveStrength } from './simulate.js';
import { boundaryAnchors, displacementField, forwardPoint, thinPlateSpline, warpImage, type Deformation } from './warp.js';

const square = (x0: number, y0: number, size: number): Point2[] => [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size]];

function gradientImage(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.fill((x * 7 + y * 13) % 256, (y * width + x) * 3, (y * width + x) * 3 + 3);
  return { width, height, data };
}

describe('raster kit', () => {
  it('rasterises pixel centres inside a polygon', () => {
    const inside = rasterize([square(2, 2, 4)], { x: 0, y: 0, width: 10, height: 10 });
    expect(inside.reduce((a, v) => a + v, 0)).toBe(16);
    expect(inside[2 * 10 + 2]).toBe(1);
    expect(inside[6 * 10 + 6]).toBe(0);
  });

  it('computes exact Euclidean distances (against brute force)', () => {
    const w = 23, h = 17;
    const features = new Uint8Array(w * h);
    for (const [x, y] of [[3, 4], [18, 2], [11, 15], [20, 12]] as const) features[y * w + x] = 1;
    const d = distanceTransform(features, w, h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const brute = Math.min(...[[3, 4], [18, 2], [11, 15], [20, 12]].map(([fx, fy]) => Math.hypot(x - fx!, y - fy!)));
        expect(d[y * w + x]).toBeCloseTo(brute, 4);
      }
    }
  });

  it('feathers a window: 1 inside, 0 beyond the outer feather, smooth in between', () => {
    const win = featheredWindow([square(20, 20, 20)], 0, 10, 100, 100)!;
    const at = (x: number, y: number): number => win.data[(y - win.rect.y) * win.rect.width + (x - win.rect.x)] as number;
    expect(at(30, 30)).toBe(1);
    expect(at(20, 30)).toBe(1);
    expect(at(14, 30)).toBeGreaterThan(0);
    expect(at(14, 30)).toBeLessThan(1);
    expect(win.rect.x).toBeGreaterThanOrEqual(20 - 12 - 1);
    expect(at(win.rect.x, 30)).toBe(0);
    const symmetric = featheredWindow([square(20, 20, 20)], 5, 5, 100, 100)!;
    const s = (x: number): number => symmetric.data[(30 - symmetric.rect.y) * symmetric.rect.width + (x - symmetric.rect.x)] as number;
    expect(s(30)).toBe(1);
    expect(s(20)).toBeGreaterThan(0.3);
    expect(s(20)).toBeLessThan(0.7);
    expect(s(14)).toBe(0);
  });

  it('fills dark structures narrower than the closing, and keeps wider ones', () => {
    const w = 40, h = 20;
    const plane = new Float32Array(w * h).fill(10);
    for (let y = 0; y < h; y++) {
      plane[y * w + 10] = 0; // a 1-px dark line
      for (let x = 25; x < 35; x++) plane[y * w + x] = 0; // a 10-px dark band
    }
    const closed = closing(plane, w, h, 2);
    expect(closed[5 * w + 10]).toBe(10);
    expect(closed[5 * w + 30]).toBe(0);
  });

  it('blurs with unit gain', () => {
    const plane = new Float32Array(50 * 50).fill(3);
    for (const sigma of [0.8, 1.5, 4]) expect(gaussianBlur(plane, 50, 50, sigma)[25 * 50 + 25]).toBeCloseTo(3, 4);
  });
});

describe('thin-plate deformation', () => {
  it('interpolates its control values exactly', () => {
    const points: Point2[] = [[10, 10], [50, 12], [30, 40], [12, 45], [48, 48]];
    const values: Point2[] = [[1, 0], [0, 2], [-1, -1], [0, 0], [0.5, 0.5]];
    const spline = thinPlateSpline(points, values, 0);
    points.forEach((p, k) => {
      const [vx, vy] = spline(p[0], p[1]);
      expect(vx).toBeCloseTo(values[k]![0], 6);
      expect(vy).toBeCloseTo(values[k]![1], 6);
    });
  });

  it('moves the controlled point by its shift, leaves everything outside the window byte-identical, and inverts', () => {
    const image = gradientImage(120, 100);
    const window = featheredWindow([square(40, 30, 30)], 0, 15, 120, 100)!;
    const deformation: Deformation = { name: 'test', moves: [{ from: [55, 45], shift: [3, -2] }], fixed: [[42, 32], [68, 58]], window };
    const field = displacementField([deformation])!;
    // The output pixel at the target reads the source at the control point (within the 6 px evaluation grid's
    // bilinear error on a lone, peaked control point: a few hundredths of the shift).
    const target: Point2 = [58, 43];
    const back = [field.bx[(target[1] - field.rect.y) * field.rect.width + target[0] - field.rect.x]!, field.by[(target[1] - field.rect.y) * field.rect.width + target[0] - field.rect.x]!];
    expect(Math.abs(back[0]! + 3)).toBeLessThan(0.15);
    expect(Math.abs(back[1]! - 2)).toBeLessThan(0.15);
    const moved = forwardPoint(field, [55, 45]);
    expect(Math.hypot(moved[0] - 58, moved[1] - 43)).toBeLessThan(0.2);
    const warped = warpImage(image, field);
    let changedOutside = 0, changedInside = 0;
    for (let y = 0; y < 100; y++) {
      for (let x = 0; x < 120; x++) {
        const i = (y * 120 + x) * 3;
        const col = x - window.rect.x, row = y - window.rect.y;
        const w = col >= 0 && row >= 0 && col < window.rect.width && row < window.rect.height ? window.data[row * window.rect.width + col]! : 0;
        const changed = warped.data[i] !== image.data[i];
        if (w === 0 && changed) changedOutside++;
        if (w > 0 && changed) changedInside++;
      }
    }
    expect(changedOutside).toBe(0);
    expect(changedInside).toBeGreaterThan(100);
  });

  it('fades the field where `fade` says, leaving it unchanged elsewhere (the anchors stay on the window rim)', () => {
    const window = featheredWindow([square(40, 30, 30)], 0, 15, 120, 100)!;
    const base: Deformation = { name: 'test', moves: [{ from: [55, 45], shift: [3, -2] }], fixed: [[42, 32], [68, 58]], window };
    // Nothing below row 60 moves (as a lip's field beyond the lips' meeting line).
    const fade = new Float32Array(window.data.length).map((_, o) => (window.rect.y + Math.floor(o / window.rect.width) < 60 ? 1 : 0));
    const plain = displacementField([base])!;
    const faded = displacementField([{ ...base, fade }])!;
    let above = 0, below = 0;
    for (let o = 0; o < plain.bx.length; o++) {
      const y = plain.rect.y + Math.floor(o / plain.rect.width);
      if (y < 60) above = Math.max(above, Math.abs(faded.bx[o]! - plain.bx[o]!), Math.abs(faded.by[o]! - plain.by[o]!));
      else below = Math.max(below, Math.abs(faded.bx[o]!), Math.abs(faded.by[o]!));
    }
    expect(above).toBe(0);
    expect(below).toBe(0);
    expect(Math.max(...plain.by.filter((_, o) => plain.rect.y + Math.floor(o / plain.rect.width) >= 60).map(Math.abs))).toBeGreaterThan(0.01);
  });

  it('fades a lip’s window out over 1 mm beyond the lips’ meeting line, whatever the roll', () => {
    // Pupils 100 px apart; 0.5 mm per px; a slanted meeting line through three inner lip points.
    for (const roll of [0, 0.3]) {
      const rot = ([x, y]: Point2): Point3 => [200 + Math.cos(roll) * (x - 200) - Math.sin(roll) * (y - 200), 200 + Math.sin(roll) * (x - 200) + Math.cos(roll) * (y - 200), 0];
      const landmarks: Point3[] = Array.from({ length: 478 }, () => rot([200, 200]));
      landmarks[473] = rot([150, 100]);
      landmarks[468] = rot([250, 100]);
      const inner = [0, 1, 2];
      [[150, 200], [200, 204], [250, 200]].forEach((p, k) => (landmarks[inner[k]!] = rot(p as Point2)));
      const window = featheredWindow([square(120, 150, 160).map((p) => rot(p).slice(0, 2) as Point2)], 0, 5, 400, 400)!;
      const frame = frameOf(landmarks);
      const fade = ownSideOf(window, frame, inner, 1, 0.5);
      const at = (p: Point2): number => {
        const [x, y] = rot(p);
        return fade[(Math.round(y) - window.rect.y) * window.rect.width + Math.round(x) - window.rect.x]!;
      };
      // The lower lip's side (below the line) in full, nothing 1 mm (2 px) or more above it, halfway between.
      expect(at([200, 220])).toBe(1);
      expect(at([175, 212])).toBe(1);
      expect(at([200, 200])).toBe(0);
      expect(at([175, 198])).toBe(0);
      expect(at([200, 203])).toBeCloseTo(0.5, 0);
    }
  });

  it('puts anchors on the rim of the window', () => {
    const window = featheredWindow([square(40, 30, 30)], 0, 10, 200, 200)!;
    const anchors = boundaryAnchors(window, 8);
    expect(anchors.length).toBeGreaterThan(10);
    for (const [x, y] of anchors) {
      const w = window.data[(y - window.rect.y) * window.rect.width + x - window.rect.x];
      expect(w).toBe(0);
    }
  });

  it('solves an edit strength for a monotone response, and says when full strength is not enough', () => {
    const response = (s: number): number => 3 - 2 * s * s;
    const solved = solveStrength(response, 3, 2, 0.001);
    expect(solved.limited).toBe(false);
    expect(solved.strength).toBeCloseTo(Math.sqrt(0.5), 2);
    const short = solveStrength(response, 3, 0.5, 0.001);
    expect(short).toMatchObject({ strength: 1, value: 1, limited: true });
    expect(solveStrength(response, 3, 3, 0.001).strength).toBe(0);
  });
});
