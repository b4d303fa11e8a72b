/**
 * The treatment planner (issue 5): from the consultation intake, the zone findings and the clinic's catalogue
 * to a suggested plan the clinician reviews item by item. Pure and deterministic: no clock (the consultation
 * date is an input), no randomness, every list in a stable order, so the same inputs always give the same
 * plan (the plan's provenance records PLANNER_RULES_VERSION).
 *
 * Conservative by design (reference §0, §8): doses are shown as ranges from the catalogue, scaled down for mild
 * findings and subtle preferences; off-label use is flagged; contraindications remove an item (screening.ts);
 * the expected change is capped per visit. The steps, each its own function below:
 *   1. findings: the clinician's grade beats the AI estimate; AI estimates below a confidence are not used;
 *   2. targets: a zone and a treatment class, from a finding at or above the threshold, or from a goal;
 *   3. items: the first suitable product of the class (screened, within the patient's downtime), dose and cost;
 *   4. budget: when given, the best expected benefit per pound first, the rest deferred;
 *   5. staging: toxin and midface support first, lower face, lips and tear troughs after the toxin review,
 *      skin treatments after that; the toxin ceiling per visit; the upcoming event;
 *   6. maintenance, totals and the explanation.
 */
import { ZONE_IDS, type Side, type ZoneId } from './face-analysis.js';
import { addDaysIso, daysBetweenIso, isIsoDate, screenItem, screeningRule, SCREENING_RULES, toxinCeiling, type ScreeningHit } from './screening.js';
import { doseStep, INJECTABLE_CLASSES, isOffLabel, isPairedZone, zoneDoseFor } from './treatment-catalogue.js';
import type {
  BlockedItem,
  CatalogueProduct,
  DowntimeTolerance,
  LeftOutItem,
  MaintenanceEntry,
  PatientGoal,
  PlanCaution,
  PlanFinding,
  PlanItem,
  PlannerInput,
  PlannerRules,
  PlanStage,
  SuggestedPlan,
  Subtlety,
  TreatmentClass,
  ZoneDose,
} from './treatment-plan.js';
import { ZONE_LABELS } from './zone-labels.js';

export const PLANNER_RULES_VERSION = 'planner-2026.11.1';

export type ResolvedPlannerRules = Required<PlannerRules>;

export const DEFAULT_PLANNER_RULES: ResolvedPlannerRules = {
  // Onabotulinum units; each product's own ceiling is derived from it (screening.ts toxinCeiling).
  toxinCeilingPerVisit: 100,
  // 2 = "moderate" on the 0–4 scales: milder findings are treated only when the patient asks (a goal).
  minSeverity: 2,
  // §2: a 1-point change is clinically meaningful; toxin trials count 2-point responders (§5.2).
  maxGradeChangePerVisit: { subtle: 1, balanced: 1.5, noticeable: 2 },
  // Toxin peaks at 2 weeks and filler swelling settles by then: the review visit (§5.2, §4.4).
  weeksBetweenVisits: 2,
  // AI estimates are population-ranked, not fitted to clinical grades (severity.ts, base confidence 0.8).
  minAiConfidence: 0.4,
};

export function resolvePlannerRules(rules: Partial<PlannerRules> = {}): ResolvedPlannerRules {
  return {
    ...DEFAULT_PLANNER_RULES,
    ...rules,
    maxGradeChangePerVisit: { ...DEFAULT_PLANNER_RULES.maxGradeChangePerVisit, ...rules.maxGradeChangePerVisit },
  };
}

/* ---------------------------------------------------------------- vocabulary */

/** What a zone's grade describes, which decides the treatment class. */
type Sign = 'lines' | 'volume' | 'skin' | 'platysma' | 'none';

/**
 * The sign each zone is graded for in Contour (zone-labels.ts ZONE_EXPLANATIONS). The cheek is graded for the
 * skin's smoothness and the neck for horizontal lines, so they point to skin treatments, not filler or toxin.
 * The brow (position; the Merz brow scale's inter-rater agreement is not substantial, §2) and the nose (shape:
 * non-surgical rhinoplasty carries the highest vascular risk) are never treated automatically.
 */
const ZONE_SIGN: Record<ZoneId, Sign> = {
  forehead: 'lines',
  glabella: 'lines',
  crows_feet: 'lines',
  perioral: 'lines',
  temple: 'volume',
  tear_trough: 'volume',
  nasolabial: 'volume',
  marionette: 'volume',
  upper_lip: 'volume',
  lower_lip: 'volume',
  chin: 'volume',
  jawline: 'volume',
  cheek: 'skin',
  neck: 'skin',
  brow: 'none',
  nose: 'none',
};

/** A grade on another scale than the zone's usual one says so in its scale name. */
const SCALE_SIGNS: { zoneId: ZoneId; pattern: RegExp; sign: Sign }[] = [
  { zoneId: 'cheek', pattern: /volume|fullness|mfvds|midface|hollow/i, sign: 'volume' },
  { zoneId: 'neck', pattern: /platysma|band/i, sign: 'platysma' },
  { zoneId: 'nose', pattern: /bunny|nasalis/i, sign: 'lines' },
];

function signOf(f: PlanFinding): Sign {
  const special = SCALE_SIGNS.find((s) => s.zoneId === f.zoneId && f.scale !== null && s.pattern.test(f.scale));
  return special ? special.sign : ZONE_SIGN[f.zoneId];
}

/** Where each goal points; `direct` targets are suggested even without a finding (the patient asked for them). */
const GOAL_TARGETS: Record<PatientGoal, { zoneId: ZoneId; sign: Sign; direct: boolean }[]> = {
  look_less_tired: [
    { zoneId: 'tear_trough', sign: 'volume', direct: true },
    { zoneId: 'cheek', sign: 'volume', direct: true },
    { zoneId: 'crows_feet', sign: 'lines', direct: true },
  ],
  smooth_lines: [
    { zoneId: 'glabella', sign: 'lines', direct: true },
    { zoneId: 'crows_feet', sign: 'lines', direct: true },
    // Forehead toxin needs the brow assessed first (brow drop), and lip lines a grade: only with a finding.
    { zoneId: 'forehead', sign: 'lines', direct: false },
    { zoneId: 'perioral', sign: 'lines', direct: false },
  ],
  lip_volume: [
    { zoneId: 'upper_lip', sign: 'volume', direct: true },
    { zoneId: 'lower_lip', sign: 'volume', direct: true },
  ],
  lower_face_definition: [
    { zoneId: 'chin', sign: 'volume', direct: true },
    { zoneId: 'jawline', sign: 'volume', direct: true },
    { zoneId: 'marionette', sign: 'volume', direct: false },
  ],
  midface_volume: [
    { zoneId: 'cheek', sign: 'volume', direct: true },
    { zoneId: 'temple', sign: 'volume', direct: false },
  ],
  skin_quality: [
    { zoneId: 'cheek', sign: 'skin', direct: true },
    { zoneId: 'neck', sign: 'skin', direct: false },
  ],
  // Balance is judged on the face as graded: only zones with a finding.
  facial_balance: [
    { zoneId: 'chin', sign: 'volume', direct: false },
    { zoneId: 'cheek', sign: 'volume', direct: false },
    { zoneId: 'jawline', sign: 'volume', direct: false },
    { zoneId: 'upper_lip', sign: 'volume', direct: false },
    { zoneId: 'lower_lip', sign: 'volume', direct: false },
    { zoneId: 'nasolabial', sign: 'volume', direct: false },
  ],
};

