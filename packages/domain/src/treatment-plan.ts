/**
 * Treatment planning vocabulary (issue 5): the clinic's treatment catalogue, the consultation intake,
 * and the planner's suggested plan. Types only; the catalogue defaults are in treatment-catalogue.ts,
 * safety screening in screening.ts, the planner in planner.ts and the clinician's review in plan-review.ts.
 */
import type { Side, ZoneId } from './face-analysis.js';
import type { MedicalHistory, Sex } from './patient.js';

export const TREATMENT_CLASSES = [
  'neuromodulator',
  'ha_filler',
  'biostimulator',
  'skin_booster',
  'peel',
  'energy_device',
  'microneedling',
] as const;
export type TreatmentClass = (typeof TREATMENT_CLASSES)[number];

/**
 * "U" is always units *of that product*: units of different toxin brands are not interchangeable
 * (abobotulinum : onabotulinum ≈ 2.5–3 : 1), so they are never added or converted across products.
 */
export const DOSE_UNITS = ['U', 'mL', 'session'] as const;
export type DoseUnit = (typeof DOSE_UNITS)[number];

/** Product components a patient may be allergic to (MedicalHistory.allergies). */
export const PRODUCT_COMPONENTS = ['lidocaine', 'hyaluronicAcid', 'albumin'] as const;
export type ProductComponent = (typeof PRODUCT_COMPONENTS)[number];

/** A typical dose for one zone: per side for paired zones, total for midline ones. */
export interface ZoneDose {
  zoneId: ZoneId;
  /** True when the range is per side (crow's feet, cheek); false for a midline or total dose. */
  perSide: boolean;
  min: number;
  max: number;
  label: 'on-label' | 'off-label';
  /** Where the range comes from (reference section or label). */
  source: string;
}

export interface CatalogueProduct {
  /** Stable slug, e.g. "botox-cosmetic". */
  id: string;
  brand: string;
  /** e.g. "onabotulinumtoxinA", "hyaluronic acid (lips)". */
  genericName: string;
  treatmentClass: TreatmentClass;
  unit: DoseUnit;
  /** Price per unit in the clinic's currency (major units, e.g. 9.5 = £9.50). */
  pricePerUnit: number;
  /** How long the effect typically lasts, in months: feeds maintenance and reminders. */
  typicalDurationMonths: number;
  /** Minimum days between treatments with this product (e.g. 90 for conventional toxins). */
  minIntervalDays: number;
  /** Days of expected downtime (swelling, bruising, redness). */
  downtimeDays: number;
  /** Components relevant to allergy screening. */
  components: ProductComponent[];
  zones: ZoneDose[];
  active: boolean;
}

export interface TreatmentCatalogue {
  currency: string;
  products: CatalogueProduct[];
}

export const PATIENT_GOALS = [
  'look_less_tired',
  'smooth_lines',
  'lip_volume',
  'lower_face_definition',
  'midface_volume',
  'skin_quality',
  'facial_balance',
] as const;
export type PatientGoal = (typeof PATIENT_GOALS)[number];

export const SUBTLETY = ['subtle', 'balanced', 'noticeable'] as const;
export type Subtlety = (typeof SUBTLETY)[number];

export const DOWNTIME_TOLERANCE = ['none', 'few_days', 'week'] as const;
export type DowntimeTolerance = (typeof DOWNTIME_TOLERANCE)[number];

/** What the patient told us at the consultation. */
export interface ConsultationIntake {
  /** The patient's concerns in their own words. */
  concerns: string;
  goals: PatientGoal[];
  subtlety: Subtlety;
  /** Total budget for the plan in the clinic's currency, or null when none was given. */
  budget: number | null;
  downtime: DowntimeTolerance;
  /** An event the patient wants to look their best for (ISO date), e.g. a wedding. */
  upcomingEvent: { date: string; description: string } | null;
}

/** What the planner knows about the patient besides the intake. */
export interface PlanPatient {
  age: number | null;
  sex: Sex;
  medicalHistory: MedicalHistory;
  /** The patient's most recent treatment per product class, for re-treatment intervals (ISO dates). */
  lastTreatments: { productId: string; treatmentClass: TreatmentClass; date: string; amount: number; unit: DoseUnit }[];
  /** Zones with an active infection or open lesion today (contraindication at that site). */
  infectedZones: ZoneId[];
}

/** A zone finding as the planner sees it: the clinician's grade when there is one, else the AI estimate. */
export interface PlanFinding {
  zoneId: ZoneId;
  side: Side;
  /** 0–4. */
  severity: number;
  source: 'clinician' | 'ai';
  confidence: number;
  /** Plain-language name of the scale, e.g. "Glabellar lines at rest". */
  scale: string | null;
}

export interface PlannerRules {
  /** Most toxin units of one product at one visit. */
  toxinCeilingPerVisit: number;
  /** Severity (0–4) below which a zone is not treated unless a goal asks for it. */
  minSeverity: number;
  /** Largest expected grade change per zone per visit, by subtlety. */
  maxGradeChangePerVisit: Record<Subtlety, number>;
  /** Weeks between staged visits (toxin review and filler build-up). */
  weeksBetweenVisits: number;
  /**
   * AI estimates with a confidence below this are not used (added for the planner; optional so existing
   * rule objects stay valid; DEFAULT_PLANNER_RULES sets it).
   */
  minAiConfidence?: number;
}

