/**
 * From raw skin indicators (vision's skin.ts) to 0–4 severity estimates per zone, through an explicit
 * calibration table. The table is plain data so a practice can replace it with one fitted to its own
 * clinicians' grades; `estimateSeverity` only interpolates it.
 *
 * DEFAULT_SEVERITY_TABLE is NOT fitted to clinical grades: no graded photos were available. Its anchors come
 * from the distribution of each indicator over the 102 neutral London portraits (adults 18–60s, studio light,
 * frontal, at rest): the 5th percentile maps to 0.5 and the 95th to 3.5, linearly between and extended with the
 * same slope beyond (clamped to 0–4). It therefore ranks a face within that population, and says so in every
 * scale label ("AI photo estimate"). Figures: docs/validation.md, "Skin indicators".
 */
import type { ZoneId, ZoneIndicators } from './face-analysis.js';

export type IndicatorName = keyof ZoneIndicators;
/** Lines are graded at rest or in motion (the toxin scales grade both). */
export type ExpressionState = 'rest' | 'dynamic';

export interface IndicatorCalibration {
  indicator: IndicatorName;
  /** Share of the zone's estimate (weights of a zone add up to 1). */
  weight: number;
  /** [raw value, severity] pairs, raw ascending; linear between, extended with the end segments' slopes. */
  anchors: [number, number][];
}

export interface SeverityCalibration {
  /** The clinical scale family the estimate corresponds to, e.g. "Glabellar lines, AI photo estimate, 0–4". */
  scale: string;
  /** Anything a clinician reading the figure should know (e.g. a scale published on another range). */
  note?: string;
  /** The photos the anchors were set on. */
  calibratedOn: { view: string; expression: ExpressionState; source: string };
  indicators: IndicatorCalibration[];
  /**
   * Analysed area, in canonical grid pixels (200 per inter-pupil distance, ≈ 0.1 mm² each), under which the
   * confidence falls: a small zone has few pixels to average, so its figures are noisier.
   */
  minPixels: number;
}

export type SeverityTable = Partial<Record<ZoneId, SeverityCalibration>>;

export interface SeverityEstimate {
  /** 0–4, or null when the zone has no calibrated indicator or its indicators are missing. */
  severity: number | null;
  /** 0–1. */
  confidence: number;
  scale: string | null;
  note?: string;
  calibratedOn?: SeverityCalibration['calibratedOn'];
}

export interface SeverityContext {
  /** Analysed area of the zone in canonical grid pixels (see SeverityCalibration.minPixels). */
  pixels?: number;
  /** The view and expression of the photo being graded; a mismatch with the calibration lowers confidence. */
  view?: string;
  expression?: ExpressionState;
}

const LONDON = 'Face Research Lab London Set, 102 neutral portraits: P5 → 0.5, P95 → 3.5 (docs/validation.md)';
const REST = { view: 'frontal', expression: 'rest', source: LONDON } as const;

/** Two anchors: the London 5th and 95th percentiles of the indicator. */
const spread = (p5: number, p95: number): [number, number][] => [
  [p5, 0.5],
  [p95, 3.5],
];

/**
 * The default table. Zones without an entry (brow, nose, lips, chin, jawline) have no skin indicator that
 * corresponds to their clinical scales (those grade position, fullness or projection: geometry, not skin).
 * Redness and pigment are reported raw: no validated photonumeric 0–4 scale for them is in the reference.
 * The temple has a shadow indicator but no entry yet: on the London set its zone is mostly hair or backdrop
 * (median shadow 0.86, i.e. 86 % darker than the forehead), so a temple estimate would grade hair. Add it once
 * the zone excludes hair, or from a practice's own graded photos (Allergan Temple Hollowing Scale, 0–4).
 */