/** A goal does not override a grade of (almost) none: there is nothing there to treat. */
const GOAL_MIN_SEVERITY = 1;

/** Most downtime days each tolerance accepts; "none" means back to normal the next day. */
const DOWNTIME_LIMIT: Record<DowntimeTolerance, number> = { none: 1, few_days: 3, week: 7 };

/** Resurfacing treatments for skin texture; the patient's downtime decides how deep (see textureClass). */
const TEXTURE_CLASSES: readonly TreatmentClass[] = ['peel', 'microneedling'];

/** Largest change one visit of a class can be expected to bring, in grade points (§2, §5.2). */
const CLASS_GAIN: Record<TreatmentClass, number> = {
  neuromodulator: 2, // ≥2-grade improvement in ~70–80 % at labelled doses (§5.2)
  ha_filler: 1, // responders ≥1 point; ~1 grade per 1–3 mL in the midface (§5.2)
  skin_booster: 1, // SkinVive: 56 % ≥1 point at 6 months (§4.3)
  biostimulator: 1,
  peel: 0.5,
  energy_device: 0.5,
  microneedling: 0.5,
};

/** Expected change when a goal-driven zone has no grade: modest, and said to be unmeasured. */
const UNGRADED_GAIN = 0.5;

/** How far up the catalogue range the dose may go, by subtlety (full range only for "noticeable"). */
const SUBTLETY_REACH: Record<Subtlety, number> = { subtle: 0.5, balanced: 0.75, noticeable: 1 };

/** A stated goal counts for more than a finding alone when the budget forces a choice. */
const GOAL_WEIGHT = 1.5;

const GRADE_WORDS = ['none', 'mild', 'moderate', 'severe', 'very severe'] as const;
const CLASS_ORDER: readonly TreatmentClass[] = ['neuromodulator', 'ha_filler', 'skin_booster', 'biostimulator', 'peel', 'energy_device', 'microneedling'];
const SIDE_ORDER: readonly Side[] = ['right', 'left', 'centre'];

/* ---------------------------------------------------------------- small helpers */

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
const floorTo = (x: number, step: number): number => Number((Math.floor(x / step + 1e-9) * step).toFixed(2));
const pennies = (amount: number, price: number): number => Math.round(amount * price * 100);
const zoneIndex = (z: ZoneId): number => ZONE_IDS.indexOf(z);
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
/** The grade's word; a half grade takes the milder word (2.5 is "moderate"), so the plan never overstates a finding. */
const gradeWord = (severity: number): string => GRADE_WORDS[clamp(Math.ceil(severity - 0.5), 0, 4)] as string;
const monthsToDays = (months: number): number => Math.round((months * 365.25) / 12);

export const planItemKey = (zoneId: ZoneId, side: Side, productId: string): string => `${zoneId}:${side}:${productId}`;

/** Where, as a clinician says it: "Crow's feet (right)". */
export function placeName(zoneId: ZoneId, side: Side): string {
  return side === 'centre' ? ZONE_LABELS[zoneId] : `${ZONE_LABELS[zoneId]} (${side})`;
}

export function formatMoney(amount: number, currency: string): string {
  const fixed = amount.toFixed(2);
  return currency === 'GBP' ? `£${fixed}` : currency === 'EUR' ? `€${fixed}` : currency === 'USD' ? `$${fixed}` : `${fixed} ${currency}`;
}

/** Zone order of ZONE_IDS, then the patient's right, left, centre, then product. */
const comparePlace = (a: { zoneId: ZoneId; side: Side; productId: string }, b: { zoneId: ZoneId; side: Side; productId: string }): number =>
  zoneIndex(a.zoneId) - zoneIndex(b.zoneId) || SIDE_ORDER.indexOf(a.side) - SIDE_ORDER.indexOf(b.side) || cmp(a.productId, b.productId);

const compareItems = (a: PlanItem, b: PlanItem): number =>
  a.stage - b.stage || zoneIndex(a.zoneId) - zoneIndex(b.zoneId) || SIDE_ORDER.indexOf(a.side) - SIDE_ORDER.indexOf(b.side) || cmp(a.productId, b.productId);

/* ---------------------------------------------------------------- 1. findings */

interface Evidence extends PlanFinding {
  sign: Sign;
}

/** Total order for choosing between findings of one zone and side: clinician first, then confidence, severity, scale. */
function better(a: PlanFinding, b: PlanFinding): boolean {
  if (a.source !== b.source) return a.source === 'clinician';
  if (a.confidence !== b.confidence) return a.confidence > b.confidence;
  if (a.severity !== b.severity) return a.severity > b.severity;
  return cmp(a.scale ?? '', b.scale ?? '') < 0;
}

interface FindingSummary {
  /** The finding used per zone, side and sign. */
  byPlace: Map<string, Evidence>;
  clinician: number;
  ai: number;
  lowConfidence: number;
  unusable: number;
}

function collectFindings(findings: readonly PlanFinding[], rules: ResolvedPlannerRules): FindingSummary {
  const summary: FindingSummary = { byPlace: new Map(), clinician: 0, ai: 0, lowConfidence: 0, unusable: 0 };
  for (const raw of findings) {
    if (!(ZONE_IDS as readonly string[]).includes(raw.zoneId) || !Number.isFinite(raw.severity)) {
      summary.unusable += 1;
      continue;
    }
    if (raw.source === 'ai' && !(raw.confidence >= rules.minAiConfidence)) {
      summary.lowConfidence += 1;
      continue;
    }
    const f: Evidence = { ...raw, severity: clamp(raw.severity, 0, 4), sign: signOf(raw) };
    const key = `${f.zoneId}:${f.side}:${f.sign}`;
    const current = summary.byPlace.get(key);
    if (!current || better(f, current)) summary.byPlace.set(key, f);
  }
  for (const f of summary.byPlace.values()) summary[f.source === 'clinician' ? 'clinician' : 'ai'] += 1;
  return summary;
}

