/**
 * Dose → effect for outcome simulation (issue 6): what a plan item is expected to change on the face, in
 * physical units a photo can show (mm of vermilion height, mm of contour, 0–4 grade points, fractions of a
 * skin indicator), for three variants: conservative ≤ expected ≤ upper (in magnitude, always).
 *
 * Every figure below is a PRIOR, not a promise: published numbers from the clinical reference
 * (/work/shared/reference/clinical-and-market-reference.md §4 doses, §5 dose-response anchors) where they
 * exist, and where they do not, a stated assumption marked [EST] with what it rests on. Each change carries
 * its derivation as text (`prior`), and is bounded by a clinician-set maximum change per zone (§5.2 "Clinician
 * bounds": a practitioner-defined max achievable change per area, outputs clamped).
 *
 * The time point is the review 2–4 weeks after treatment, when swelling has settled and toxins have reached
 * their peak (§4.1 pharmacodynamics: peak 1 week – 1 month), except masseter slimming, which peaks at 3 months
 * (§5.1, Xie). Pure: no I/O, no image; the photo's own lip size can be passed in (`baseline`).
 */
import type { Side, ZoneId } from './face-analysis.js';
import { faceFrame } from './face-frame.js';
import { isPairedZone } from './face-zones.js';
import { MESH, type Point3 } from './face-mesh.js';
import type { DoseUnit, TreatmentClass } from './treatment-plan.js';

export const SIMULATION_VARIANTS = ['conservative', 'expected', 'upper'] as const;
export type SimulationVariant = (typeof SIMULATION_VARIANTS)[number];

/** One plan item as the simulation sees it: independent of any catalogue (map a product to its class first). */
export interface DoseItem {
  zoneId: ZoneId;
  /**
   * For zones mapped per side (cheek, crow's feet, …): 'right' or 'left' treats that side; absent or 'centre'
   * treats both sides, with injected amounts (U, mL) split equally and sessions applying to both in full.
   * Midline zones are always 'centre'.
   */
  side?: Side;
  treatmentClass: TreatmentClass;
  amount: number;
  unit: DoseUnit;
  /**
   * Toxins only: onabotulinumtoxinA-equivalent units per unit of this product (1 for ona, inco, prabo, leti;
   * 0.4 for abobotulinum). Units of different brands are never interchangeable (§4.1); the toxin priors below
   * are in ona units, so a product's units are converted explicitly here, never silently. Default 1.
   */
  onaEquivalentPerUnit?: number;
}

/** What changes. */
export type SimulationEffect =
  | 'vermilion_height' // mm, lips: height of the red lip at the midline
  | 'border_definition' // ratio, lips: contrast across the vermilion border
  | 'projection' // mm, cheek: forward projection at the malar apex (seen in the shading, not in a frontal outline)
  | 'lift' // mm, cheek: upward shift of the malar soft tissue
  | 'lateral_contour' // mm, cheek: the face outline at the cheekbone, outwards
  | 'chin_length' // mm, chin: menton lower, as seen frontally
  | 'jaw_contour' // mm, jawline: outline at the jaw angle, outwards (+, filler) or inwards (−, masseter toxin)
  | 'jawline_definition' // ratio, jawline: contrast along the mandibular border
  | 'jowl_softening' // ratio, jawline: mid-scale shadow along the jaw
  | 'hollow' // grade, tear trough (Infraorbital hollows estimate)
  | 'fold' // grade, nasolabial / marionette
  | 'lines' // grade, lines at rest
  | 'texture' // ratio, skin roughness indicator
  | 'tone'; // ratio, pigment unevenness indicator

export type ChangeKind = 'mm' | 'grade' | 'ratio';

export interface IntendedChange {
  zoneId: ZoneId;
  side: Side;
  effect: SimulationEffect;
  /**
   * The measurement that shows the change: a landmark measurement of SIMULATION_MEASUREMENTS (mm), the zone's
   * 0–4 AI photo estimate (`severity:<zone>`, grade), or a raw skin indicator (`indicator:<name>`, ratio).
   * Absent when no frontal measurement shows it (cheek projection, lift; border definition is `edge_contrast`).
   */
  measurementId?: string;
  kind: ChangeKind;
  /**
   * Signed change of the measurement: mm (+ larger), grade points (− = improvement), or a fraction of the
   * indicator (−0.2 = 20 % lower; + for contrast gains).
   */
  amount: number;
  /** How the figure was derived, citing the reference. */
  prior: string;
  clampedBy?: 'clinician-max';
  /** The prior's figure before the clinician's maximum, when clamped. */
  unclampedAmount?: number;
  /** Indices of the plan items behind this change. */
  items: number[];
}

/** Most change a clinician allows in one zone, per kind (magnitudes). */
export interface ZoneLimit {
  mm?: number;
  grade?: number;
  ratio?: number;
}

