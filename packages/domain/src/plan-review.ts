/**
 * The clinician's review of a suggested plan: every suggested item is accepted, modified or rejected (a reason
 * is required for the last two), items may be added, and the result is the plan that is signed. Pure: the
 * server stores the decisions and calls `applyReview` to get the decision record, the final items and what
 * still stops signing.
 *
 * Screening runs again on every final item (suggested, changed or added) on the review day: a contraindication
 * cannot be overridden by a decision, and the patient's record may have changed since the suggestion.
 */
import type { Side, ZoneId } from './face-analysis.js';
import { placeName, resolvePlannerRules } from './planner.js';
import { isIsoDate, screenItem, toxinCeiling } from './screening.js';
import { isOffLabel, isPairedZone, productById, zoneDoseFor } from './treatment-catalogue.js';
import type {
  AddedItemInput,
  CatalogueProduct,
  FinalPlanItem,
  ItemDecisionInput,
  ItemDecisionRecord,
  PlanItem,
  PlannerRules,
  PlanPatient,
  SuggestedPlan,
  TreatmentCatalogue,
  ZoneDose,
} from './treatment-plan.js';
import { ZONE_IDS } from './face-analysis.js';

export const REVIEW_PROBLEM_CODES = [
  /** A suggested item has no decision yet: a draft may be saved, but not signed. */
  'incomplete',
  'reason-required',
  'unknown-item',
  'duplicate-decision',
  'nothing-changed',
  'unknown-product',
  'inactive-product',
  'zone-not-in-catalogue',
  'side-mismatch',
  'amount-required',
  'amount-out-of-range',
  'whole-sessions',
  'invalid-stage',
  'contraindicated',
  'duplicate-item',
  'toxin-ceiling',
] as const;
export type ReviewProblemCode = (typeof REVIEW_PROBLEM_CODES)[number];

export interface ReviewProblem {
  code: ReviewProblemCode;
  /** The item the problem is about (absent for a problem of a whole visit, such as the toxin ceiling). */
  itemKey?: string;
  message: string;
}

export interface ReviewInput {
  plan: SuggestedPlan;
  decisions: ItemDecisionInput[];
  added: AddedItemInput[];
  catalogue: TreatmentCatalogue;
  patient: PlanPatient;
  /** The review day (ISO): screening intervals are checked on it. */
  today: string;
  /** The planner rules the ceiling comes from (defaults as in the planner). */
  rules?: Partial<PlannerRules>;
}

export interface ReviewResult {
  /** One record per decided suggestion (plan order), then the added items (input order). */
  records: ItemDecisionRecord[];
  /** The plan as it will be done: the items without a problem, in visit order. */
  final: FinalPlanItem[];
  /** Everything that stops signing; empty when the plan can be signed. */
  problems: ReviewProblem[];
}

/** How far beyond the catalogue's top dose a clinician may go: judgement, yet a typo (mL for U, 10× decimal) is caught. */
export const MAX_AMOUNT_FACTOR = 3;

const hasText = (s: string | undefined | null): s is string => typeof s === 'string' && s.trim().length > 0;

/** What one final item would be: where, what and how much. */
interface Proposal {
  key: string;
  zoneId: ZoneId;
  side: Side;
  productId: string;
  amount: number | null;
  stage: number;
  origin: FinalPlanItem['origin'];
}

const what = (p: { zoneId: ZoneId; side: Side }, product: { brand: string } | string): string =>
  `${typeof product === 'string' ? product : product.brand} in the ${placeName(p.zoneId, p.side).toLowerCase()}`;