export interface PlannerInput {
  patient: PlanPatient;
  intake: ConsultationIntake;
  findings: PlanFinding[];
  catalogue: TreatmentCatalogue;
  /** The consultation date (ISO), so the same inputs always give the same plan. */
  today: string;
  rules?: Partial<PlannerRules>;
}

export interface DoseRange {
  min: number;
  max: number;
  unit: DoseUnit;
}

export interface PlanItem {
  /** Deterministic: zone, side and product, e.g. "glabella:centre:botox-cosmetic". */
  key: string;
  zoneId: ZoneId;
  side: Side;
  productId: string;
  productLabel: string;
  treatmentClass: TreatmentClass;
  /** Shown as a range: the clinician sets the final dose. */
  dose: DoseRange;
  /** The amount the cost and the simulation use (within the range). */
  plannedAmount: number;
  offLabel: boolean;
  rationale: {
    /** The finding behind the item, if any. */
    finding: { zoneId: ZoneId; side: Side; severity: number; source: 'clinician' | 'ai' } | null;
    /** The patient's goal behind the item, if any. */
    goal: PatientGoal | null;
    text: string;
  };
  /** Expected change in plain language, and in grade points (0–4 scale). */
  expectedChange: { text: string; grades: number };
  cost: { min: number; max: number; planned: number };
  /** 1-based visit number. */
  stage: number;
  /** Caution rule ids that apply to this item. */
  cautions: string[];
}

export interface BlockedItem {
  zoneId: ZoneId;
  side: Side;
  productId: string;
  /** The screening rule, e.g. "pregnancy". */
  rule: string;
  reason: string;
}

export interface PlanCaution {
  rule: string;
  text: string;
  itemKeys: string[];
}

export interface PlanStage {
  stage: number;
  /** Earliest date for this visit (ISO). */
  earliestDate: string;
  label: string;
  itemKeys: string[];
  cost: number;
  /** Toxin units at this visit, per product (never summed across brands). */
  toxinUnits: Record<string, number>;
}

export interface MaintenanceEntry {
  productId: string;
  productLabel: string;
  zoneIds: ZoneId[];
  /** Re-treat or review every n months. */
  everyMonths: number;
  /** First reminder date (ISO). */
  firstReminder: string;
}

/** A candidate the planner did not suggest for a reason other than safety or budget (e.g. downtime). */
export interface LeftOutItem {
  key: string;
  zoneId: ZoneId;
  side: Side;
  productId: string;
  /** e.g. "downtime" (more than the patient accepts) or "toxin-ceiling" (cannot fit at any visit). */
  rule: string;
  reason: string;
}

export interface SuggestedPlan {
  rulesVersion: string;
  currency: string;
  items: PlanItem[];
  blocked: BlockedItem[];
  cautions: PlanCaution[];
  stages: PlanStage[];
  maintenance: MaintenanceEntry[];
  totalCost: { min: number; max: number; planned: number };
  /** Items left out because of the budget, highest benefit per cost kept first. */
  deferredForBudget: { key: string; zoneId: ZoneId; side: Side; productId: string; cost: number }[];
  /** Why the plan looks the way it does, step by step. */
  explanation: string[];
  /**
   * Candidates left out for the patient's downtime tolerance or a ceiling (not safety, not budget). Always set
   * by planTreatment; optional so plans stored before it was added still read.
   */
  leftOut?: LeftOutItem[];
}

/* ---- The clinician's review (plan-review.ts) ---- */

export const ITEM_DECISIONS = ['accepted', 'modified', 'rejected', 'added'] as const;
export type ItemDecision = (typeof ITEM_DECISIONS)[number];

/** What a clinician may change on a suggested item. */
export interface ItemChange {
  amount?: number;
  productId?: string;
  zoneId?: ZoneId;
  side?: Side;
  stage?: number;
}

/** One decision on one suggested item; a reason is required for modify and reject. */
export interface ItemDecisionInput {
  itemKey: string;
  decision: 'accept' | 'modify' | 'reject';
  reason?: string;
  change?: ItemChange;
}

/** An item the clinician adds that the planner did not suggest. */
export interface AddedItemInput {
  /** The item's key when it is already stored (the server's "added:<uuid>"); otherwise one is made. */
  key?: string;
  zoneId: ZoneId;
  side: Side;
  productId: string;
  amount: number;
  stage: number;
  reason: string;
}

/** An item of the plan the clinician signs: the final amount, not a range. */
export interface FinalPlanItem {
  key: string;
  zoneId: ZoneId;
  side: Side;
  productId: string;
  productLabel: string;
  treatmentClass: TreatmentClass;
  amount: number;
  unit: DoseUnit;
  stage: number;
  offLabel: boolean;
  cost: number;
  origin: 'suggested' | 'clinician';
}

/** The decision record of one item: what was proposed (snapshot), what was decided, and why. */
export interface ItemDecisionRecord {
  itemKey: string;
  decision: ItemDecision;
  /** The planner's item as proposed; null for items the clinician added. */
  proposed: PlanItem | null;
  /** The item as it will be done; null when rejected. */
  final: FinalPlanItem | null;
  reason: string | null;
}