/** The findings of one zone for one sign, strongest first (then side order). */
function zoneEvidence(summary: FindingSummary, zoneId: ZoneId, sign: Sign): Evidence[] {
  return [...summary.byPlace.values()]
    .filter((f) => f.zoneId === zoneId && f.sign === sign)
    .sort((a, b) => b.severity - a.severity || SIDE_ORDER.indexOf(a.side) - SIDE_ORDER.indexOf(b.side));
}

/* ---------------------------------------------------------------- 2. targets */

interface Target {
  zoneId: ZoneId;
  sign: Sign;
  cls: TreatmentClass;
  goals: PatientGoal[];
  /** True when a finding at or above the threshold asks for it. */
  byFinding: boolean;
}

/** The deepest texture treatment the patient's downtime allows (a patient who accepts a week gets a peel). */
function textureClass(input: PlannerInput, zoneId: ZoneId): TreatmentClass | null {
  const limit = DOWNTIME_LIMIT[input.intake.downtime];
  const fitting = input.catalogue.products.filter(
    (p) => p.active && TEXTURE_CLASSES.includes(p.treatmentClass) && zoneDoseFor(p, zoneId) && p.downtimeDays <= limit,
  );
  const deepest = [...fitting].sort((a, b) => b.downtimeDays - a.downtimeDays)[0];
  return deepest ? deepest.treatmentClass : null;
}

/** The classes that treat a sign; resurfacing only on the face (neck skin heals slowly and scars more easily). */
function classesFor(sign: Sign, zoneId: ZoneId, input: PlannerInput): TreatmentClass[] {
  switch (sign) {
    case 'lines':
    case 'platysma':
      return ['neuromodulator'];
    case 'volume':
      return ['ha_filler'];
    case 'skin': {
      const texture = zoneId === 'cheek' ? textureClass(input, zoneId) : null;
      return texture ? ['skin_booster', texture] : ['skin_booster'];
    }
    case 'none':
      return [];
  }
}

function addTarget(targets: Map<string, Target>, t: Omit<Target, 'goals'>, goal: PatientGoal | null): void {
  const key = `${t.zoneId}|${t.cls}`;
  const current = targets.get(key) ?? { ...t, goals: [] };
  current.byFinding ||= t.byFinding;
  if (goal && !current.goals.includes(goal)) current.goals.push(goal);
  targets.set(key, current);
}

function collectTargets(input: PlannerInput, summary: FindingSummary, rules: ResolvedPlannerRules, notes: string[]): Target[] {
  const targets = new Map<string, Target>();
  for (const f of summary.byPlace.values()) {
    if (f.severity < rules.minSeverity) continue;
    for (const cls of classesFor(f.sign, f.zoneId, input)) addTarget(targets, { zoneId: f.zoneId, sign: f.sign, cls, byFinding: true }, null);
  }
  const goals = [...new Set(input.intake.goals)].sort((a, b) => cmp(a, b));
  for (const goal of goals) {
    for (const g of GOAL_TARGETS[goal] ?? []) {
      const evidence = zoneEvidence(summary, g.zoneId, g.sign);
      const strongest = evidence[0];
      if (strongest && strongest.severity < GOAL_MIN_SEVERITY) {
        notes.push(`${ZONE_LABELS[g.zoneId]} is graded ${gradeWord(strongest.severity)}, so it is not treated for the goal "${goalWords(goal)}".`);
        continue;
      }
      if (!strongest && !g.direct) continue;
      for (const cls of classesFor(g.sign, g.zoneId, input)) addTarget(targets, { zoneId: g.zoneId, sign: g.sign, cls, byFinding: false }, goal);
    }
  }
  return [...targets.values()].sort((a, b) => zoneIndex(a.zoneId) - zoneIndex(b.zoneId) || CLASS_ORDER.indexOf(a.cls) - CLASS_ORDER.indexOf(b.cls));
}

const goalWords = (goal: PatientGoal): string => goal.replace(/_/g, ' ');

/* ---------------------------------------------------------------- 3. items */

/** An item under construction, with what the later steps need. */
interface Draft {
  item: PlanItem;
  product: CatalogueProduct;
  zoneDose: ZoneDose;
  /** Items that are treated, budgeted and scheduled together (both sides; forehead with glabella). */
  bundle: string;
  cautionHits: ScreeningHit[];
  /** Cost in pennies per unit of the plan's amounts. */
  price: number;
}

interface Context {
  input: PlannerInput;
  rules: ResolvedPlannerRules;
  summary: FindingSummary;
  blocked: BlockedItem[];
  leftOut: LeftOutItem[];
  notes: string[];
}

const sidesFor = (zoneDose: ZoneDose): Side[] => (zoneDose.perSide && isPairedZone(zoneDose.zoneId) ? ['right', 'left'] : ['centre']);

/** The dose range and planned amount: the catalogue range, reaching up with severity and the subtlety chosen. */
export function doseFor(zoneDose: ZoneDose, step: number, severity: number | null, subtlety: Subtlety): { min: number; max: number; planned: number } {
  const position = severity === null ? 0 : clamp((severity - 1) / 3, 0, 1);
  const top = zoneDose.min + (zoneDose.max - zoneDose.min) * position * SUBTLETY_REACH[subtlety];
  // Rounded down to the product's step: never beyond what severity and subtlety allow.
  const max = clamp(floorTo(top, step), zoneDose.min, zoneDose.max);
  const planned = clamp(floorTo((zoneDose.min + max) / 2, step), zoneDose.min, max);
  return { min: zoneDose.min, max, planned };
}

function expectedChange(cls: TreatmentClass, severity: number | null, ctx: Context, product: CatalogueProduct): PlanItem['expectedChange'] {
  const cap = ctx.rules.maxGradeChangePerVisit[ctx.input.intake.subtlety];
  const lasts = `typically lasts about ${product.typicalDurationMonths} months`;
  if (severity === null) {
    const grades = Math.min(cap, CLASS_GAIN[cls], UNGRADED_GAIN);
    return { grades, text: `Not graded yet: a modest change is expected (about ${grades} grade point); grade the zone to refine the dose. It ${lasts}.` };
  }
  const grades = Math.floor(Math.min(cap, CLASS_GAIN[cls], severity) * 2) / 2;
  const after = Number(Math.max(0, severity - grades).toFixed(2));
  return {
    grades,
    text:
      grades > 0
        ? `From ${severity} (${gradeWord(severity)}) to about ${after} (${gradeWord(after)}) on the 0–4 scale, a projection, not a promise; it ${lasts}.`
        : `Little measurable change expected at this grade (${severity}); it ${lasts}.`,
  };
}