function productProblem(p: Proposal, catalogue: TreatmentCatalogue): { product?: CatalogueProduct; zoneDose?: ZoneDose; problem?: ReviewProblem } {
  const product = productById(catalogue, p.productId);
  if (!product) return { problem: { code: 'unknown-product', itemKey: p.key, message: `${p.key}: the product "${p.productId}" is not in the clinic's catalogue.` } };
  if (!product.active) return { problem: { code: 'inactive-product', itemKey: p.key, message: `${p.key}: ${product.brand} is no longer offered (inactive in the catalogue).` } };
  if (!(ZONE_IDS as readonly string[]).includes(p.zoneId)) return { problem: { code: 'zone-not-in-catalogue', itemKey: p.key, message: `${p.key}: unknown zone "${p.zoneId}".` } };
  const zoneDose = zoneDoseFor(product, p.zoneId);
  if (!zoneDose) {
    return {
      problem: { code: 'zone-not-in-catalogue', itemKey: p.key, message: `${p.key}: the catalogue has no dose of ${product.brand} for the ${placeName(p.zoneId, 'centre').toLowerCase()}; add it to the catalogue first.` },
    };
  }
  return { product, zoneDose };
}

function sideProblem(p: Proposal, zoneDose: ZoneDose): ReviewProblem | null {
  const perSide = zoneDose.perSide && isPairedZone(p.zoneId);
  if (perSide && p.side === 'centre') return { code: 'side-mismatch', itemKey: p.key, message: `${p.key}: this dose is per side: choose the right or the left side.` };
  if (!perSide && p.side !== 'centre') return { code: 'side-mismatch', itemKey: p.key, message: `${p.key}: this dose is for the whole area: the side must be "centre".` };
  return null;
}

function amountProblem(p: Proposal, product: CatalogueProduct, zoneDose: ZoneDose): ReviewProblem | null {
  const amount = p.amount;
  const limit = Number((zoneDose.max * MAX_AMOUNT_FACTOR).toFixed(2));
  if (amount === null || !Number.isFinite(amount) || amount <= 0 || amount > limit) {
    return {
      code: 'amount-out-of-range',
      itemKey: p.key,
      message: `${p.key}: ${amount} ${product.unit} of ${what(p, product)} is outside 0–${limit} ${product.unit}. The amount must be more than zero and at most ${MAX_AMOUNT_FACTOR}× the catalogue's top dose (${zoneDose.max} ${product.unit}${zoneDose.perSide ? ' per side' : ''}): beyond that it is more likely a slip (another product's units, a misplaced decimal point) than a clinical choice.`,
    };
  }
  if (product.unit === 'session' && !Number.isInteger(amount)) {
    return { code: 'whole-sessions', itemKey: p.key, message: `${p.key}: ${product.brand} is given in whole sessions, not ${amount}.` };
  }
  return null;
}

function stageProblem(p: Proposal): ReviewProblem | null {
  return Number.isInteger(p.stage) && p.stage >= 1 ? null : { code: 'invalid-stage', itemKey: p.key, message: `${p.key}: the visit must be a whole number from 1, not ${p.stage}.` };
}

function screeningProblems(p: Proposal, product: CatalogueProduct, input: ReviewInput): ReviewProblem[] {
  return screenItem(input.patient, product, p.zoneId, input.today).blocks.map((b) => ({
    code: 'contraindicated' as const,
    itemKey: p.key,
    message: `${p.key}: ${what(p, product)} is contraindicated (${b.rule}): ${b.text} A contraindication cannot be overridden.`,
  }));
}

/** Checks a proposal and, when it has no problem, makes the final item. */
function finalise(p: Proposal, input: ReviewInput): { item: FinalPlanItem | null; problems: ReviewProblem[] } {
  const found = productProblem(p, input.catalogue);
  if (found.problem || !found.product || !found.zoneDose) return { item: null, problems: found.problem ? [found.problem] : [] };
  const { product, zoneDose } = found;
  const problems = [sideProblem(p, zoneDose), amountProblem(p, product, zoneDose), stageProblem(p)].filter((x): x is ReviewProblem => x !== null);
  problems.push(...screeningProblems(p, product, input));
  if (problems.length > 0 || p.amount === null) return { item: null, problems };
  return {
    item: {
      key: p.key,
      zoneId: p.zoneId,
      side: p.side,
      productId: product.id,
      productLabel: product.brand,
      treatmentClass: product.treatmentClass,
      amount: p.amount,
      unit: product.unit,
      stage: p.stage,
      offLabel: isOffLabel(zoneDose, p.amount),
      cost: Math.round(p.amount * product.pricePerUnit * 100) / 100,
      origin: p.origin,
    },
    problems,
  };
}

