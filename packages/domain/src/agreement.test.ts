import { describe, expect, it } from 'vitest';
import { weightedKappa } from './agreement.js';

describe('weightedKappa (quadratic weights)', () => {
  it('is 1 for perfect agreement', () => {
    expect(weightedKappa([[0, 0], [1, 1], [2, 2], [3, 3], [4, 4]])).toBe(1);
    expect(weightedKappa([[2, 2], [3, 3]])).toBe(1);
  });

  it('is negative for systematic disagreement (-1 for a perfect reversal)', () => {
    // A = 0,4,1,3 and B = 4,0,3,1: means 2 and 2, covariance −2.5, variances 2.5 and 2.5 → 2·(−2.5) / 5 = −1.
    expect(weightedKappa([[0, 4], [4, 0], [1, 3], [3, 1]])).toBeCloseTo(-1, 12);
    expect(weightedKappa([[0, 3], [1, 2], [2, 1], [3, 0], [2, 2]]) as number).toBeLessThan(0);
  });

  it('matches a hand-computed 3-category example', () => {
    // Pairs (0,0) (0,1) (1,1) (2,1) (2,2); weights (i − j)² / 4.
    // Observed disagreement: (0,1) and (2,1), 0.25 each → 0.5 / 5 = 0.1.
    // Marginals A = 2,1,2 and B = 1,3,1; expected disagreement (counts): (0,1) 1.2·0.25 + (0,2) 0.4·1 + (1,0) 0.2·0.25
    //   + (1,2) 0.2·0.25 + (2,0) 0.4·1 + (2,1) 1.2·0.25 = 1.5 → 1.5 / 5 = 0.3.  κ = 1 − 0.1 / 0.3 = 2/3.
    // (Same as the correlation form 2·cov / (var A + var B + (mean A − mean B)²) = 0.8 / 1.2.)
    expect(weightedKappa([[0, 0], [0, 1], [1, 1], [2, 1], [2, 2]], 3)).toBeCloseTo(2 / 3, 12);
  });

  it('matches a worked 5-category example (two raters, ten subjects), by the correlation form', () => {
    // A = 0,1,1,2,2,2,3,3,4,4 and B = 0,1,2,2,2,3,3,4,3,4: mean A 2.2, mean B 2.4,
    // cov = Σ(a − 2.2)(b − 2.4)/10 = 13.2/10 = 1.32, var A = 1.56, var B = 1.44.
    // κ = 2·1.32 / (1.56 + 1.44 + 0.2²) = 2.64 / 3.04 = 0.868421…
    const pairs: [number, number][] = [[0, 0], [1, 1], [1, 2], [2, 2], [2, 2], [2, 3], [3, 3], [3, 4], [4, 3], [4, 4]];
    expect(weightedKappa(pairs)).toBeCloseTo(2.64 / 3.04, 12);
  });

  it('is 0 when one rater is constant and the other varies (no agreement beyond chance)', () => {
    expect(weightedKappa([[2, 0], [2, 1], [2, 4]])).toBeCloseTo(0, 12);
  });

  it('is null with fewer than 2 pairs or when neither rater varies', () => {
    expect(weightedKappa([])).toBeNull();
    expect(weightedKappa([[1, 1]])).toBeNull();
    expect(weightedKappa([[2, 2], [2, 2], [2, 2]])).toBeNull();
    expect(weightedKappa([[1, 3], [1, 3]])).toBeNull();
  });

  it('refuses grades outside the scale', () => {
    expect(() => weightedKappa([[0, 5], [1, 1]])).toThrow(RangeError);
    expect(() => weightedKappa([[0.5, 1], [1, 1]])).toThrow(RangeError);
    expect(() => weightedKappa([[-1, 1], [1, 1]])).toThrow(RangeError);
    expect(() => weightedKappa([[0, 0], [1, 1]], 1)).toThrow(RangeError);
  });
});
