/**
 * Facial analysis results, shared by the geometry (scale, measurements, symmetry, zone map) and the skin
 * indicators. Every figure has a unit, a method and, where it is an estimate, an uncertainty; AI
 * estimates say so in their labels. Ranges are descriptive population figures from the reference, never
 * "ideals".
 */

export type Side = 'right' | 'left' | 'centre';

export interface PixelScale {
  /** Millimetres per image pixel at the face. */
  mmPerPx: number;
  method: string;
  /** Relative uncertainty of mmPerPx (0.05 = ±5%). */
  uncertainty: number;
  irisDiameterPx: { right: number; left: number };
}

export interface PopulationRange {
  low: number;
  high: number;
  /** Who was measured, and where the figure comes from. */
  source: string;
}

export interface Measurement {
  id: string;
  label: string;
  value: number;
  unit: 'mm' | 'ratio' | 'deg';
  side?: 'right' | 'left';
  method: string;
  /** For mm values: ± in mm from the scale's uncertainty. */
  uncertainty?: number;
  range?: PopulationRange;
  /**
   * Set where an edge this figure is measured on (the face outline, the lips' borders and meeting line) is not clearly
   * seen in this photo (a beard over the chin, an ear beside the cheekbone, a faint lip border): why, and what stood in
   * for it. The figure is then an estimate, and a change in it between two photos may be the edge's, not the face's.
   */
  unclearEdge?: string;
}

/** A figure that could not be measured from these photos, and why; never guessed. */
export interface NotMeasurable {
  id: string;
  label: string;
  reason: string;
}

export const ZONE_IDS = [
  'forehead',
  'glabella',
  'temple',
  'brow',
  'crows_feet',
  'tear_trough',
  'cheek',
  'nasolabial',
  'nose',
  'upper_lip',
  'lower_lip',
  'perioral',
  'marionette',
  'chin',
  'jawline',
  'neck',
] as const;
export type ZoneId = (typeof ZONE_IDS)[number];

export interface ZoneShape {
  id: ZoneId;
  side: Side;
  /** Image-pixel polygon, in order. */
  polygon: [number, number][];
}

/** Raw per-zone indicators measured from the pixels (unitless, documented in docs/validation.md). */
export interface ZoneIndicators {
  lines?: number;
  shadow?: number;
  texture?: number;
  redness?: number;
  pigment?: number;
}

export interface ZoneFinding extends ZoneShape {
  indicators: ZoneIndicators;
  /** 0–4 AI photo estimate, or null when the zone has no calibrated indicator. */
  severity: number | null;
  /** 0–1. */
  confidence: number;
  /** The clinical scale family the estimate corresponds to, e.g. "Glabellar lines, AI photo estimate, 0–4". */
  scale: string | null;
  /** The view and expression the estimate came from. */
  view: string;
  expression: 'rest' | 'dynamic';
}