function modifiedProposal(item: PlanItem, d: ItemDecisionInput): { proposal: Proposal; problem: ReviewProblem | null } {
  const change = d.change ?? {};
  const productChanged = change.productId !== undefined && change.productId !== item.productId;
  const proposal: Proposal = {
    key: item.key,
    zoneId: change.zoneId ?? item.zoneId,
    side: change.side ?? item.side,
    productId: change.productId ?? item.productId,
    amount: change.amount ?? (productChanged ? null : item.plannedAmount),
    stage: change.stage ?? item.stage,
    origin: 'suggested',
  };
  const unchanged =
    proposal.zoneId === item.zoneId && proposal.side === item.side && proposal.productId === item.productId && proposal.amount === item.plannedAmount && proposal.stage === item.stage;
  if (unchanged) return { proposal, problem: { code: 'nothing-changed', itemKey: item.key, message: `${item.key}: "modify" changes nothing; accept the item instead, or say what to change.` } };
  if (productChanged && change.amount === undefined) {
    return {
      proposal,
      problem: {
        code: 'amount-required',
        itemKey: item.key,
        message: `${item.key}: give the amount for ${change.productId}: doses are never converted between products (toxin units of different brands are not interchangeable).`,
      },
    };
  }
  return { proposal, problem: null };
}

const acceptedProposal = (item: PlanItem): Proposal => ({
  key: item.key,
  zoneId: item.zoneId,
  side: item.side,
  productId: item.productId,
  amount: item.plannedAmount,
  stage: item.stage,
  origin: 'suggested',
});

const DECIDED = { accept: 'accepted', modify: 'modified', reject: 'rejected' } as const;

/** The decision on one suggested item: its record, final item and problems. */
function reviewSuggested(item: PlanItem, d: ItemDecisionInput, input: ReviewInput): { record: ItemDecisionRecord; problems: ReviewProblem[] } {
  const reason = hasText(d.reason) ? d.reason.trim() : null;
  const base = { itemKey: item.key, decision: DECIDED[d.decision], proposed: structuredClone(item), reason };
  if (d.decision !== 'accept' && !reason) {
    return { record: { ...base, final: null }, problems: [{ code: 'reason-required', itemKey: item.key, message: `${item.key}: a reason is required to ${d.decision} a suggestion.` }] };
  }
  if (d.decision === 'reject') return { record: { ...base, final: null }, problems: [] };
  let proposal = acceptedProposal(item);
  if (d.decision === 'modify') {
    const modified = modifiedProposal(item, d);
    if (modified.problem) return { record: { ...base, final: null }, problems: [modified.problem] };
    proposal = modified.proposal;
  }
  const { item: final, problems } = finalise(proposal, input);
  return { record: { ...base, final }, problems };
}

function reviewAdded(a: AddedItemInput, input: ReviewInput): { record: ItemDecisionRecord; problems: ReviewProblem[] } {
  const key = a.key ?? `added:${a.zoneId}:${a.side}:${a.productId}`;
  const reason = hasText(a.reason) ? a.reason.trim() : null;
  if (!reason) {
    return { record: { itemKey: key, decision: 'added', proposed: null, final: null, reason }, problems: [{ code: 'reason-required', itemKey: key, message: `${key}: say why the item is added.` }] };
  }
  const proposal: Proposal = { key, zoneId: a.zoneId, side: a.side, productId: a.productId, amount: a.amount, stage: a.stage, origin: 'clinician' };
  const { item, problems } = finalise(proposal, input);
  return { record: { itemKey: key, decision: 'added', proposed: null, final: item, reason }, problems };
}

/** Two final items for the same product in the same place are one treatment entered twice. */
function duplicateProblems(final: FinalPlanItem[]): ReviewProblem[] {
  const seen = new Map<string, string>();
  const problems: ReviewProblem[] = [];
  for (const f of final) {
    const place = `${f.zoneId}:${f.side}:${f.productId}`;
    const first = seen.get(place);
    if (first) problems.push({ code: 'duplicate-item', itemKey: f.key, message: `${f.key}: ${what(f, f.productLabel)} is already planned (${first}); change that item instead.` });
    else seen.set(place, f.key);
  }
  return problems;
}

