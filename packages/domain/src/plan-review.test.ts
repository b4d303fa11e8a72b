import { describe, expect, it } from 'vitest';
import { emptyMedicalHistory, type MedicalHistory } from './patient.js';
import { applyReview, finalPlanCost, type ReviewInput } from './plan-review.js';
import { planTreatment } from './planner.js';
import { DEFAULT_CATALOGUE } from './treatment-catalogue.js';
import type { AddedItemInput, ItemDecisionInput, PlanFinding, PlanPatient, SuggestedPlan } from './treatment-plan.js';

const TODAY = '2026-11-30';

function patient(history: Partial<MedicalHistory> = {}, extra: Partial<PlanPatient> = {}): PlanPatient {
  const base = emptyMedicalHistory();
  return { age: 50, sex: 'female', medicalHistory: { ...base, ...history, allergies: { ...base.allergies, ...history.allergies } }, lastTreatments: [], infectedZones: [], ...extra };
}

const grade = (zoneId: PlanFinding['zoneId'], side: PlanFinding['side'], severity: number): PlanFinding => ({ zoneId, side, severity, source: 'clinician', confidence: 1, scale: null });

const PLAN: SuggestedPlan = planTreatment({
  patient: patient(),
  intake: { concerns: '', goals: [], subtlety: 'balanced', budget: null, downtime: 'week', upcomingEvent: null },
  findings: [grade('glabella', 'centre', 3), grade('crows_feet', 'right', 3), grade('crows_feet', 'left', 3), grade('upper_lip', 'centre', 3)],
  catalogue: DEFAULT_CATALOGUE,
  today: TODAY,
});
const KEYS = PLAN.items.map((i) => i.key);
const GLABELLA = 'glabella:centre:botox-cosmetic';
const LIP = 'upper_lip:centre:volbella-lips';

const acceptAll = (): ItemDecisionInput[] => KEYS.map((itemKey) => ({ itemKey, decision: 'accept' }));
const except = (key: string, d: Omit<ItemDecisionInput, 'itemKey'>): ItemDecisionInput[] => acceptAll().map((x) => (x.itemKey === key ? { itemKey: key, ...d } : x));

function review(extra: Partial<ReviewInput> = {}) {
  return applyReview({ plan: PLAN, decisions: acceptAll(), added: [], catalogue: DEFAULT_CATALOGUE, patient: patient(), today: TODAY, ...extra });
}
const codes = (r: ReturnType<typeof review>) => r.problems.map((p) => [p.code, p.itemKey ?? null]);