function findingWords(f: Evidence): string {
  const who = f.source === 'clinician' ? 'graded by the clinician' : `AI photo estimate (confidence ${f.confidence.toFixed(2)})`;
  return `${f.scale ?? placeName(f.zoneId, f.side)}: ${f.severity} (${gradeWord(f.severity)}), ${who}`;
}

interface SideBasis {
  finding: Evidence | null;
  severity: number | null;
  symmetry: boolean;
}

/**
 * The finding and severity one side's dose rests on. Toxins are dosed the same on both sides (the stronger
 * side's grade), for a symmetrical result; fillers follow each side's own grade. A side without a grade of its
 * own is treated with the other for symmetry, at the lowest dose.
 */
function sideBasis(target: Target, side: Side, evidence: Evidence[], cls: TreatmentClass, minSeverity: number): SideBasis {
  const strongest = evidence[0] ?? null;
  if (side === 'centre' || cls === 'neuromodulator') return { finding: strongest, severity: strongest?.severity ?? null, symmetry: false };
  const own = evidence.find((f) => f.side === side) ?? null;
  // A side that would not be treated on its own grade is treated with the other side (fillers: at its own grade).
  if (own) return { finding: own, severity: own.severity, symmetry: target.byFinding && target.goals.length === 0 && own.severity < minSeverity };
  return { finding: strongest, severity: null, symmetry: strongest !== null };
}

function rationaleText(target: Target, basis: SideBasis, side: Side, companion: string | null): string {
  const parts: string[] = [];
  if (companion) parts.push(companion);
  if (basis.finding) parts.push(`${findingWords(basis.finding)}.`);
  if (basis.symmetry && basis.finding) {
    parts.push(
      basis.finding.side === side
        ? `Below the treatment threshold on this side; treated with the other side for symmetry, at this side's grade.`
        : `Not graded on this side; treated with the ${basis.finding.side} side for symmetry, at the lowest dose.`,
    );
  }
  if (target.goals.length > 0) parts.push(`The patient's goal: ${target.goals.map(goalWords).join(', ')}.`);
  if (!basis.finding && target.goals.length === 0) parts.push('Suggested for the treatment plan as a whole.');
  return parts.join(' ');
}

function buildDrafts(target: Target, product: CatalogueProduct, zoneDose: ZoneDose, hits: ScreeningHit[], ctx: Context, companion: string | null = null): Draft[] {
  const evidence = zoneEvidence(ctx.summary, target.zoneId, target.sign);
  const step = doseStep(product.unit);
  const bundle = `${product.id}|${product.treatmentClass === 'neuromodulator' && target.zoneId === 'forehead' ? 'glabella' : target.zoneId}`;
  return sidesFor(zoneDose).map((side) => {
    const basis = sideBasis(target, side, evidence, product.treatmentClass, ctx.rules.minSeverity);
    const dose = doseFor(zoneDose, step, basis.severity, ctx.input.intake.subtlety);
    const f = basis.finding;
    const item: PlanItem = {
      key: planItemKey(target.zoneId, side, product.id),
      zoneId: target.zoneId,
      side,
      productId: product.id,
      productLabel: product.brand,
      treatmentClass: product.treatmentClass,
      dose: { min: dose.min, max: dose.max, unit: product.unit },
      plannedAmount: dose.planned,
      offLabel: isOffLabel(zoneDose, dose.planned),
      rationale: {
        finding: f ? { zoneId: f.zoneId, side: f.side, severity: f.severity, source: f.source } : null,
        goal: target.goals[0] ?? null,
        text: rationaleText(target, basis, side, companion),
      },
      expectedChange: expectedChange(product.treatmentClass, basis.severity, ctx, product),
      cost: { min: 0, max: 0, planned: 0 },
      stage: 1,
      cautions: [...new Set(hits.map((h) => h.rule))],
    };
    const draft: Draft = { item, product, zoneDose, bundle, cautionHits: hits, price: product.pricePerUnit };
    setCost(draft);
    return draft;
  });
}

function setCost(d: Draft): void {
  const { item, price } = d;
  item.cost = {
    min: pennies(item.dose.min, price) / 100,
    max: pennies(item.dose.max, price) / 100,
    planned: pennies(item.plannedAmount, price) / 100,
  };
}

function recordBlocked(ctx: Context, zoneId: ZoneId, sides: Side[], product: CatalogueProduct, blocks: ScreeningHit[]): void {
  for (const side of sides) for (const b of blocks) ctx.blocked.push({ zoneId, side, productId: product.id, rule: b.rule, reason: b.text });
}

const productSpecific = (blocks: ScreeningHit[]): boolean => blocks.every((b) => screeningRule(b.rule)?.productSpecific ?? false);

/**
 * Chooses the product for a target: the catalogue's first active product of the class for the zone that
 * screening allows and that fits the patient's downtime. Blocks are recorded; after an allergy (product-specific)
 * the next product is tried, after anything else (pregnancy, interval…) no product of the class is.
 */
function draftsForTarget(target: Target, ctx: Context): Draft[] {
  const limit = DOWNTIME_LIMIT[ctx.input.intake.downtime];
  const products = ctx.input.catalogue.products.filter((p) => p.active && p.treatmentClass === target.cls && zoneDoseFor(p, target.zoneId));
  let tooMuchDowntime: { product: CatalogueProduct; zoneDose: ZoneDose } | null = null;
  for (const product of products) {
    const zoneDose = zoneDoseFor(product, target.zoneId) as ZoneDose;
    const screening = screenItem(ctx.input.patient, product, target.zoneId, ctx.input.today);
    if (screening.blocks.length > 0) {
      recordBlocked(ctx, target.zoneId, sidesFor(zoneDose), product, screening.blocks);
      if (productSpecific(screening.blocks)) continue;
      break;
    }
    if (product.downtimeDays > limit) {
      tooMuchDowntime ??= { product, zoneDose };
      continue;
    }
    return buildDrafts(target, product, zoneDose, screening.cautions, ctx);
  }
  if (tooMuchDowntime) {
    const { product, zoneDose } = tooMuchDowntime;
    for (const side of sidesFor(zoneDose)) {
      ctx.leftOut.push({
        key: planItemKey(target.zoneId, side, product.id),
        zoneId: target.zoneId,
        side,
        productId: product.id,
        rule: 'downtime',
        reason: `${product.brand} means about ${product.downtimeDays} day(s) of downtime; the patient accepts ${downtimeWords(ctx.input.intake.downtime)}.`,
      });
    }
  }
  return [];
}