/** The toxin ceiling per product per visit, on the final amounts (each product in its own units). */
function ceilingProblems(final: FinalPlanItem[], input: ReviewInput): ReviewProblem[] {
  const rules = resolvePlannerRules(input.rules);
  const groups = new Map<string, FinalPlanItem[]>();
  for (const f of final.filter((x) => x.treatmentClass === 'neuromodulator')) {
    const key = `${f.stage}|${f.productId}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const problems: ReviewProblem[] = [];
  for (const key of [...groups.keys()].sort()) {
    const items = groups.get(key) as FinalPlanItem[];
    const first = items[0] as FinalPlanItem;
    const product = productById(input.catalogue, first.productId);
    if (!product) continue;
    const ceiling = toxinCeiling(product, rules);
    const total = Number(items.reduce((s, f) => s + f.amount, 0).toFixed(2));
    if (total > ceiling) {
      problems.push({
        code: 'toxin-ceiling',
        message: `Visit ${first.stage}: ${total} U of ${product.brand} is above the ceiling of ${ceiling} U at one visit (${items.map((f) => f.key).join(', ')}). Lower a dose or move an item to a visit at least ${product.minIntervalDays} days later.`,
      });
    }
  }
  return problems;
}

const SIDE_ORDER: readonly Side[] = ['right', 'left', 'centre'];
const compareFinal = (a: FinalPlanItem, b: FinalPlanItem): number =>
  a.stage - b.stage || ZONE_IDS.indexOf(a.zoneId) - ZONE_IDS.indexOf(b.zoneId) || SIDE_ORDER.indexOf(a.side) - SIDE_ORDER.indexOf(b.side) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Applies the clinician's decisions to a suggested plan. Throws only for a malformed review date. */
export function applyReview(input: ReviewInput): ReviewResult {
  if (!isIsoDate(input.today)) throw new RangeError(`applyReview: "today" must be an ISO date (yyyy-mm-dd), got "${input.today}"`);
  const problems: ReviewProblem[] = [];
  const records: ItemDecisionRecord[] = [];
  const byKey = new Map<string, ItemDecisionInput>();
  for (const d of input.decisions) {
    if (!input.plan.items.some((i) => i.key === d.itemKey)) problems.push({ code: 'unknown-item', itemKey: d.itemKey, message: `${d.itemKey}: there is no such suggested item in this plan.` });
    else if (byKey.has(d.itemKey)) problems.push({ code: 'duplicate-decision', itemKey: d.itemKey, message: `${d.itemKey}: more than one decision was given; the first one counts.` });
    else byKey.set(d.itemKey, d);
  }
  for (const item of input.plan.items) {
    const d = byKey.get(item.key);
    if (!d) {
      problems.push({ code: 'incomplete', itemKey: item.key, message: `${item.key}: no decision yet on ${what(item, item.productLabel)}: accept, modify or reject it before signing.` });
      continue;
    }
    const reviewed = reviewSuggested(item, d, input);
    records.push(reviewed.record);
    problems.push(...reviewed.problems);
  }
  for (const a of input.added) {
    const reviewed = reviewAdded(a, input);
    records.push(reviewed.record);
    problems.push(...reviewed.problems);
  }
  // Duplicates are found in record order, so the clinician's added item (not the suggestion) is the one named.
  const decided = records.flatMap((r) => (r.final ? [r.final] : []));
  problems.push(...duplicateProblems(decided), ...ceilingProblems(decided, input));
  return { records, final: decided.sort(compareFinal), problems };
}

/** The total of a final plan in the clinic's currency (summed in pennies, so it adds up exactly). */
export function finalPlanCost(final: readonly FinalPlanItem[]): number {
  return final.reduce((sum, f) => sum + Math.round(f.cost * 100), 0) / 100;
}