/**
 * Defaults a clinic may override per zone. Grades: 2 points, the toxin label responder definition (≥ 2-grade
 * improvement, §2) and more than one visit delivers. Lips: +2 mm upper / +2.5 mm lower vermilion, about a third
 * of an average lip's height (6.6 / 9.6 mm on the London set), beyond which results read as overfilled [EST].
 * Contours: 4 mm for cheek and chin [EST], 5 mm for the jaw, the masseter's measured slimming (−4.2 mm thinning,
 * −5 mm per side from the width ratio) and about the jawline RCT's +4.6 mm prejowl change (§5.1). Skin indicators: half the indicator at most.
 */
export const DEFAULT_MAX_CHANGE: Record<ZoneId, ZoneLimit> = {
  forehead: { grade: 2, ratio: 0.5 },
  glabella: { grade: 2, ratio: 0.5 },
  temple: { grade: 2, ratio: 0.5 },
  brow: { grade: 2, ratio: 0.5 },
  crows_feet: { grade: 2, ratio: 0.5 },
  tear_trough: { grade: 2, ratio: 0.5 },
  cheek: { mm: 4, grade: 2, ratio: 0.5 },
  nasolabial: { grade: 2, ratio: 0.5 },
  nose: { grade: 2, ratio: 0.5 },
  upper_lip: { mm: 2, ratio: 0.3 },
  lower_lip: { mm: 2.5, ratio: 0.3 },
  perioral: { grade: 2, ratio: 0.5 },
  marionette: { grade: 2, ratio: 0.5 },
  chin: { mm: 4, ratio: 0.5 },
  jawline: { mm: 5, ratio: 0.5 },
  neck: { grade: 2, ratio: 0.5 },
};

/** The photo's own lip figures (from the frontal geometry); population means of the London set otherwise. */
export interface FaceBaseline {
  upperVermilionMm?: number;
  lowerVermilionMm?: number;
  mouthWidthMm?: number;
}

/** London set means (docs/validation.md, "Facial geometry"). */
export const POPULATION_BASELINE: Required<FaceBaseline> = { upperVermilionMm: 6.6, lowerVermilionMm: 9.6, mouthWidthMm: 48.7 };

export interface DoseEffectOptions {
  variant: SimulationVariant;
  /** The clinician's maxima per zone; zones and kinds not given use DEFAULT_MAX_CHANGE. */
  maxChangePerZone?: Partial<Record<ZoneId, ZoneLimit>>;
  baseline?: FaceBaseline;
}

// ---------------------------------------------------------------------------------------------------------
// Measurements the simulation promises changes in (frontal, from landmarks, in the face frame: roll removed).

export interface SimulationMeasurement {
  id: string;
  label: string;
  /** Per side (right / left), or one figure for the face. */
  perSide: boolean;
  method: string;
}

export const SIMULATION_MEASUREMENTS: readonly SimulationMeasurement[] = [
  { id: 'upper_vermilion_height', perSide: false, label: 'Upper lip height (vermilion)', method: 'upper vermilion border (0) to the upper lip’s inner edge (13), perpendicular to the inter-pupil line (as face-geometry)' },
  { id: 'lower_vermilion_height', perSide: false, label: 'Lower lip height (vermilion)', method: 'lower lip’s inner edge (14) to the lower vermilion border (17), perpendicular to the inter-pupil line (as face-geometry)' },
  // From the subnasale rather than the lips, so lip filler in the same plan does not change it.
  { id: 'lower_face_height', perSide: false, label: 'Lower face height', method: 'subnasale (2) to menton (152), perpendicular to the inter-pupil line' },
  { id: 'cheek_contour', perSide: true, label: 'Cheek outline from the midline', method: 'zygion (234 right, 454 left) to the upper face’s midline (the pupils’ mid-point and the forehead and nose midline points), along the inter-pupil line' },
  { id: 'jaw_contour', perSide: true, label: 'Jaw angle outline from the midline', method: 'gonion (172 right, 397 left) to the upper face’s midline (the pupils’ mid-point and the forehead and nose midline points), along the inter-pupil line' },
];

/**
 * Midline points from the forehead to the nose tip, which no lower-face treatment moves. With the pupils' mid-point
 * they place the midline the outline half-widths are measured from: the pupils alone shifted sideways by up to
 * 0.4 mm when the face model saw a wider jaw, which read as one side gaining and the other losing.
 */
const UPPER_MIDLINE = [10, 151, 9, 8, 168, 6, 197, 195, 5, 4];

/**
 * A simulation measurement in image pixels (multiply by the photo's mm per px). `side` for per-side figures:
 * half-widths from the upper face's midline (`UPPER_MIDLINE` with the pupils' mid-point, the face frame's origin).
 */
