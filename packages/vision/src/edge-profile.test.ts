import { describe, expect, it } from 'vitest';
import { fitAcross, type LineEdge } from './edge-profile.js';

const lines = (pos: (at: number) => number, confidence = 1): LineEdge[] => [-2, -1, 0, 1, 2].map((at) => ({ at, pos: pos(at), confidence }));

describe('one edge from parallel search lines (fitAcross)', () => {
  it('reads a sloping edge at the centre line, and outvotes one stray edge', () => {
    expect(fitAcross(lines((at) => 3 - 0.9 * at), 0.3, 3, 0.5)).toEqual({ pos: 3, confidence: 1, used: true });
    const stray = lines((at) => 3 - 0.9 * at);
    stray[4] = { at: 2, pos: 9, confidence: 1 };
    const fit = fitAcross(stray, 0.3, 3, 0.5);
    expect(fit.used).toBe(true);
    expect(fit.pos).toBeCloseTo(3, 9);
  });

  it('leaves alone three clear lines on two edges: a line through three points fits two of them exactly', () => {
    // Two lines on an edge 7 mm out, one on an edge 1 mm out, two faint: a fit would read 3 mm, between the two.
    const two: (LineEdge | null)[] = [{ at: -2, pos: 7, confidence: 1 }, { at: -1, pos: 7, confidence: 1 }, { at: 0, pos: 4, confidence: 0.1 }, { at: 1, pos: 1, confidence: 1 }, null];
    const fit = fitAcross(two, 0.3, 3, 0.5);
    expect(fit.pos).toBeCloseTo(3, 9);
    expect(fit.used).toBe(false);
  });

  it('leaves alone an edge the lines disagree on, and one too few lines find clearly', () => {
    const scattered = fitAcross(lines((at) => [2, 0, 4, 1, 3][at + 2]!), 0.3, 3, 0.5);
    expect(scattered.used).toBe(false);
    expect(Number.isFinite(scattered.pos)).toBe(true);
    const faint = [...lines(() => 1, 0.2).slice(0, 3), null, { at: 2, pos: 1, confidence: 0.9 }];
    const none = fitAcross(faint, 0.3, 3, 0.5);
    expect(none.used).toBe(false);
    expect(none.pos).toBeNaN();
    expect(none.confidence).toBeCloseTo((3 * 0.2 + 0.9) / 5, 9);
  });
});