const downtimeWords = (t: DowntimeTolerance): string => (t === 'none' ? 'none (back to normal the next day)' : t === 'few_days' ? 'a few days' : 'up to a week');

/**
 * Forehead toxin is given with the glabella (the label's forehead dose is given with glabella 20 U, §4.1):
 * relaxing the forehead alone lets the brow drop. Adds the glabella when the plan lacks it, or leaves the
 * forehead out when the glabella cannot be treated.
 */
function withGlabellaCompanion(drafts: Draft[], ctx: Context): Draft[] {
  const out = [...drafts];
  for (const forehead of drafts.filter((d) => d.item.zoneId === 'forehead' && d.item.treatmentClass === 'neuromodulator')) {
    const product = forehead.product;
    if (out.some((d) => d.item.zoneId === 'glabella' && d.product.id === product.id)) continue;
    const zoneDose = zoneDoseFor(product, 'glabella');
    const screening = zoneDose ? screenItem(ctx.input.patient, product, 'glabella', ctx.input.today) : null;
    if (!zoneDose || !screening || screening.blocks.length > 0) {
      if (zoneDose && screening) recordBlocked(ctx, 'glabella', sidesFor(zoneDose), product, screening.blocks);
      out.splice(out.indexOf(forehead), 1);
      ctx.leftOut.push({
        key: forehead.item.key,
        zoneId: 'forehead',
        side: forehead.item.side,
        productId: product.id,
        rule: 'forehead-needs-glabella',
        reason: 'Forehead toxin is given with the glabella so that the brow does not drop, and the glabella cannot be treated now.',
      });
      continue;
    }
    const target: Target = { zoneId: 'glabella', sign: 'lines', cls: 'neuromodulator', goals: [], byFinding: false };
    const companion = 'Given with the forehead so that the brow does not drop (the label gives the forehead dose with glabella 20 U).';
    const [glabella] = buildDrafts(target, product, zoneDose, screening.cautions, ctx, companion);
    if (!glabella) continue;
    // The companion has the forehead's rationale when the glabella has no finding of its own.
    if (!glabella.item.rationale.finding) glabella.item.rationale.finding = forehead.item.rationale.finding;
    glabella.item.rationale.goal ??= forehead.item.rationale.goal;
    glabella.bundle = forehead.bundle;
    out.push(glabella);
  }
  return out;
}

/* ---------------------------------------------------------------- 4. budget */

interface Bundle {
  id: string;
  drafts: Draft[];
  product: CatalogueProduct;
  /** Expected benefit: grade points, a stated goal counting more. */
  benefit: number;
  /** Planned cost in pennies. */
  cost: number;
  phase: number;
  date: string;
}

const bundleCost = (drafts: Draft[]): number => drafts.reduce((sum, d) => sum + pennies(d.item.plannedAmount, d.price), 0);

function bundlesOf(drafts: Draft[]): Bundle[] {
  const byId = new Map<string, Draft[]>();
  for (const d of drafts) byId.set(d.bundle, [...(byId.get(d.bundle) ?? []), d]);
  return [...byId.entries()]
    .sort(([a], [b]) => cmp(a, b))
    .map(([id, list]) => {
      const benefit = list.reduce((sum, d) => sum + d.item.expectedChange.grades * (d.item.rationale.goal ? GOAL_WEIGHT : 1), 0);
      const product = (list[0] as Draft).product;
      return { id, drafts: list, product, benefit, cost: bundleCost(list), phase: phaseOf(list), date: '' };
    });
}

const ratio = (b: Bundle): number => (b.cost > 0 ? b.benefit / b.cost : b.benefit > 0 ? Infinity : 0);

/** Keeps the best benefit per pound first while the planned total fits the budget (a bundle is never split). */
function applyBudget(bundles: Bundle[], budget: number | null, ctx: Context): { kept: Bundle[]; deferred: Bundle[] } {
  if (budget === null) return { kept: bundles, deferred: [] };
  const limit = Math.floor(Math.max(0, budget) * 100 + 1e-6);
  const order = [...bundles].sort((a, b) => ratio(b) - ratio(a) || b.benefit - a.benefit || cmp(a.id, b.id));
  const kept: Bundle[] = [];
  const deferred: Bundle[] = [];
  let spent = 0;
  for (const b of order) {
    if (spent + b.cost <= limit) {
      kept.push(b);
      spent += b.cost;
    } else deferred.push(b);
  }
  const currency = ctx.input.catalogue.currency;
  ctx.notes.push(
    deferred.length === 0
      ? `Budget ${formatMoney(budget, currency)}: everything suggested fits (${formatMoney(spent / 100, currency)}).`
      : `Budget ${formatMoney(budget, currency)}: the items with the best expected change per ${currency === 'GBP' ? 'pound' : 'unit of currency'} are kept (${formatMoney(spent / 100, currency)}); ${deferred.length} treatment(s) are deferred, costing ${formatMoney(deferred.reduce((s, b) => s + b.cost, 0) / 100, currency)}.`,
  );
  return { kept: kept.sort((a, b) => cmp(a.id, b.id)), deferred: deferred.sort((a, b) => cmp(a.id, b.id)) };
}

/* ---------------------------------------------------------------- 5. staging */

const STRUCTURAL_ZONES: readonly ZoneId[] = ['cheek', 'temple'];
const RESURFACING: readonly TreatmentClass[] = ['peel', 'energy_device', 'microneedling'];

/**
 * The visit a bundle belongs to, before dates: 1 toxin and structural midface support (the foundation,
 * reviewed at 2 weeks); 2 lower face, lips and tear troughs, judged after the toxin and midface have settled;
 * 3 injectable skin treatments; 4 resurfacing, at least two weeks after the last injection so that treated
 * areas are not heated, peeled or needled while swollen.
 */
function phaseOf(drafts: Draft[]): number {
  const { product, item } = drafts[0] as Draft;
  const cls = product.treatmentClass;
  if (cls === 'neuromodulator') return 1;
  if (cls === 'ha_filler') return STRUCTURAL_ZONES.includes(item.zoneId) ? 1 : 2;
  if (cls === 'skin_booster' || cls === 'biostimulator') return 3;
  return 4;
}

/** Days from the first to the last session of a course (0 for a single treatment). */
function courseDays(b: Bundle): number {
  if (b.product.unit !== 'session') return 0;
  return Math.max(...b.drafts.map((d) => Math.max(0, Math.ceil(d.item.plannedAmount) - 1))) * b.product.minIntervalDays;
}