export function simulationMeasurePx(landmarks: readonly Point3[], id: string, side?: 'right' | 'left'): number {
  const frame = faceFrame(landmarks);
  const y = (i: number): number => frame.at(i)[1];
  const x = (i: number): number => frame.at(i)[0];
  switch (id) {
    case 'upper_vermilion_height':
      return y(MESH.stomion) - y(MESH.upperLipTop);
    case 'lower_vermilion_height':
      return y(MESH.lowerLipBottom) - y(MESH.lowerLipInner);
    case 'lower_face_height':
      return y(MESH.chin) - y(MESH.subnasale);
    case 'cheek_contour':
    case 'jaw_contour': {
      // The mean of the ten points' x and the pupils' mid-point's, which is 0 (the frame's origin).
      const midline = UPPER_MIDLINE.reduce((sum, i) => sum + x(i), 0) / (UPPER_MIDLINE.length + 1);
      const [right, left] = id === 'cheek_contour' ? [MESH.rightFaceEdge, MESH.leftFaceEdge] : [MESH.rightJawAngle, MESH.leftJawAngle];
      return side === 'left' ? x(left) - midline : midline - x(right);
    }
    default:
      throw new Error(`Unknown simulation measurement "${id}"`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Priors.

type ByVariant = Record<SimulationVariant, number>;

/**
 * Filler tissue yield at the 2–4 week review: measured volume ÷ injected volume = efficiency E × retention R
 * (§5.2: ΔV_tissue ≈ V × E × R).
 */
const FILLER_YIELD: Record<'lips' | 'dense', { values: ByVariant; source: string }> = {
  lips: {
    // expected: Silk (lips) E 0.56 immediately, 70 % of it at 2 weeks (Percec/Davis PRS 2025, §5.1) = 0.39.
    // conservative: E 0.45 [EST: ~20 % below the study mean] × R 0.63 (4 weeks, interpolated between 70 % at 2
    // weeks and 37.2 % at 12 weeks) = 0.28. upper: E 0.80 [EST: between Silk 0.56 and Restylane-L 1.14] × R 0.80.
    values: { conservative: 0.45 * 0.63, expected: 0.56 * 0.7, upper: 0.8 * 0.8 },
    source: 'lip HA yield E × R at 2–4 weeks: expected 0.56 × 0.70 (Silk, Percec/Davis PRS 2025, ref §5.1); conservative 0.45 × 0.63 (4-week retention interpolated to 37.2 % at 12 weeks) [EST]; upper 0.80 × 0.80 [EST]',
  },
  dense: {
    // expected: Lyft/Voluma class E 1.25 immediately × 89.8 % at 2 weeks (§5.1) = 1.12; conservative: 0.92, the
    // Chinese Voluma RCT's +1.83 mL from a median 2 mL at 6 months (§5.1); upper: 1.25, the immediate figure.
    values: { conservative: 0.92, expected: 1.25 * 0.898, upper: 1.25 },
    source: 'dense HA yield at 2–4 weeks: expected 1.25 × 0.898 (Lyft, Percec/Davis PRS 2025, ref §5.1); conservative 0.92 (Voluma malar +1.83 mL from 2 mL, PMC5444429); upper 1.25 (immediate, swelling included)',
  },
};

/** Saturating dose response: a reference dose gives `atReference`; twice that gives 1.2 × as much; 0 gives 0. */
const emax = (dose: number, referenceDose: number, atReference: number): number => (1.5 * atReference * dose) / (dose + referenceDose / 2);

const LIP_DEPTH_MM = { upper: 8, lower: 9 };

/**
 * Vermilion height gain from a retained volume. The vermilion of one lip is modelled as a body of half-elliptic
 * cross-section (height h × depth p, area π/4·h·p at the midline) tapering parabolically to the mouth corners
 * (mean section ⅔ of the midline's) across the mouth width W [EST: p = 8 mm upper, 9 mm lower, not measured in
 * the reference]. Retained filler grows the section evenly in height and depth (§5.2 "volume → shape"), so
 * h scales by √(1 + ΔV / V).
 */
function vermilionGainMm(retainedMl: number, heightMm: number, depthMm: number, mouthWidthMm: number): { mm: number; fraction: number } {
  const volume = (2 / 3) * (Math.PI / 4) * heightMm * depthMm * mouthWidthMm; // mm³
  const fraction = (retainedMl * 1000) / volume;
  return { mm: heightMm * (Math.sqrt(1 + fraction) - 1), fraction };
}

/** Peak height of a paraboloid dome of `volumeMl` on a round footprint of `radiusMm`: V = ½ π r² H. */
const domeHeightMm = (volumeMl: number, radiusMm: number): number => (2 * volumeMl * 1000) / (Math.PI * radiusMm * radiusMm);

const CHEEK_RADIUS_MM = 15;
const CHIN_RADIUS_MM = 12;
/** Jawline filler as a band along the mandibular border: 50 mm long, 15 mm wide [EST]. */
const JAW_BAND_MM = { length: 50, width: 15 };

/**
 * Toxin reference doses (ona U; per side for paired zones, whose items are dosed per side here) and the grade
 * reduction at rest they give (§5.2: "~1 grade reduction at rest for moderate lines").
 */
const TOXIN_LINES: Partial<Record<ZoneId, { referenceU: number; grades: ByVariant; source: string }>> = {
  glabella: { referenceU: 20, grades: { conservative: 0.7, expected: 1, upper: 1.5 }, source: 'glabella 20 U label dose (§4.1)' },
  forehead: { referenceU: 20, grades: { conservative: 0.7, expected: 1, upper: 1.5 }, source: 'forehead 20 U label dose (§4.1)' },
  crows_feet: { referenceU: 12, grades: { conservative: 0.7, expected: 1, upper: 1.5 }, source: 'crow’s feet 12 U per side label dose (§4.1: 24 U)' },
  perioral: { referenceU: 2.5, grades: { conservative: 0.5, expected: 0.8, upper: 1.2 }, source: 'perioral ~4–6 U in total (§4.2), 2.5 U per side; smaller effect than the upper face [EST]' },
  marionette: { referenceU: 2.5, grades: { conservative: 0.3, expected: 0.5, upper: 0.8 }, source: 'depressor anguli oris 2–3 U per side (§4.2); softens the corners’ pull only, the fold stays [EST]' },
};
const TOXIN_LINES_NOTE =
  '~1 grade reduction at rest for moderate lines at the labelled dose (ref §5.2 [EST]; 76 % rest-line responders after 20 U glabella, Carruthers 2016); conservative 0.7, upper 1.5 (≥ 2-grade responders at maximum frown 0.7–0.8, §5.2); saturating: twice the dose gives 1.2 ×';

/** Filler → 0–4 grade reductions [EST], per side. */
const FILLER_GRADES: Partial<Record<ZoneId, { effect: SimulationEffect; referenceMl: number; grades: ByVariant; source: string }>> = {
  tear_trough: {
    effect: 'hollow',
    referenceMl: 0.75,
    grades: { conservative: 0.6, expected: 1, upper: 1.5 },
    source: 'infraorbital: ~0.75 mL per side (VYC-15L 3D +0.73/+0.78 mL per side, PMC8520027) with 83 % ≥ 1-point responders at month 3 (ref §4.3, §5.1) → 1 grade expected [EST]',
  },
  nasolabial: {
    effect: 'fold',
    referenceMl: 1,
    grades: { conservative: 0.6, expected: 1, upper: 1.5 },
    source: 'fold: 1 grade per 1 mL per side [EST]: the reference has no per-fold volume; the smaller end of its midface prior (~1 grade per 1–3 mL, ref §5.2), a fold being a smaller target',
  },
  marionette: {
    effect: 'fold',
    referenceMl: 1,
    grades: { conservative: 0.6, expected: 1, upper: 1.5 },
    source: 'marionette: 1 grade per 1 mL per side [EST], as for the nasolabial fold (no figure in the reference)',
  },
  perioral: {
    effect: 'lines',
    referenceMl: 0.5,
    grades: { conservative: 0.3, expected: 0.6, upper: 1 },
    source: 'perioral lines with soft HA: 0.6 grade per 0.5 mL per side [EST] (combination study with 1 mL Restylane Silk perioral, ref §4.2; no grade figure in the reference)',
  },
};

/** Skin-quality treatments: fraction of the zone's texture / tone (pigment) indicator removed at a reference dose [EST]. */
const SKIN_QUALITY: Partial<Record<TreatmentClass, { reference: Partial<Record<DoseUnit, number>>; texture: ByVariant; tone?: ByVariant; source: string }>> = {
  skin_booster: {
    reference: { mL: 1, session: 1 },
    texture: { conservative: 0.1, expected: 0.2, upper: 0.3 },
    tone: { conservative: 0.05, expected: 0.1, upper: 0.15 },
    source:
      'skin booster: 56 % ≥ 1-point Allergan Cheek Smoothness responders at 6 months after the label dose per cheek (SkinVive, ref §4.3) → ~0.6 grade, which on Contour’s cheek roughness estimate (1 grade ≈ 0.94 indicator units, London median ≈ 3) is ~20 % of the texture indicator [EST]; tone half of that [EST]',
  },
  biostimulator: {
    reference: { mL: 2, session: 1 },
    texture: { conservative: 0.05, expected: 0.12, upper: 0.2 },
    source: 'biostimulator: texture only, 12 % per session (or 2 mL) [EST: no dose-response in the reference; its volume builds over months and is not simulated]',
  },
  peel: {
    reference: { session: 3 },
    texture: { conservative: 0.1, expected: 0.2, upper: 0.3 },
    tone: { conservative: 0.15, expected: 0.25, upper: 0.35 },
    source: 'superficial peel series: 20 % texture, 25 % pigment unevenness after 3 sessions [EST: no figure in the reference]',
  },
  energy_device: {
    reference: { session: 3 },
    texture: { conservative: 0.1, expected: 0.2, upper: 0.3 },
    tone: { conservative: 0.15, expected: 0.25, upper: 0.35 },
    source: 'energy device (IPL/laser) series: 20 % texture, 25 % pigment unevenness after 3 sessions [EST: no figure in the reference]',
  },
  microneedling: {
    reference: { session: 3 },
    texture: { conservative: 0.1, expected: 0.2, upper: 0.3 },
    tone: { conservative: 0.05, expected: 0.1, upper: 0.15 },
    source: 'microneedling series: 20 % texture, 10 % pigment unevenness after 3 sessions [EST: no figure in the reference]',
  },
};

/** Zones whose skin the skin-quality treatments are simulated on (lips are vermilion, brows and temples mostly hair). */
const SKIN_ZONES = new Set<ZoneId>(['forehead', 'glabella', 'crows_feet', 'tear_trough', 'cheek', 'nasolabial', 'nose', 'perioral', 'marionette', 'chin', 'jawline', 'neck']);

const round = (v: number, digits = 3): number => Math.round(v * 10 ** digits) / 10 ** digits;

// ---------------------------------------------------------------------------------------------------------

/** A change before the clinician's maximum is applied. */
type RawChange = Omit<IntendedChange, 'clampedBy' | 'unclampedAmount'>;

/** Why an item cannot be simulated, or null. */
export function unsupportedReason(item: DoseItem): string | null {
  if (!(item.amount > 0) || !Number.isFinite(item.amount)) return `the amount must be a positive number (got ${item.amount})`;
  const { zoneId: z, treatmentClass: c, unit } = item;
  switch (c) {
    case 'neuromodulator':
      if (unit !== 'U') return `a neuromodulator is dosed in U, not ${unit}`;
      if (item.onaEquivalentPerUnit !== undefined && !(item.onaEquivalentPerUnit > 0)) return 'onaEquivalentPerUnit must be positive';
      if (TOXIN_LINES[z] || z === 'jawline') return null;
      return `no simulation for a neuromodulator in the ${z.replace(/_/g, ' ')}: ${z === 'neck' ? 'platysma bands are not what the neck’s line estimate measures' : 'no frontal figure at rest shows its effect'}`;
    case 'ha_filler':
      if (unit !== 'mL') return `an HA filler is dosed in mL, not ${unit}`;
      if (['upper_lip', 'lower_lip', 'cheek', 'chin', 'jawline'].includes(z) || FILLER_GRADES[z]) return null;
      return `no simulation for filler in the ${z.replace(/_/g, ' ')}: ${z === 'temple' ? 'the temple zone is mostly hair on frontal photos and has no calibrated estimate' : 'no prior in the reference and no frontal figure'}`;
    default: {
      const q = SKIN_QUALITY[c];
      if (!q) return `unknown treatment class "${c}"`;
      if (q.reference[unit] === undefined) return `a ${c.replace(/_/g, ' ')} is not dosed in ${unit} here (${Object.keys(q.reference).join(' or ')})`;
      if (!SKIN_ZONES.has(z)) return `skin-quality treatments are simulated on skin zones, not the ${z.replace(/_/g, ' ')}`;
      return null;
    }
  }
}

/** Items that cannot be simulated, with the reason; intendedChanges leaves them out. */
export function unsupportedItems(items: readonly DoseItem[]): { index: number; item: DoseItem; reason: string }[] {
  return items.flatMap((item, index) => {
    const reason = unsupportedReason(item);
    return reason ? [{ index, item, reason }] : [];
  });
}

/** Each item's dose per treated side (see DoseItem.side). */
function perSideDoses(item: DoseItem): { side: Side; amount: number }[] {
  if (!isPairedZone(item.zoneId)) return [{ side: 'centre', amount: item.amount }];
  if (item.side === 'right' || item.side === 'left') return [{ side: item.side, amount: item.amount }];
  const share = item.unit === 'session' ? item.amount : item.amount / 2;
  return [{ side: 'right', amount: share }, { side: 'left', amount: share }];
}

function changesFor(zoneId: ZoneId, side: Side, treatmentClass: TreatmentClass, unit: DoseUnit, dose: number, variant: SimulationVariant, baseline: Required<FaceBaseline>, items: number[]): RawChange[] {
  const base = { zoneId, side, items };
  const out: RawChange[] = [];
  if (treatmentClass === 'neuromodulator') {
    if (zoneId === 'jawline') {
      // Masseter: thickness 12.9 → 8.7 mm (−4.2) at 3 months after 20–40 U per side (Xie, §4.2/§5.1); the lower-face
      // width ÷ intercanthal ratio 3.3 → 3.0 (−9 %, ≈ −5 mm per side on a 111 mm jaw) agrees. The muscle forms the
      // outline at the angle, so the outline moves in by the thinning. Expected −4.2 mm at 30 U, conservative −2.5
      // [EST], upper −5.0 (the width ratio); saturating in dose.
      const at30: ByVariant = { conservative: 2.5, expected: 4.2, upper: 5 };
      out.push({
        ...base,
        effect: 'jaw_contour',
        measurementId: 'jaw_contour',
        kind: 'mm',
        amount: -emax(dose, 30, at30[variant]),
        prior: `masseter ${round(dose, 1)} U (ona) per side → outline ${round(-emax(dose, 30, at30[variant]), 2)} mm at 3 months: thickness −4.2 mm after 20–40 U per side and lower-face width −9 % (Xie PRS, ref §5.1); ${variant} ${at30[variant]} mm at 30 U, saturating`,
      });
      return out;
    }
    const rule = TOXIN_LINES[zoneId];
    if (!rule) return out;
    const grades = emax(dose, rule.referenceU, rule.grades[variant]);
    out.push({
      ...base,
      effect: 'lines',
      measurementId: `severity:${zoneId}`,
      kind: 'grade',
      amount: -grades,
      prior: `${round(dose, 1)} U (ona) → −${round(grades, 2)} grade at rest (${variant}): reference ${rule.source}; ${TOXIN_LINES_NOTE}`,
    });
    return out;
  }
  if (treatmentClass === 'ha_filler') {
    if (zoneId === 'upper_lip' || zoneId === 'lower_lip') {
      const upper = zoneId === 'upper_lip';
      const yieldFactor = FILLER_YIELD.lips.values[variant];
      const height = upper ? baseline.upperVermilionMm : baseline.lowerVermilionMm;
      const depth = upper ? LIP_DEPTH_MM.upper : LIP_DEPTH_MM.lower;
      const gain = vermilionGainMm(dose * yieldFactor, height, depth, baseline.mouthWidthMm);
      out.push({
        ...base,
        effect: 'vermilion_height',
        measurementId: upper ? 'upper_vermilion_height' : 'lower_vermilion_height',
        kind: 'mm',
        amount: gain.mm,
        prior: `${round(dose, 2)} mL × yield ${round(yieldFactor, 2)} = ${round(dose * yieldFactor, 2)} mL retained (${FILLER_YIELD.lips.source}); vermilion modelled as a tapered half-ellipse body ${height} mm high × ${depth} mm deep [EST] × ${baseline.mouthWidthMm} mm wide (≈ ${round((2 / 3) * (Math.PI / 4) * height * depth * baseline.mouthWidthMm / 1000, 2)} mL): +${round(gain.fraction * 100, 0)} % volume, growing evenly in height and depth (ref §5.2 volume → shape) → +${round(gain.mm, 2)} mm`,
      });
      // A fuller, everted lip shows a crisper white roll: half the relative volume gain as border contrast, at most 30 % [EST].
      out.push({
        ...base,
        effect: 'border_definition',
        measurementId: 'edge_contrast',
        kind: 'ratio',
        amount: Math.min(0.3, 0.5 * gain.fraction),
        prior: `border definition = ½ × the relative volume gain (+${round(gain.fraction * 100, 0)} %), at most +30 % contrast across the vermilion border [EST: an everted lip shows a crisper white roll; no measurement in the reference]`,
      });
      return out;
    }
    if (zoneId === 'cheek') {
      const retained = dose * FILLER_YIELD.dense.values[variant];
      const h = domeHeightMm(retained, CHEEK_RADIUS_MM);
      const why = `${round(dose, 2)} mL × yield ${round(FILLER_YIELD.dense.values[variant], 2)} (${FILLER_YIELD.dense.source}) as a paraboloid dome on a ${CHEEK_RADIUS_MM * 2} mm malar footprint [EST] → apex projection ${round(h, 2)} mm`;
      out.push({ ...base, effect: 'projection', kind: 'mm', amount: h, prior: `${why}; deep compartments project without inferior displacement (Cotofana 2019, ref §5.1); not measurable on a frontal photo, rendered as shading` });
      out.push({ ...base, effect: 'lateral_contour', measurementId: 'cheek_contour', kind: 'mm', amount: h / 3, prior: `${why}; a third of it shows on the frontal outline at the cheekbone [EST: the malar dome lies medial to the zygion]` });
      out.push({ ...base, effect: 'lift', kind: 'mm', amount: h / 5, prior: `${why}; a fifth of it as upward shift of the malar soft tissue [EST: lateral cheek support; medial/lateral cheek compartments gain projection, Schenck 2018, ref §5.1]` });
      return out;
    }
    if (zoneId === 'chin') {
      const retained = dose * FILLER_YIELD.dense.values[variant];
      const h = domeHeightMm(retained, CHIN_RADIUS_MM);
      out.push({
        ...base,
        effect: 'chin_length',
        measurementId: 'lower_face_height',
        kind: 'mm',
        amount: 0.4 * h,
        prior: `${round(dose, 2)} mL × yield ${round(FILLER_YIELD.dense.values[variant], 2)} (${FILLER_YIELD.dense.source}) as a dome on a ${CHIN_RADIUS_MM * 2} mm chin footprint [EST] → ${round(h, 2)} mm projection, of which 40 % shows as a longer chin frontally [EST: filler at the menton has an inferior component]; projection itself needs a profile photo`,
      });
      return out;
    }
    if (zoneId === 'jawline') {
      const retained = dose * FILLER_YIELD.dense.values[variant];
      const thickness = (2 * retained * 1000) / (JAW_BAND_MM.length * JAW_BAND_MM.width);
      const why = `${round(dose, 2)} mL × yield ${round(FILLER_YIELD.dense.values[variant], 2)} (${FILLER_YIELD.dense.source}) along a ${JAW_BAND_MM.length} × ${JAW_BAND_MM.width} mm band of the mandibular border [EST] → ${round(thickness, 2)} mm thickness`;
      out.push({ ...base, effect: 'jaw_contour', measurementId: 'jaw_contour', kind: 'mm', amount: thickness / 2, prior: `${why}; half of it shows on the frontal outline at the angle [EST] (prejowl sulcus +4.6 mm with VYC-25L, ref §5.1)` });
      out.push({ ...base, effect: 'jawline_definition', measurementId: 'edge_contrast', kind: 'ratio', amount: Math.min(0.3, 0.15 * retained), prior: `${why}; +15 % border contrast per retained mL, at most 30 % [EST]` });
      out.push({ ...base, effect: 'jowl_softening', measurementId: 'indicator:jowl_shadow', kind: 'ratio', amount: -Math.min(0.4, 0.2 * retained), prior: `${why}; −20 % of the mid-scale shadow along the jaw per retained mL, at most 40 % [EST]` });
      return out;
    }
    const rule = FILLER_GRADES[zoneId];
    if (!rule) return out;
    const grades = emax(dose, rule.referenceMl, rule.grades[variant]);
    out.push({ ...base, effect: rule.effect, measurementId: `severity:${zoneId}`, kind: 'grade', amount: -grades, prior: `${round(dose, 2)} mL → −${round(grades, 2)} grade (${variant}): ${rule.source}; saturating: twice the dose gives 1.2 ×` });
    return out;
  }
  const q = SKIN_QUALITY[treatmentClass];
  const reference = q?.reference[unit];
  if (!q || reference === undefined) return out;
  const texture = emax(dose, reference, q.texture[variant]);
  out.push({ ...base, effect: 'texture', measurementId: 'indicator:texture', kind: 'ratio', amount: -texture, prior: `${round(dose, 2)} ${unit} → −${round(texture * 100, 0)} % texture indicator (${variant}): ${q.source}; saturating` });
  if (q.tone) {
    const tone = emax(dose, reference, q.tone[variant]);
    out.push({ ...base, effect: 'tone', measurementId: 'indicator:pigment', kind: 'ratio', amount: -tone, prior: `${round(dose, 2)} ${unit} → −${round(tone * 100, 0)} % pigment unevenness (${variant}): ${q.source}; saturating` });
  }
  return out;
}

/**
 * The changes a plan is expected to make, for one variant. Items of the same class, zone and side are added
 * up before the (saturating) dose response; changes of the same effect on the same zone side are added up;
 * then each is clamped to the zone's maximum for its kind. Unsupported items (see `unsupportedItems`) are left
 * out. Deterministic, in a stable order (zone order of ZONE_IDS is not assumed: plan order, then effect).
 */
export function intendedChanges(items: readonly DoseItem[], options: DoseEffectOptions): IntendedChange[] {
  const { variant } = options;
  if (!SIMULATION_VARIANTS.includes(variant)) throw new Error(`Unknown variant "${String(variant)}"; use ${SIMULATION_VARIANTS.join(', ')}`);
  const baseline: Required<FaceBaseline> = { ...POPULATION_BASELINE, ...definedOnly(options.baseline) };

  // 1. Doses per (zone, side, class, unit), toxins in ona-equivalent units.
  const doses = new Map<string, { zoneId: ZoneId; side: Side; treatmentClass: TreatmentClass; unit: DoseUnit; dose: number; items: number[] }>();
  items.forEach((item, index) => {
    if (unsupportedReason(item)) return;
    const potency = item.treatmentClass === 'neuromodulator' ? (item.onaEquivalentPerUnit ?? 1) : 1;
    for (const { side, amount } of perSideDoses(item)) {
      const key = `${item.zoneId}|${side}|${item.treatmentClass}|${item.unit}`;
      const entry = doses.get(key) ?? { zoneId: item.zoneId, side, treatmentClass: item.treatmentClass, unit: item.unit, dose: 0, items: [] };
      entry.dose += amount * potency;
      if (!entry.items.includes(index)) entry.items.push(index);
      doses.set(key, entry);
    }
  });

  // 2. Effects, added up per (zone, side, effect), each contribution with its three variants' amounts.
  const merged = new Map<string, { change: RawChange; parts: ByVariant[] }>();
  for (const d of doses.values()) {
    const of = (v: SimulationVariant): RawChange[] => changesFor(d.zoneId, d.side, d.treatmentClass, d.unit, d.dose, v, baseline, d.items);
    const [lo, mid, hi] = [of('conservative'), of('expected'), of('upper')];
    // The three variants give the same changes in the same order; only their amounts differ.
    const amount = (changes: RawChange[], k: number): number => (changes[k] as RawChange).amount;
    ({ conservative: lo, expected: mid, upper: hi })[variant].forEach((change, k) => {
      const part = { conservative: amount(lo, k), expected: amount(mid, k), upper: amount(hi, k) };
      const key = `${change.zoneId}|${change.side}|${change.effect}`;
      const existing = merged.get(key);
      if (!existing) merged.set(key, { change, parts: [part] });
      else {
        existing.parts.push(part);
        existing.change.prior = `${existing.change.prior}; plus ${change.prior}`;
        existing.change.items = [...new Set([...existing.change.items, ...change.items])].sort((a, b) => a - b);
      }
    });
  }
  for (const { change, parts } of merged.values()) change.amount = netChange(parts, variant);

  // 3. The clinician's maxima.
  return [...merged.values()].map(({ change }) => {
    const limit = options.maxChangePerZone?.[change.zoneId]?.[change.kind] ?? DEFAULT_MAX_CHANGE[change.zoneId][change.kind];
    const { items: behind, ...rest } = change;
    // Rounding is monotone, so it keeps the variants' order; the maximum is applied after it, exactly.
    const result: IntendedChange = { ...rest, amount: round(change.amount, 4), items: behind };
    if (limit !== undefined && Math.abs(result.amount) > limit) {
      result.amount = Math.sign(change.amount) * Math.max(0, limit);
      result.clampedBy = 'clinician-max';
      result.unclampedAmount = round(change.amount, 4);
    }
    return result;
  });
}

/**
 * The net of several treatments' contributions to one change, for a variant. Contributions the same way add up
 * variant by variant; where they oppose (jaw filler widening the outline, masseter toxin narrowing it), adding
 * conservative to conservative could give a larger net than the expected one. So the net's range is taken from the
 * extremes: the conservative net is the least the change could be (the contributions that go its way at their
 * conservative, the opposing ones at their upper amount, never past zero), the upper net the most (the other way
 * round), which keeps conservative ≤ expected ≤ upper for every change of any plan.
 */
function netChange(parts: readonly ByVariant[], variant: SimulationVariant): number {
  if (parts.length === 1) return (parts[0] as ByVariant)[variant];
  const sum = (pick: (part: ByVariant) => number): number => parts.reduce((total, part) => total + pick(part), 0);
  const expected = sum((p) => p.expected);
  if (variant === 'expected') return expected;
  const way = Math.sign(expected) || Math.sign(sum((p) => p.upper));
  const along = (p: ByVariant): boolean => Math.sign(p.expected) === way;
  if (variant === 'conservative') return way * Math.max(0, way * sum((p) => (along(p) ? p.conservative : p.upper)));
  return sum((p) => (along(p) ? p.upper : p.conservative));
}

function definedOnly(baseline: FaceBaseline | undefined): FaceBaseline {
  const out: FaceBaseline = {};
  for (const [k, v] of Object.entries(baseline ?? {}) as [keyof FaceBaseline, number | undefined][]) if (typeof v === 'number' && v > 0) out[k] = v;
  return out;
}

/**
 * Onabotulinum-equivalent units per unit of a toxin, from its generic name: abobotulinum ≈ 2.5–3 : 1 (the
 * 2.5 end, so its effect is not understated against a label dose: 50 U Dysport ≈ 20 U Botox, §4.1); inco,
 * prabo and leti are labelled at the same doses as ona (§4.1). Daxibotulinum (40 U glabella, not a direct
 * equivalence) and unknown products give null: the caller must say so rather than guess.
 */
export function onaEquivalentPerUnit(genericName: string): number | null {
  const name = genericName.toLowerCase();
  if (name.includes('abobotulinum')) return 1 / 2.5;
  if (['onabotulinum', 'incobotulinum', 'prabotulinum', 'letibotulinum'].some((n) => name.includes(n))) return 1;
  return null;
}
