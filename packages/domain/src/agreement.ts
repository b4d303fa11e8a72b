/**
 * Agreement between two raters on an ordinal scale (e.g. the AI's 0–4 severity estimate and a clinician's
 * grade): Cohen's kappa with quadratic weights (Cohen 1968; Fleiss & Cohen 1973). A disagreement of d grades
 * costs (d / (k − 1))², so near misses count far less than grades at opposite ends of the scale.
 *
 *   κ = 1 − Σ w·O / Σ w·E,   O: observed proportions, E: products of the two raters' marginal proportions.
 *
 * 1 is perfect agreement, 0 is what chance alone gives, below 0 is systematic disagreement.
 */

/**
 * Quadratic-weighted kappa over `[rater A, rater B]` pairs of integer grades 0…categories − 1.
 * Null when there are fewer than 2 pairs, or neither rater's grades vary (agreement beyond chance
 * cannot be estimated then). Throws a RangeError for a grade outside the scale.
 */
export function weightedKappa(pairs: [number, number][], categories = 5): number | null {
  if (!Number.isInteger(categories) || categories < 2) throw new RangeError('weightedKappa needs at least 2 categories');
  for (const [a, b] of pairs) {
    for (const grade of [a, b]) {
      if (!Number.isInteger(grade) || grade < 0 || grade >= categories) throw new RangeError(`grade ${grade} is not an integer from 0 to ${categories - 1}`);
    }
  }
  const n = pairs.length;
  if (n < 2) return null;
  const first = pairs[0] as [number, number];
  if (pairs.every(([a, b]) => a === first[0] && b === first[1])) return null;

  const observed = Array.from({ length: categories }, () => new Array<number>(categories).fill(0));
  const rowTotals = new Array<number>(categories).fill(0);
  const columnTotals = new Array<number>(categories).fill(0);
  for (const [a, b] of pairs) {
    (observed[a] as number[])[b] = ((observed[a] as number[])[b] ?? 0) + 1;
    rowTotals[a] = (rowTotals[a] ?? 0) + 1;
    columnTotals[b] = (columnTotals[b] ?? 0) + 1;
  }
  const span = (categories - 1) ** 2;
  let observedDisagreement = 0;
  let expectedDisagreement = 0;
  for (let i = 0; i < categories; i++) {
    for (let j = 0; j < categories; j++) {
      const weight = (i - j) ** 2 / span;
      observedDisagreement += (weight * ((observed[i] as number[])[j] ?? 0)) / n;
      expectedDisagreement += (weight * (rowTotals[i] ?? 0) * (columnTotals[j] ?? 0)) / (n * n);
    }
  }
  if (expectedDisagreement === 0) return null;
  return 1 - observedDisagreement / expectedDisagreement;
}