function assignPhaseDates(bundles: Bundle[], ctx: Context): void {
  const phases = [...new Set(bundles.map((b) => b.phase))].sort((a, b) => a - b);
  const dateOf = new Map<number, string>();
  phases.forEach((phase, i) => dateOf.set(phase, addDaysIso(ctx.input.today, i * ctx.rules.weeksBetweenVisits * 7)));
  for (const b of bundles) b.date = dateOf.get(b.phase) as string;
}

const labelOf = (b: Bundle): string => `${b.product.brand} (${[...new Set(b.drafts.map((d) => ZONE_LABELS[d.item.zoneId].toLowerCase()))].join(', ')})`;

/** Ready-by rule and downtime rule for an upcoming event; returns the event date when it applies. */
function applyEvent(bundles: Bundle[], ctx: Context): string | null {
  const event = ctx.input.intake.upcomingEvent;
  if (!event) return null;
  if (!isIsoDate(event.date)) {
    ctx.notes.push(`The event date "${event.date}" cannot be read, so the plan does not work around it.`);
    return null;
  }
  const today = ctx.input.today;
  if (event.date < today) {
    ctx.notes.push(`The event (${event.description || event.date}) is in the past; the plan ignores it.`);
    return null;
  }
  const readyBy = addDaysIso(event.date, -14);
  const before = ctx.notes.length;
  for (const b of bundles) {
    if (b.date > event.date) continue;
    const end = addDaysIso(b.date, courseDays(b));
    if (end <= readyBy) continue;
    const injectable = INJECTABLE_CLASSES.includes(b.product.treatmentClass);
    if (injectable && b.date !== today && addDaysIso(today, courseDays(b)) <= readyBy) {
      b.date = today;
      ctx.notes.push(`${labelOf(b)} is brought forward to the first visit so that it has settled two weeks before the event (${event.date}).`);
    } else if (RESURFACING.includes(b.product.treatmentClass) || addDaysIso(end, b.product.downtimeDays) >= event.date) {
      b.date = addDaysIso(event.date, 1);
      ctx.notes.push(`${labelOf(b)} is moved to after the event (${event.date}): its downtime or results would not be settled in time.`);
    } else {
      ctx.notes.push(`${labelOf(b)} will be past its downtime by the event (${event.date}) but less than two weeks before it; the clinician may prefer to wait.`);
    }
  }
  if (ctx.notes.length === before && bundles.some((b) => b.date <= event.date)) {
    ctx.notes.push(`Everything before the event (${event.date}) is done, and its downtime over, at least two weeks ahead of it.`);
  }
  return event.date;
}

/** The hard event rule alone (no downtime on the event day), for bundles moved later by the ceiling. */
function keepEventClear(bundles: Bundle[], eventDate: string | null): boolean {
  if (!eventDate) return false;
  let moved = false;
  for (const b of bundles) {
    if (b.date <= eventDate && addDaysIso(addDaysIso(b.date, courseDays(b)), b.product.downtimeDays) >= eventDate) {
      b.date = addDaysIso(eventDate, 1);
      moved = true;
    }
  }
  return moved;
}

/** Toxin visits are all on one day or at least the minimum interval apart (counted across brands, like screening). */
function keepToxinIntervals(bundles: Bundle[]): boolean {
  const toxins = bundles.filter((b) => b.product.treatmentClass === 'neuromodulator');
  const interval = Math.max(0, ...toxins.map((b) => b.product.minIntervalDays));
  const dates = [...new Set(toxins.map((b) => b.date))].sort();
  for (let i = 1; i < dates.length; i++) {
    const gap = daysBetweenIso(dates[i - 1] as string, dates[i] as string);
    if (gap < interval) {
      const target = addDaysIso(dates[i - 1] as string, interval);
      for (const b of toxins) if (b.date === dates[i]) b.date = target;
      return true;
    }
  }
  return false;
}

const toxinPriority = (a: Bundle, b: Bundle): number => {
  const offA = a.drafts.some((d) => d.zoneDose.label === 'off-label') ? 1 : 0;
  const offB = b.drafts.some((d) => d.zoneDose.label === 'off-label') ? 1 : 0;
  return offA - offB || b.benefit - a.benefit || cmp(a.id, b.id);
};

/** Lowers every item's top dose by the same share so the bundle fits `room` (sides stay equal). */
function trimBundle(b: Bundle, room: number): void {
  const minSum = b.drafts.reduce((s, d) => s + d.item.dose.min, 0);
  const maxSum = b.drafts.reduce((s, d) => s + d.item.dose.max, 0);
  const share = maxSum > minSum ? (room - minSum) / (maxSum - minSum) : 0;
  for (const d of b.drafts) {
    const step = doseStep(d.product.unit);
    d.item.dose.max = Math.max(d.item.dose.min, floorTo(d.item.dose.min + (d.item.dose.max - d.item.dose.min) * share, step));
    d.item.plannedAmount = Math.min(d.item.plannedAmount, d.item.dose.max);
    d.item.offLabel = isOffLabel(d.zoneDose, d.item.plannedAmount);
    setCost(d);
  }
  b.cost = bundleCost(b.drafts);
}

/**
 * The toxin ceiling per product per visit, on the top of each dose range (so any dose the clinician picks
 * within the ranges stays under it). Labelled uses first, then the best benefit. A bundle that does not fit is
 * trimmed if its lowest doses fit, else moved to the next toxin cycle (after the minimum interval); one that
 * cannot fit even alone is left out. Returns true when something changed.
 */
function applyToxinCeiling(bundles: Bundle[], ctx: Context, removed: Set<Bundle>): boolean {
  let changed = false;
  const toxins = bundles.filter((b) => b.product.treatmentClass === 'neuromodulator' && !removed.has(b));
  const groups = new Map<string, Bundle[]>();
  for (const b of toxins) groups.set(`${b.date}|${b.product.id}`, [...(groups.get(`${b.date}|${b.product.id}`) ?? []), b]);
  for (const key of [...groups.keys()].sort()) {
    const group = (groups.get(key) as Bundle[]).sort(toxinPriority);
    const product = (group[0] as Bundle).product;
    const ceiling = toxinCeiling(product, ctx.rules);
    let room = ceiling;
    for (const b of group) {
      const maxSum = b.drafts.reduce((s, d) => s + d.item.dose.max, 0);
      const minSum = b.drafts.reduce((s, d) => s + d.item.dose.min, 0);
      if (maxSum <= room) {
        room -= maxSum;
      } else if (minSum <= room) {
        trimBundle(b, room);
        room -= b.drafts.reduce((s, d) => s + d.item.dose.max, 0);
        ctx.notes.push(`${labelOf(b)}: the top of the dose range is lowered to keep ${product.brand} within ${ceiling} U at one visit.`);
        changed = true;
      } else if (room === ceiling) {
        removed.add(b);
        for (const d of b.drafts) {
          ctx.leftOut.push({ key: d.item.key, zoneId: d.item.zoneId, side: d.item.side, productId: product.id, rule: 'toxin-ceiling', reason: `Even its lowest dose is above the ${ceiling} U ceiling of ${product.brand} per visit.` });
        }
        changed = true;
      } else {
        b.date = addDaysIso(b.date, product.minIntervalDays);
        ctx.notes.push(`${labelOf(b)} is moved to the next toxin cycle (${b.date}) to keep ${product.brand} within ${ceiling} U at one visit.`);
        changed = true;
      }
    }
  }
  return changed;
}

