/**
 * Each side of the face outline traced as one path, from above the cheekbone to below the jaw angle, and read at
 * the two heights the geometry measures (outline-edges.ts). A search at one height alone has to choose between
 * edges that are about equally clear (a sideburn between the face and the ear, an ear's rim, a shadow on the neck),
 * and a choice made on each line flipped between a photo and its simulation. Along a path, the edge taken is the
 * one that continues the outline above and below: on horizontal lines about 1 mm apart, every step in lightness
 * (either way: the backdrop may be lighter or darker than the face, hair darker, an ear lighter) is a candidate,
 * and dynamic programming finds the path that takes the strongest steps while its distance from the mesh's face
 * oval changes least from line to line. Lines without a clear step may be passed over, at a cost.
 *
 * The mesh oval guides the lines (it follows the face's shape, 2–3 mm inside the outline), so a path that keeps
 * its distance from it is a smooth outline. Where another path, crossing a read line more than `RIVAL_MM` away,
 * scores nearly as well (`margin`), the edge is ambiguous: a photo and its simulation then took different edges
 * (docs/validation.md, "Face outline"), and the analysis says so rather than give the figure as measured.
 * Deterministic and bounded: about 150 lines of a few hundred samples.
 */
import { mirrorIndex } from '@contour/domain/face-mesh';
import { PER_PX, profileAlong } from './edge-profile.js';
import type { RgbImage } from './face-result.js';
import { lightnessAt } from './simulate/color.js';
import type { Frame } from './simulate/geometry.js';
import type { Point2 } from './simulate/raster.js';

/** The right side of the face oval, from the temple down beside the chin (the left side mirrors it). */
export const RIGHT_OVAL = [21, 162, 127, 234, 93, 132, 58, 172, 136, 150, 149, 176];

/**
 * Chosen on the London set (docs/validation.md, "Face outline"): against the templates and in the closed loop on
 * 68 portraits, with faces made symmetric read alike on both sides.
 */
const TRACE = {
  /** Reach of each line outwards and inwards of the mesh oval (mm). */
  outerMm: 9,
  innerMm: 4,
  /** How far the path runs above the cheekbone's height and below the jaw angle's (mm). */
  aboveMm: 8,
  belowMm: 8,
  /** A step this size (L* over ±0.5 mm) counts as a clear edge; below `minStep` of it, no candidate. */
  clearStep: 6,
  minStep: 0.15,
  /** The strongest candidates kept per line. */
  perLine: 5,
  /** Where the edge is expected (mm outwards of the mesh oval) and how loosely (Gaussian, mm). */
  expectMm: 2,
  priorMm: 5,
  /** Cost of the path's distance from the oval changing between neighbouring lines (per mm², per line) and its cap. */
  bend: 2,
  maxBend: 20,
  /** Cost of each line passed over, and of the step's direction changing along the path. */
  skip: 0.3,
  flip: 0.3,
  /** Lines at most passed over in one go, plus one. */
  maxGap: 4,
} as const;

interface Candidate {
  /** Distance outwards of the mesh oval (mm). */
  outMm: number;
  /** The step's size relative to a clear edge's (at most 1.5), weighted by where it is expected. */
  strength: number;
  /** Which way the lightness steps going inwards. */
  sign: number;
}

/** The traced side at one height: how far outwards of the mesh oval (mm) and how clear the path is there (0–1). */
export interface TracedPoint {
  outMm: number;
  confidence: number;
  /**
   * How much better the path scores than the best one crossing the line (or a neighbour) more than `RIVAL_MM` from
   * it (Infinity with none): near 0, two edges are about equally clear. In units of a clear step on one line.
   */
  margin: number;
}

/** A rival path is one that crosses the read line this far (mm) or more from the path taken. */
export const RIVAL_MM = 2;

/**
 * The curve through `points` ([u, value] pairs): its value at u, linear between them in order of u and level beyond
 * the ends. How a trace follows the mesh's oval between its points; sorted once, read on every line.
 */
export function curveThrough(points: readonly Point2[]): (u: number) => number {
  const sorted = [...points].sort((a, b) => a[0] - b[0]);
  const first = sorted[0] as Point2, last = sorted[sorted.length - 1] as Point2;
  return (u) => {
    if (u <= first[0]) return first[1];
    for (let k = 1; k < sorted.length; k++) {
      const a = sorted[k - 1] as Point2, b = sorted[k] as Point2;
      if (u <= b[0]) return b[0] > a[0] ? a[1] + ((b[1] - a[1]) * (u - a[0])) / (b[0] - a[0]) : b[1];
    }
    return last[1];
  };
}