export const DEFAULT_SEVERITY_TABLE: SeverityTable = {
  forehead: {
    scale: 'Forehead lines, AI photo estimate, 0–4',
    note: 'Graded at rest; forehead-line scales also grade raised brows (dynamic view).',
    calibratedOn: REST,
    indicators: [{ indicator: 'lines', weight: 1, anchors: spread(0.666, 4.053) }],
    minPixels: 2000,
  },
  glabella: {
    scale: 'Glabellar lines, AI photo estimate, 0–4',
    note: 'Graded at rest; toxin scales also grade at maximum frown (dynamic view).',
    calibratedOn: REST,
    indicators: [{ indicator: 'lines', weight: 1, anchors: spread(0.652, 3.584) }],
    minPixels: 800,
  },
  crows_feet: {
    scale: "Lateral canthal lines (crow's feet), AI photo estimate, 0–4",
    note: 'Graded at rest; crow’s-feet scales also grade at maximum smile (dynamic view).',
    calibratedOn: REST,
    indicators: [{ indicator: 'lines', weight: 1, anchors: spread(0.984, 4.811) }],
    minPixels: 800,
  },
  tear_trough: {
    scale: 'Infraorbital hollows, AI photo estimate, 0–4',
    note: 'From the shadow of the hollow against the cheek below; frontal lighting only.',
    calibratedOn: REST,
    indicators: [{ indicator: 'shadow', weight: 1, anchors: spread(-0.281, 0.367) }],
    minPixels: 800,
  },
  nasolabial: {
    scale: 'Nasolabial folds, AI photo estimate, 0–4',
    note: 'Uses the 0–4 convention of the Allergan and Merz NLF scales; the WSRS is 1–5 (WSRS ≈ estimate + 1).',
    calibratedOn: REST,
    indicators: [
      { indicator: 'shadow', weight: 0.6, anchors: spread(-0.261, 0.216) },
      { indicator: 'lines', weight: 0.4, anchors: spread(0.549, 3.454) },
    ],
    minPixels: 1500,
  },
  marionette: {
    scale: 'Marionette lines, AI photo estimate, 0–4',
    calibratedOn: REST,
    indicators: [
      { indicator: 'shadow', weight: 0.6, anchors: spread(-0.011, 0.496) },
      { indicator: 'lines', weight: 0.4, anchors: spread(0.631, 3.036) },
    ],
    minPixels: 1500,
  },
  perioral: {
    scale: 'Perioral lines, AI photo estimate, 0–4',
    note: 'Graded at rest; perioral scales also grade lip pucker (dynamic view).',
    calibratedOn: REST,
    indicators: [{ indicator: 'lines', weight: 1, anchors: spread(1.087, 7.373) }],
    minPixels: 1500,
  },
  cheek: {
    scale: 'Cheek skin roughness, AI photo estimate, 0–4',
    note: 'Surface roughness (cf. Allergan Cheek Smoothness / Skin Roughness scales), not midface volume (MFVDS is 0–5 and needs oblique views).',
    calibratedOn: REST,
    indicators: [{ indicator: 'texture', weight: 1, anchors: spread(1.523, 4.343) }],
    minPixels: 3000,
  },
  neck: {
    scale: 'Transverse neck lines, AI photo estimate, 0–4',
    note: 'Often shadowed by the jaw in frontal photos.',
    calibratedOn: REST,
    indicators: [{ indicator: 'lines', weight: 1, anchors: spread(1.621, 5.394) }],
    minPixels: 3000,
  },
};

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** Piecewise-linear interpolation through the anchors, extended beyond both ends with the end slopes. */
export function interpolateAnchors(anchors: readonly [number, number][], raw: number): number {
  if (anchors.length === 0) return NaN;
  if (anchors.length === 1) return (anchors[0] as [number, number])[1];
  let i = 1;
  while (i < anchors.length - 1 && raw > (anchors[i] as [number, number])[0]) i++;
  const [x0, y0] = anchors[i - 1] as [number, number];
  const [x1, y1] = anchors[i] as [number, number];
  return x1 === x0 ? y1 : y0 + ((raw - x0) * (y1 - y0)) / (x1 - x0);
}

/**
 * How much to trust a raw value's place on the anchors: full trust in the middle 80 % of the calibrated
 * range, falling to 0.6 at its ends (where the population thins out and one noisy photo moves the grade most)
 * and to 0.4 once extrapolated a whole range beyond, where the table has never seen a face.
 */
function rangeTrust(anchors: readonly [number, number][], raw: number): number {
  const lo = (anchors[0] as [number, number])[0];
  const hi = (anchors[anchors.length - 1] as [number, number])[0];
  if (!(hi > lo)) return 0.5;
  const t = (raw - lo) / (hi - lo);
  if (t >= 0.1 && t <= 0.9) return 1;
  if (t >= 0 && t <= 1) return 0.6 + 0.4 * (t < 0.1 ? t / 0.1 : (1 - t) / 0.1);
  const beyond = t < 0 ? -t : t - 1;
  return 0.6 - 0.2 * clamp(beyond, 0, 1);
}

/** Base confidence of an estimate not fitted to clinicians' grades (population-ranked anchors only). */
const BASE_CONFIDENCE = 0.8;

/**
 * The 0–4 estimate of one zone from its raw indicators, through `table`. Confidence multiplies: the base,
 * the worst indicator's range trust, the zone's size (√(pixels / minPixels), capped at 1), ×0.6 when the
 * photo's expression differs from the calibration's and ×0.5 when its view does.
 */
export function estimateSeverity(
  zoneId: ZoneId,
  indicators: ZoneIndicators,
  table: SeverityTable = DEFAULT_SEVERITY_TABLE,
  context: SeverityContext = {},
): SeverityEstimate {
  const entry = table[zoneId];
  if (!entry) return { severity: null, confidence: 0, scale: null };
  let sum = 0, weights = 0, trust = 1;
  for (const c of entry.indicators) {
    const raw = indicators[c.indicator];
    if (raw === undefined || !Number.isFinite(raw) || c.anchors.length === 0) continue;
    sum += c.weight * clamp(interpolateAnchors(c.anchors, raw), 0, 4);
    weights += c.weight;
    trust = Math.min(trust, rangeTrust(c.anchors, raw));
  }
  const label = { scale: entry.scale, calibratedOn: entry.calibratedOn, ...(entry.note ? { note: entry.note } : {}) };
  if (weights === 0) return { severity: null, confidence: 0, ...label };
  // Missing indicators of a combined estimate lower the confidence by their share.
  const coverage = weights / entry.indicators.reduce((a, c) => a + c.weight, 0);
  const size = context.pixels === undefined ? 1 : clamp(Math.sqrt(context.pixels / entry.minPixels), 0, 1);
  const expression = context.expression && context.expression !== entry.calibratedOn.expression ? 0.6 : 1;
  const view = context.view && context.view !== entry.calibratedOn.view ? 0.5 : 1;
  const confidence = BASE_CONFIDENCE * trust * coverage * size * expression * view;
  return { severity: Math.round((sum / weights) * 100) / 100, confidence: Math.round(confidence * 100) / 100, ...label };
}

/** `estimateSeverity` bound to a table, in the shape vision's `zoneFindings` takes. */
export const severityEstimator =
  (table: SeverityTable = DEFAULT_SEVERITY_TABLE) =>
  (zoneId: ZoneId, indicators: ZoneIndicators, context: SeverityContext): SeverityEstimate =>
    estimateSeverity(zoneId, indicators, table, context);