function schedule(bundles: Bundle[], ctx: Context): { bundles: Bundle[]; eventDate: string | null } {
  assignPhaseDates(bundles, ctx);
  const eventDate = applyEvent(bundles, ctx);
  const removed = new Set<Bundle>();
  for (let round = 0; ; round++) {
    if (round > 200) throw new Error('planner: the schedule did not settle (a rule keeps moving items)');
    const live = bundles.filter((b) => !removed.has(b));
    const changed = applyToxinCeiling(live, ctx, removed) || keepToxinIntervals(live) || keepEventClear(live, eventDate);
    if (!changed) break;
  }
  return { bundles: bundles.filter((b) => !removed.has(b)), eventDate };
}

/* ---------------------------------------------------------------- 6. stages, maintenance, totals */

const CLASS_WORDS: Record<TreatmentClass, string> = {
  neuromodulator: 'anti-wrinkle toxin',
  ha_filler: 'filler',
  skin_booster: 'skin booster',
  biostimulator: 'collagen stimulator',
  peel: 'chemical peel',
  energy_device: 'light or energy treatment',
  microneedling: 'microneedling',
};

function stageLabel(n: number, date: string, drafts: Draft[], earlierToxinDates: string[], eventDate: string | null): string {
  const parts: string[] = [];
  if (earlierToxinDates.some((d) => daysBetweenIso(d, date) >= 10 && daysBetweenIso(d, date) <= 30)) parts.push('toxin review');
  for (const cls of CLASS_ORDER) {
    const of = drafts.filter((d) => d.product.treatmentClass === cls);
    if (of.length === 0) continue;
    const zones = [...new Set(of.map((d) => d.item.zoneId))].sort((a, b) => zoneIndex(a) - zoneIndex(b)).map((z) => ZONE_LABELS[z].toLowerCase());
    parts.push(`${CLASS_WORDS[cls]} (${zones.join(', ')})`);
  }
  const when = eventDate && date > eventDate ? ', after the event' : earlierToxinDates.some((d) => daysBetweenIso(d, date) >= 80) && drafts.some((d) => d.product.treatmentClass === 'neuromodulator') ? ', next toxin cycle' : '';
  return `Visit ${n}${when}: ${parts.join('; ')}`;
}

function buildStages(bundles: Bundle[], eventDate: string | null): PlanStage[] {
  const dates = [...new Set(bundles.map((b) => b.date))].sort();
  const stages: PlanStage[] = [];
  const toxinDates: string[] = [];
  dates.forEach((date, i) => {
    const drafts = bundles.filter((b) => b.date === date).flatMap((b) => b.drafts);
    for (const d of drafts) d.item.stage = i + 1;
    const toxinUnits: Record<string, number> = {};
    for (const d of drafts.filter((x) => x.product.treatmentClass === 'neuromodulator')) {
      toxinUnits[d.product.id] = Number(((toxinUnits[d.product.id] ?? 0) + d.item.plannedAmount).toFixed(2));
    }
    stages.push({
      stage: i + 1,
      earliestDate: date,
      label: stageLabel(i + 1, date, drafts, toxinDates, eventDate),
      itemKeys: drafts.map((d) => d.item).sort(compareItems).map((it) => it.key),
      cost: drafts.reduce((s, d) => s + pennies(d.item.plannedAmount, d.price), 0) / 100,
      toxinUnits,
    });
    if (Object.keys(toxinUnits).length > 0) toxinDates.push(date);
  });
  return stages;
}

/**
 * When to invite the patient back (§4.4): fillers and collagen stimulators for a review at half their typical
 * duration (lips ~1 year → 6 months; midface ~2 years → 12 months); toxins and other courses about three
 * weeks before the effect is expected to fade, never earlier than two weeks before re-treatment is allowed
 * (toxin 3.5 months → ~12 weeks, §4.4: reminder at 10–12 weeks, re-treat ≥ 12 weeks).
 */
function reminderDays(product: CatalogueProduct): number {
  const duration = monthsToDays(product.typicalDurationMonths);
  if (product.treatmentClass === 'ha_filler' || product.treatmentClass === 'biostimulator') return Math.round(duration / 2);
  return Math.max(duration - 21, product.minIntervalDays - 14, 1);
}

function buildMaintenance(bundles: Bundle[]): MaintenanceEntry[] {
  const byProduct = new Map<string, Bundle[]>();
  for (const b of bundles) byProduct.set(b.product.id, [...(byProduct.get(b.product.id) ?? []), b]);
  const entries = [...byProduct.values()].map((list): MaintenanceEntry => {
    const product = (list[0] as Bundle).product;
    const last = list.map((b) => addDaysIso(b.date, courseDays(b))).sort().at(-1) as string;
    const zoneIds = [...new Set(list.flatMap((b) => b.drafts.map((d) => d.item.zoneId)))].sort((a, b) => zoneIndex(a) - zoneIndex(b));
    return { productId: product.id, productLabel: product.brand, zoneIds, everyMonths: product.typicalDurationMonths, firstReminder: addDaysIso(last, reminderDays(product)) };
  });
  return entries.sort((a, b) => cmp(a.firstReminder, b.firstReminder) || cmp(a.productId, b.productId));
}

function buildCautions(items: PlanItem[], drafts: Draft[]): PlanCaution[] {
  const order = SCREENING_RULES.map((r) => r.id);
  const byRule = new Map<string, PlanCaution>();
  for (const d of [...drafts].sort((a, b) => compareItems(a.item, b.item))) {
    for (const hit of d.cautionHits) {
      const c = byRule.get(hit.rule) ?? { rule: hit.rule, text: hit.text, itemKeys: [] };
      if (items.includes(d.item)) c.itemKeys.push(d.item.key);
      byRule.set(hit.rule, c);
    }
  }
  return [...byRule.values()].filter((c) => c.itemKeys.length > 0).sort((a, b) => order.indexOf(a.rule) - order.indexOf(b.rule));
}