/** The mesh oval on one side: its x (frame px) at height y. */
export function sideOval(frame: Frame, side: 'right' | 'left'): (y: number) => number {
  return curveThrough(RIGHT_OVAL.map((i) => frame.at(side === 'left' ? mirrorIndex(i) : i)).map(([x, y]) => [y, x]));
}

/** One line of a trace: where its guide point is (frame px) and which way is outwards (a unit vector, frame). */
export interface TraceLine {
  base: Point2;
  out: Point2;
}

/** How a trace searches its lines: reach outwards and inwards of the guide (mm), where the edge is expected and how loosely, and (`sign`) only steps that way going inwards. */
export interface TraceReach {
  outerMm: number;
  innerMm: number;
  expectMm: number;
  priorMm: number;
  sign?: 1 | -1;
  /** What steps (default L*, read fast with `lightnessAt`): a lip's border is a step in redness as well. */
  feature?: (lab: [number, number, number]) => number;
}

/** The steps in lightness (or `reach.feature`) along one line, strongest first. */
function candidatesOn(image: RgbImage, frame: Frame, line: TraceLine, reach: TraceReach, mmPerPx: number): Candidate[] {
  const start: Point2 = [line.base[0] + (line.out[0] * reach.outerMm) / mmPerPx, line.base[1] + (line.out[1] * reach.outerMm) / mmPerPx];
  const inwards: Point2 = [-line.out[0], -line.out[1]];
  const length = (reach.outerMm + reach.innerMm) / mmPerPx;
  // L* alone is read with the faster `lightnessAt`; any other feature from the full L*a*b* sample.
  const profile = profileAlong(image, frame, start, inwards, length, { feature: reach.feature ?? ((lab) => lab[0]), bandMm: 0.5, smoothMm: 0.35 }, mmPerPx, reach.feature ? undefined : lightnessAt);
  const n = profile.length;
  const h = Math.max(1, Math.round((0.5 / mmPerPx) * PER_PX));
  const step = new Float64Array(n);
  for (let k = h; k < n - h; k++) step[k] = (profile[k + h] as number) - (profile[k - h] as number);
  const found: Candidate[] = [];
  for (let k = h + 1; k < n - h - 1; k++) {
    const size = Math.abs(step[k] as number);
    if (size < TRACE.minStep * TRACE.clearStep || size < Math.abs(step[k - 1] as number) || size < Math.abs(step[k + 1] as number)) continue;
    const sign = Math.sign(step[k] as number);
    if (reach.sign !== undefined && sign !== reach.sign) continue;
    const outMm = reach.outerMm - (k / PER_PX) * mmPerPx;
    const expected = Math.exp(-0.5 * ((outMm - reach.expectMm) / reach.priorMm) ** 2);
    found.push({ outMm, strength: Math.min(1.5, size / TRACE.clearStep) * expected, sign });
  }
  return found.sort((a, b) => b.strength - a.strength).slice(0, TRACE.perLine);
}

/** What it costs a path to go from candidate `p` to `c`, `gap` lines further on: the bend, the lines passed over and a change of direction. */
function link(p: Candidate, c: Candidate, gap: number): number {
  const bend = Math.min(TRACE.maxBend, (TRACE.bend * (c.outMm - p.outMm) ** 2) / gap);
  return bend + TRACE.skip * (gap - 1) + (c.sign !== p.sign ? TRACE.flip : 0);
}

/**
 * The best path across `lines` (about 1 mm apart, in order), and a reader of it at line `i`: the path's mean
 * distance outwards of the guide over that line and its neighbours, and the mean strength of its five lines there
 * (a line passed over counts as none), and its `margin` over the best rival path there. Null when no line has a step.
 */