describe('applyReview', () => {
  it('accepting everything gives the suggestion as the final plan, with a snapshot of each proposal', () => {
    expect(KEYS).toEqual([GLABELLA, 'crows_feet:right:botox-cosmetic', 'crows_feet:left:botox-cosmetic', LIP]);
    const r = review();
    expect(r.problems).toEqual([]);
    expect(r.final.map((f) => [f.key, f.amount, f.stage, f.origin])).toEqual(PLAN.items.map((i) => [i.key, i.plannedAmount, i.stage, 'suggested']));
    expect(r.records).toHaveLength(4);
    const record = r.records[0]!;
    expect(record).toMatchObject({ itemKey: GLABELLA, decision: 'accepted', reason: null, final: { amount: 20, unit: 'U', cost: 160, offLabel: false } });
    expect(record.proposed).toEqual(PLAN.items[0]);
    expect(record.proposed).not.toBe(PLAN.items[0]); // a snapshot, not a reference to the live plan
    expect(finalPlanCost(r.final)).toBe(PLAN.totalCost.planned);
  });

  it('requires a reason to modify or reject, and records it trimmed', () => {
    expect(codes(review({ decisions: except(LIP, { decision: 'reject' }) }))).toEqual([['reason-required', LIP]]);
    expect(codes(review({ decisions: except(LIP, { decision: 'modify', reason: '   ', change: { amount: 0.4 } }) }))).toEqual([['reason-required', LIP]]);
    const r = review({ decisions: except(LIP, { decision: 'reject', reason: '  Patient prefers to wait.  ' }) });
    expect(r.problems).toEqual([]);
    expect(r.records[3]).toMatchObject({ decision: 'rejected', final: null, reason: 'Patient prefers to wait.' });
    expect(r.final.map((f) => f.key)).not.toContain(LIP);
  });

  it("reports a review as incomplete until every suggestion has a decision (drafts may be, signing may not)", () => {
    const r = review({ decisions: acceptAll().slice(1) });
    expect(codes(r)).toEqual([['incomplete', GLABELLA]]);
    expect(r.problems[0]!.message).toMatch(/no decision yet on Botox Cosmetic in the glabella/);
    expect(r.final).toHaveLength(3);
  });

  it('refuses unknown item keys and a second decision on the same item', () => {
    const r = review({ decisions: [...acceptAll(), { itemKey: 'chin:centre:nope', decision: 'accept' }, { itemKey: LIP, decision: 'reject', reason: 'x' }] });
    expect(codes(r)).toEqual([
      ['unknown-item', 'chin:centre:nope'],
      ['duplicate-decision', LIP],
    ]);
  });

  it('applies a change: new amount, cost and off-label recomputed', () => {
    const r = review({ decisions: except(GLABELLA, { decision: 'modify', reason: 'Strong corrugators', change: { amount: 30 } }) });
    expect(r.problems).toEqual([]);
    expect(r.records[0]).toMatchObject({ decision: 'modified', reason: 'Strong corrugators', final: { amount: 30, cost: 240, offLabel: true } });
  });

  it('never converts units when the product changes: the amount must be given', () => {
    expect(codes(review({ decisions: except(GLABELLA, { decision: 'modify', reason: 'Clinic preference', change: { productId: 'dysport' } }) }))).toEqual([['amount-required', GLABELLA]]);
    const r = review({ decisions: except(GLABELLA, { decision: 'modify', reason: 'Clinic preference', change: { productId: 'dysport', amount: 50 } }) });
    expect(r.problems).toEqual([]);
    expect(r.records[0]!.final).toMatchObject({ key: GLABELLA, productId: 'dysport', productLabel: 'Dysport', amount: 50, cost: 160, offLabel: false });
  });

  it('refuses a "modify" that changes nothing', () => {
    expect(codes(review({ decisions: except(GLABELLA, { decision: 'modify', reason: 'x', change: { amount: 20 } }) }))).toEqual([['nothing-changed', GLABELLA]]);
  });

  it('keeps amounts above zero and at most three times the catalogue maximum, and says why', () => {
    for (const amount of [0, -5, 61]) {
      const r = review({ decisions: except(GLABELLA, { decision: 'modify', reason: 'x', change: { amount } }) });
      expect(codes(r)).toEqual([['amount-out-of-range', GLABELLA]]);
      expect(r.problems[0]!.message).toMatch(/at most 3× the catalogue's top dose \(20 U\).*misplaced decimal point/);
    }
    expect(codes(review({ decisions: except(GLABELLA, { decision: 'modify', reason: 'x', change: { amount: 60 } }) }))).toEqual([]);
  });

  it('screens changes: a contraindication cannot be overridden', () => {
    const infected = patient({}, { infectedZones: ['lower_lip'] });
    const r = review({ patient: infected, decisions: except(LIP, { decision: 'modify', reason: 'Lower lip instead', change: { zoneId: 'lower_lip' } }) });
    expect(codes(r)).toEqual([['contraindicated', LIP]]);
    expect(r.problems[0]!.message).toMatch(/infection-at-site.*cannot be overridden/);
    expect(r.final.map((f) => f.key)).not.toContain(LIP);
  });

  it('screens accepted items again on the review day (the record may have changed)', () => {
    const r = review({ patient: patient({ pregnant: true }) });
    expect(r.problems.map((p) => p.code)).toEqual(['contraindicated', 'contraindicated', 'contraindicated', 'contraindicated']);
    expect(r.final).toEqual([]);
  });

  it('adds items of the clinician, screened and checked like the others', () => {
    const add = (a: Partial<AddedItemInput>): AddedItemInput => ({ zoneId: 'cheek', side: 'right', productId: 'voluma-midface', amount: 1, stage: 1, reason: 'Midface support', ...a });
    const ok = review({ added: [add({ key: 'added:1' }), add({ key: 'added:2', side: 'left' })] });
    expect(ok.problems).toEqual([]);
    expect(ok.records.slice(4)).toEqual([
      { itemKey: 'added:1', decision: 'added', proposed: null, reason: 'Midface support', final: expect.objectContaining({ origin: 'clinician', amount: 1, cost: 380, offLabel: false }) },
      expect.objectContaining({ itemKey: 'added:2' }),
    ]);
    expect(ok.final.map((f) => f.key)).toEqual([GLABELLA, 'crows_feet:right:botox-cosmetic', 'crows_feet:left:botox-cosmetic', 'added:1', 'added:2', LIP]);

    const lidocaine = patient({ allergies: { lidocaine: true, hyaluronicAcid: false, albumin: false, other: '' } });
    expect(codes(review({ patient: lidocaine, decisions: except(LIP, { decision: 'reject', reason: 'Allergy' }), added: [add({ key: 'a' })] }))).toEqual([['contraindicated', 'a']]);
    expect(codes(review({ added: [add({ key: 'a', reason: '' })] }))).toEqual([['reason-required', 'a']]);
    expect(codes(review({ added: [add({ key: 'a', productId: 'nope' })] }))).toEqual([['unknown-product', 'a']]);
    const inactive = { ...DEFAULT_CATALOGUE, products: DEFAULT_CATALOGUE.products.map((p) => (p.id === 'voluma-midface' ? { ...p, active: false } : p)) };
    expect(codes(review({ catalogue: inactive, added: [add({ key: 'a' })] }))).toEqual([['inactive-product', 'a']]);
    expect(codes(review({ added: [add({ key: 'a', productId: 'botox-cosmetic' })] }))).toEqual([['zone-not-in-catalogue', 'a']]);
    expect(codes(review({ added: [add({ key: 'a', side: 'centre' })] }))).toEqual([['side-mismatch', 'a']]);
    expect(codes(review({ added: [add({ key: 'a', productId: 'profhilo', side: 'centre', amount: 1.5 })] }))).toEqual([['whole-sessions', 'a']]);
    expect(codes(review({ added: [add({ key: 'a', stage: 0 })] }))).toEqual([['invalid-stage', 'a']]);
    expect(codes(review({ added: [add({ key: 'a', zoneId: 'glabella', side: 'centre', productId: 'botox-cosmetic', amount: 20 })] }))).toEqual([['duplicate-item', 'a']]);
    expect(review({ added: [add({})] }).records[4]!.itemKey).toBe('added:cheek:right:voluma-midface');
  });

  it("checks the toxin ceiling per visit after the clinician's changes, per product in its own units", () => {
    const neck = { key: 'added:neck', zoneId: 'neck', side: 'centre', productId: 'botox-cosmetic', amount: 62, stage: 1, reason: 'Severe platysma bands' } as const;
    const over = review({ added: [neck] });
    const planned = PLAN.items.filter((i) => i.treatmentClass === 'neuromodulator').reduce((t, i) => t + i.plannedAmount, 0);
    expect(planned).toBe(40);
    expect(codes(over)).toEqual([['toxin-ceiling', null]]);
    expect(over.problems[0]!.message).toMatch(/Visit 1: 102 U of Botox Cosmetic is above the ceiling of 100 U/);
    expect(codes(review({ added: [{ ...neck, stage: 2 }] }))).toEqual([]);
    // Dysport at the same visit has its own ceiling and is never added to Botox units.
    expect(codes(review({ added: [{ ...neck, productId: 'dysport', zoneId: 'glabella', amount: 62 }] }))).toEqual([]);
  });

  it('refuses a malformed review date', () => {
    expect(() => review({ today: 'today' })).toThrow(RangeError);
  });
});

describe('finalPlanCost', () => {
  it('adds the final items in pennies', () => {
    const r = review();
    expect(finalPlanCost(r.final)).toBe(r.final.reduce((s, f) => s + f.cost, 0));
    expect(finalPlanCost([])).toBe(0);
  });
});