function sortBlocked(blocked: BlockedItem[]): BlockedItem[] {
  const seen = new Set<string>();
  return blocked
    .filter((b) => {
      const key = `${b.zoneId}:${b.side}:${b.productId}:${b.rule}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => comparePlace(a, b) || cmp(a.rule, b.rule));
}

/* ---------------------------------------------------------------- explanation */

function findingNotes(ctx: Context): string[] {
  const s = ctx.summary;
  const notes = [
    `Findings used: ${s.clinician} clinician grade(s) and ${s.ai} AI photo estimate(s); a clinician's grade replaces the AI estimate of the same zone and side.`,
  ];
  if (s.lowConfidence > 0) notes.push(`${s.lowConfidence} AI estimate(s) with a confidence below ${ctx.rules.minAiConfidence} were not used.`);
  if (s.unusable > 0) notes.push(`${s.unusable} finding(s) without a usable zone or grade were ignored.`);
  if ([...s.byPlace.values()].some((f) => f.zoneId === 'cheek' && f.sign === 'skin')) {
    notes.push('The cheek grade describes the smoothness of the skin, so it points to skin treatments; cheek filler comes from the goals (midface volume, looking less tired).');
  }
  notes.push(`Zones graded below ${ctx.rules.minSeverity} (${gradeWord(ctx.rules.minSeverity)}) are treated only when one of the patient's goals asks for them.`);
  return notes;
}

function intakeNotes(ctx: Context): string[] {
  const intake = ctx.input.intake;
  const cap = ctx.rules.maxGradeChangePerVisit[intake.subtlety];
  const goals = intake.goals.length > 0 ? intake.goals.map(goalWords).join(', ') : 'none stated';
  return [
    `The patient's goals: ${goals}. Preference "${intake.subtlety}": doses reach ${Math.round(SUBTLETY_REACH[intake.subtlety] * 100)} % of the way up the catalogue range for the most severe findings, and the expected change is capped at ${cap} grade point(s) per zone per visit.`,
    `Downtime accepted: ${downtimeWords(intake.downtime)}.`,
  ];
}

function safetyNotes(blocked: BlockedItem[], leftOut: LeftOutItem[]): string[] {
  const notes: string[] = [];
  if (blocked.length > 0) {
    const rules = [...new Set(blocked.map((b) => b.rule))];
    notes.push(`Not suggested for safety (contraindications, which the review cannot override): ${rules.join(', ')}; see "blocked".`);
  }
  const downtime = leftOut.filter((l) => l.rule === 'downtime').length;
  if (downtime > 0) notes.push(`${downtime} item(s) left out because their downtime is more than the patient accepts.`);
  return notes;
}

function stagingNotes(stages: PlanStage[], drafts: Draft[], ctx: Context): string[] {
  if (stages.length === 0) return ['Nothing is suggested: the clinician may add treatments in the review.'];
  const notes = [
    `Staged over ${stages.length} visit(s): toxin and midface support first; lower face, lips and tear troughs at least ${ctx.rules.weeksBetweenVisits} weeks later, once the toxin can be reviewed and swelling has settled; skin treatments after the injections.`,
  ];
  if (drafts.some((d) => d.product.unit === 'session' && d.item.plannedAmount > 1)) {
    notes.push('Skin treatments are courses of sessions: each is shown at its first visit, with the cost of the whole course.');
  }
  if (drafts.some((d) => d.item.offLabel)) notes.push('Off-label uses are flagged: they rest on consensus and practice, not a label, and need the clinician\'s judgement (§4.2).');
  return notes;
}

/* ---------------------------------------------------------------- the planner */

/** The suggested plan for a consultation. Throws only for a malformed consultation date. */
export function planTreatment(input: PlannerInput): SuggestedPlan {
  if (!isIsoDate(input.today)) throw new RangeError(`planTreatment: "today" must be an ISO date (yyyy-mm-dd), got "${input.today}"`);
  const rules = resolvePlannerRules(input.rules);
  const ctx: Context = { input, rules, summary: collectFindings(input.findings, rules), blocked: [], leftOut: [], notes: [] };
  const goalNotes: string[] = [];
  const targets = collectTargets(input, ctx.summary, rules, goalNotes);
  const drafts = withGlabellaCompanion(targets.flatMap((t) => draftsForTarget(t, ctx)), ctx);

  const budgetNotes: string[] = [];
  const { kept, deferred } = applyBudget(bundlesOf(drafts), input.intake.budget, { ...ctx, notes: budgetNotes });
  const { bundles, eventDate } = schedule(kept, ctx);
  const stages = buildStages(bundles, eventDate);
  const planned = bundles.flatMap((b) => b.drafts);
  const items = planned.map((d) => d.item).sort(compareItems);
  const blocked = sortBlocked(ctx.blocked);
  const leftOut = [...ctx.leftOut].sort(comparePlace);
  const total = planned.reduce(
    (t, d) => ({ min: t.min + pennies(d.item.dose.min, d.price), max: t.max + pennies(d.item.dose.max, d.price), planned: t.planned + pennies(d.item.plannedAmount, d.price) }),
    { min: 0, max: 0, planned: 0 },
  );
  const currency = input.catalogue.currency;
  const explanation = [
    `Suggested by the planner (${PLANNER_RULES_VERSION}) for the clinician to review: doses are ranges, the clinician sets each dose, accepts, changes or rejects every item, and signs. Nothing here is a prescription.`,
    ...findingNotes(ctx),
    ...intakeNotes(ctx),
    ...goalNotes,
    ...safetyNotes(blocked, leftOut),
    ...stagingNotes(stages, planned, ctx),
    ...ctx.notes,
    ...budgetNotes,
    `Planned total ${formatMoney(total.planned / 100, currency)}; ${formatMoney(total.min / 100, currency)} to ${formatMoney(total.max / 100, currency)} across the dose ranges.`,
  ];
  return {
    rulesVersion: PLANNER_RULES_VERSION,
    currency,
    items,
    blocked,
    cautions: buildCautions(items, planned),
    stages,
    maintenance: buildMaintenance(bundles),
    totalCost: { min: total.min / 100, max: total.max / 100, planned: total.planned / 100 },
    deferredForBudget: deferred
      .flatMap((b) => b.drafts.map((d) => ({ key: d.item.key, zoneId: d.item.zoneId, side: d.item.side, productId: d.product.id, cost: pennies(d.item.plannedAmount, d.price) / 100 })))
      .sort(comparePlace),
    explanation,
    leftOut,
  };
}