export function tracePath(image: RgbImage, frame: Frame, lines: readonly TraceLine[], reach: TraceReach, mmPerPx: number): ((i: number) => TracedPoint) | null {
  const candidates = lines.map((line) => candidatesOn(image, frame, line, reach, mmPerPx));
  // best[i][c]: the best score of a path ending at candidate c of line i; from[i][c]: the candidate before it.
  const best = candidates.map((line) => line.map(() => -Infinity));
  const from: ([number, number] | null)[][] = candidates.map((line) => line.map(() => null));
  candidates.forEach((line, i) =>
    line.forEach((c, ci) => {
      let score = c.strength - TRACE.skip * i;
      let previous: [number, number] | null = null;
      for (let j = Math.max(0, i - TRACE.maxGap); j < i; j++) {
        (candidates[j] as Candidate[]).forEach((p, pi) => {
          const s = ((best[j] as number[])[pi] as number) + c.strength - link(p, c, i - j);
          if (s > score) [score, previous] = [s, [j, pi]];
        });
      }
      (best[i] as number[])[ci] = score;
      (from[i] as ([number, number] | null)[])[ci] = previous;
    }),
  );
  // The path may end before the last line, paying for the lines after it.
  let end: [number, number] | null = null, top = -Infinity;
  candidates.forEach((line, i) =>
    line.forEach((_, ci) => {
      const s = ((best[i] as number[])[ci] as number) - TRACE.skip * (candidates.length - 1 - i);
      if (s > top) [top, end] = [s, [i, ci]];
    }),
  );
  if (!end) return null;
  const path = new Map<number, Candidate>();
  for (let at: [number, number] | null = end; at; at = (from[at[0]] as ([number, number] | null)[])[at[1]] ?? null) path.set(at[0], (candidates[at[0]] as Candidate[])[at[1]] as Candidate);
  // after[i][c]: the best score of the rest of a path from candidate c of line i (the same costs, run backwards), so
  // best + after is the best whole path through c.
  const last = candidates.length - 1;
  const after = candidates.map((line) => line.map(() => -Infinity));
  for (let i = last; i >= 0; i--) {
    (candidates[i] as Candidate[]).forEach((c, ci) => {
      let score = -TRACE.skip * (last - i);
      for (let j = i + 1; j <= Math.min(last, i + TRACE.maxGap); j++) {
        (candidates[j] as Candidate[]).forEach((d, di) => {
          score = Math.max(score, ((after[j] as number[])[di] as number) + d.strength - link(c, d, j - i));
        });
      }
      (after[i] as number[])[ci] = score;
    });
  }
  return (i) => {
    const near = (reach: number): Candidate[] => [...path.entries()].filter(([k]) => Math.abs(k - i) <= reach).map(([, c]) => c);
    const here = near(1);
    if (here.length === 0) return { outMm: NaN, confidence: 0, margin: 0 };
    const outMm = here.reduce((s, c) => s + c.outMm, 0) / here.length;
    let rival = -Infinity;
    for (let k = Math.max(0, i - 1); k <= Math.min(last, i + 1); k++) {
      (candidates[k] as Candidate[]).forEach((c, ci) => {
        if (Math.abs(c.outMm - outMm) > RIVAL_MM) rival = Math.max(rival, ((best[k] as number[])[ci] as number) + ((after[k] as number[])[ci] as number));
      });
    }
    return { outMm, confidence: near(2).reduce((s, c) => s + Math.min(1, c.strength), 0) / 5, margin: top - rival };
  };
}

/** Where the sides' lines reach (`TRACE`'s). */
const SIDE_REACH: TraceReach = { outerMm: TRACE.outerMm, innerMm: TRACE.innerMm, expectMm: TRACE.expectMm, priorMm: TRACE.priorMm };

/**
 * One side of the face traced on horizontal lines from above `cheekY` to below `jawY` (frame px), guided by the
 * mesh's face oval (`oval`: `sideOval` of the frame's landmarks, 478, ideally steady), and read at both heights
 * (`tracePath`).
 */
export function traceSide(image: RgbImage, frame: Frame, side: 'right' | 'left', oval: (y: number) => number, cheekY: number, jawY: number, mmPerPx: number): { cheek: TracedPoint; jaw: TracedPoint } | null {
  // Lines about 1 mm apart with one exactly at each height: rounded to a 1 mm grid from the top, a height fell up to
  // half a line off, and at the jaw angle, where the outline turns, that is up to 0.75 mm of width.
  const between = Math.max(1, Math.round((jawY - cheekY) * mmPerPx));
  const step = (jawY - cheekY) / between;
  const above = Math.round(TRACE.aboveMm / (step * mmPerPx)), below = Math.round(TRACE.belowMm / (step * mmPerPx));
  const lines: TraceLine[] = [];
  for (let k = -above; k <= between + below; k++) {
    const y = cheekY + k * step;
    lines.push({ base: [oval(y), y], out: [side === 'right' ? -1 : 1, 0] });
  }
  const read = tracePath(image, frame, lines, SIDE_REACH, mmPerPx);
  return read && { cheek: read(above), jaw: read(above + between) };
}
