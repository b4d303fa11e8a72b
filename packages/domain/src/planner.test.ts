import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZONE_IDS, type Side, type ZoneId } from './face-analysis.js';
import { emptyMedicalHistory, type MedicalHistory } from './patient.js';
import { DEFAULT_PLANNER_RULES, planTreatment, PLANNER_RULES_VERSION, resolvePlannerRules } from './planner.js';
import { addDaysIso, daysBetweenIso, screenItem, toxinCeiling } from './screening.js';
import { DEFAULT_CATALOGUE, isPairedZone, productById, zoneDoseFor } from './treatment-catalogue.js';
import {
  DOWNTIME_TOLERANCE,
  PATIENT_GOALS,
  SUBTLETY,
  type ConsultationIntake,
  type PlanFinding,
  type PlannerInput,
  type PlanPatient,
  type SuggestedPlan,
} from './treatment-plan.js';

const TODAY = '2026-11-30';

function patient(history: Partial<MedicalHistory> = {}, extra: Partial<PlanPatient> = {}): PlanPatient {
  const base = emptyMedicalHistory();
  return { age: 42, sex: 'female', medicalHistory: { ...base, ...history, allergies: { ...base.allergies, ...history.allergies } }, lastTreatments: [], infectedZones: [], ...extra };
}

function intake(extra: Partial<ConsultationIntake> = {}): ConsultationIntake {
  return { concerns: 'I look tired and cross', goals: [], subtlety: 'balanced', budget: null, downtime: 'week', upcomingEvent: null, ...extra };
}

const clinician = (zoneId: ZoneId, side: Side, severity: number, scale: string | null = null): PlanFinding => ({ zoneId, side, severity, source: 'clinician', confidence: 1, scale });
const ai = (zoneId: ZoneId, side: Side, severity: number, confidence = 0.7, scale: string | null = null): PlanFinding => ({ zoneId, side, severity, source: 'ai', confidence, scale });

function plan(extra: Partial<PlannerInput> = {}): SuggestedPlan {
  return planTreatment({ patient: patient(), intake: intake(), findings: [], catalogue: DEFAULT_CATALOGUE, today: TODAY, ...extra });
}

const item = (p: SuggestedPlan, key: string) => p.items.find((i) => i.key === key);
const keys = (p: SuggestedPlan): string[] => p.items.map((i) => i.key);
const stageDate = (p: SuggestedPlan, stage: number): string => p.stages.find((s) => s.stage === stage)!.earliestDate;

describe('planTreatment: findings and goals to items', () => {
  it('suggests the labelled glabella dose from a clinician grade, with the finding, cost and version', () => {
    const p = plan({ findings: [clinician('glabella', 'centre', 3)] });
    expect(p.rulesVersion).toBe(PLANNER_RULES_VERSION);
    expect(p.items).toHaveLength(1);
    expect(p.items[0]).toMatchObject({
      key: 'glabella:centre:botox-cosmetic',
      productLabel: 'Botox Cosmetic',
      treatmentClass: 'neuromodulator',
      dose: { min: 20, max: 20, unit: 'U' },
      plannedAmount: 20,
      offLabel: false,
      rationale: { finding: { zoneId: 'glabella', side: 'centre', severity: 3, source: 'clinician' }, goal: null },
      cost: { min: 160, max: 160, planned: 160 },
      stage: 1,
      cautions: [],
    });
    expect(p.items[0]!.expectedChange.grades).toBe(1.5);
    expect(p.stages).toEqual([{ stage: 1, earliestDate: TODAY, label: expect.stringMatching(/^Visit 1: anti-wrinkle toxin \(glabella\)/), itemKeys: ['glabella:centre:botox-cosmetic'], cost: 160, toxinUnits: { 'botox-cosmetic': 20 } }]);
    expect(p.totalCost).toEqual({ min: 160, max: 160, planned: 160 });
  });

  it("uses the clinician's grade over the AI estimate, and ignores AI estimates below the confidence threshold", () => {
    const p = plan({ findings: [ai('crows_feet', 'right', 3.5), clinician('crows_feet', 'right', 1), ai('glabella', 'centre', 3.8, 0.2)] });
    expect(p.items).toEqual([]);
    expect(p.explanation.join(' ')).toMatch(/1 clinician grade\(s\) and 0 AI photo estimate\(s\)/);
    expect(p.explanation.join(' ')).toMatch(/1 AI estimate\(s\) with a confidence below 0.4 were not used/);
  });

  it('treats both sides of a toxin zone symmetrically, dosed on the stronger side', () => {
    const p = plan({ findings: [ai('crows_feet', 'right', 3.4), ai('crows_feet', 'left', 1.2)] });
    const right = item(p, 'crows_feet:right:botox-cosmetic')!;
    const left = item(p, 'crows_feet:left:botox-cosmetic')!;
    expect(right.dose).toEqual(left.dose);
    expect(right.plannedAmount).toBe(left.plannedAmount);
    expect(right.dose.min).toBe(8);
    expect(right.dose.max).toBeLessThanOrEqual(16);
  });

  it('scales doses with severity and subtlety, within the catalogue range', () => {
    const dose = (severity: number, subtlety: ConsultationIntake['subtlety']) =>
      item(plan({ findings: [clinician('jawline', 'right', severity), clinician('jawline', 'left', severity)], intake: intake({ subtlety }) }), 'jawline:right:volux-chin-jaw')!.dose;
    expect(dose(2, 'subtle').max).toBeLessThan(dose(4, 'subtle').max);
    expect(dose(4, 'subtle').max).toBeLessThan(dose(4, 'noticeable').max);
    expect(dose(4, 'noticeable')).toEqual({ min: 1, max: 2, unit: 'mL' });
  });

  it('reads the cheek grade as skin smoothness: skin treatments, not filler, unless midface volume is a goal', () => {
    const roughness = [ai('cheek', 'right', 3, 0.7, 'Cheek skin roughness, AI photo estimate, 0–4'), ai('cheek', 'left', 2.8, 0.7, 'Cheek skin roughness, AI photo estimate, 0–4')];
    const skin = plan({ findings: roughness, intake: intake({ downtime: 'none' }) });
    expect(keys(skin)).toEqual(['cheek:centre:profhilo']);
    expect(skin.explanation.join(' ')).toMatch(/cheek grade describes the smoothness of the skin/);
    const volume = plan({ findings: roughness, intake: intake({ downtime: 'none', goals: ['midface_volume'] }) });
    expect(volume.leftOut?.map((l) => l.key)).toEqual(['cheek:right:voluma-midface', 'cheek:left:voluma-midface']);
    const grade = plan({ findings: [clinician('cheek', 'right', 3, 'Mid-face volume deficit'), clinician('cheek', 'left', 3, 'Mid-face volume deficit')] });
    expect(keys(grade)).toEqual(['cheek:right:voluma-midface', 'cheek:left:voluma-midface']);
  });

  it('chooses the skin texture treatment by the downtime the patient accepts', () => {
    const texture = (downtime: ConsultationIntake['downtime']) => keys(plan({ intake: intake({ goals: ['skin_quality'], downtime }) }));
    expect(texture('none')).toEqual(['cheek:centre:profhilo']);
    expect(texture('few_days')).toEqual(['cheek:centre:profhilo', 'cheek:centre:microneedling']);
    expect(texture('week')).toEqual(['cheek:centre:profhilo', 'cheek:centre:glycolic-peel']);
  });

  it('maps goals to zones: looking less tired, lower-face definition, lips', () => {
    const tired = plan({ intake: intake({ goals: ['look_less_tired'] }) });
    expect(keys(tired).sort()).toEqual(
      ['crows_feet:left:botox-cosmetic', 'crows_feet:right:botox-cosmetic', 'cheek:left:voluma-midface', 'cheek:right:voluma-midface', 'tear_trough:left:eyelight-tear-trough', 'tear_trough:right:eyelight-tear-trough'].sort(),
    );
    for (const i of tired.items) expect(i.rationale).toMatchObject({ finding: null, goal: 'look_less_tired' });
    // Not graded: the lowest dose, and an expected change that says so.
    expect(item(tired, 'tear_trough:right:eyelight-tear-trough')).toMatchObject({ dose: { min: 0.3, max: 0.3 }, expectedChange: { grades: 0.5, text: expect.stringMatching(/Not graded yet/) } });
    const lower = plan({ intake: intake({ goals: ['lower_face_definition', 'lip_volume'] }) });
    expect(keys(lower)).toEqual(['upper_lip:centre:volbella-lips', 'lower_lip:centre:volbella-lips', 'chin:centre:volux-chin-jaw', 'jawline:right:volux-chin-jaw', 'jawline:left:volux-chin-jaw']);
  });

  it('does not let a goal override a grade of none', () => {
    const p = plan({ intake: intake({ goals: ['lip_volume'] }), findings: [clinician('upper_lip', 'centre', 0), clinician('lower_lip', 'centre', 2)] });
    expect(keys(p)).toEqual(['lower_lip:centre:volbella-lips']);
    expect(p.explanation.join(' ')).toMatch(/Upper lip is graded none/);
  });

  it('gives the forehead toxin with the glabella, so that the brow does not drop', () => {
    const p = plan({ findings: [clinician('forehead', 'centre', 3), clinician('glabella', 'centre', 0)] });
    expect(keys(p)).toEqual(['forehead:centre:botox-cosmetic', 'glabella:centre:botox-cosmetic']);
    expect(item(p, 'glabella:centre:botox-cosmetic')!.rationale.text).toMatch(/Given with the forehead/);
    const infected = plan({ findings: [clinician('forehead', 'centre', 3)], patient: patient({}, { infectedZones: ['glabella'] }) });
    expect(infected.items).toEqual([]);
    expect(infected.leftOut).toEqual([expect.objectContaining({ key: 'forehead:centre:botox-cosmetic', rule: 'forehead-needs-glabella' })]);
    expect(infected.blocked).toEqual([expect.objectContaining({ zoneId: 'glabella', rule: 'infection-at-site' })]);
  });

  it('flags off-label use', () => {
    const p = plan({ findings: [clinician('perioral', 'right', 3), clinician('perioral', 'left', 3)] });
    expect(p.items).toEqual([expect.objectContaining({ key: 'perioral:centre:botox-cosmetic', offLabel: true, dose: expect.objectContaining({ min: 4 }) })]);
    expect(p.explanation.join(' ')).toMatch(/Off-label uses are flagged/);
  });

  it('never suggests anything for the brow or the nose shape', () => {
    expect(plan({ findings: [clinician('brow', 'right', 4), clinician('nose', 'centre', 4)] }).items).toEqual([]);
  });

  it('refuses a malformed consultation date', () => {
    expect(() => plan({ today: '30/11/2026' })).toThrow(RangeError);
  });
});

describe('planTreatment: screening', () => {
  const lines = [clinician('glabella', 'centre', 3), clinician('tear_trough', 'right', 3), clinician('tear_trough', 'left', 3)];

  it('blocks everything in pregnancy and says why', () => {
    const p = plan({ findings: lines, patient: patient({ pregnant: true }), intake: intake({ goals: ['skin_quality'] }) });
    expect(p.items).toEqual([]);
    expect(new Set(p.blocked.map((b) => b.rule))).toEqual(new Set(['pregnancy']));
    expect(p.blocked.map((b) => `${b.zoneId}:${b.side}:${b.productId}`)).toEqual([
      'glabella:centre:botox-cosmetic',
      'tear_trough:right:eyelight-tear-trough',
      'tear_trough:left:eyelight-tear-trough',
      'cheek:centre:glycolic-peel',
      'cheek:centre:profhilo',
    ]);
    expect(p.explanation.join(' ')).toMatch(/Not suggested for safety .*pregnancy/);
  });

  it('tries the next product after an allergy to one, and records each blocked one', () => {
    const other = (text: string) => patient({ allergies: { lidocaine: false, hyaluronicAcid: false, albumin: false, other: text } });
    const dysportOnly = plan({ findings: lines, patient: other('Botox Cosmetic reaction') });
    // "Botox" is what patients call every toxin: all are screened out.
    expect(dysportOnly.items.filter((i) => i.treatmentClass === 'neuromodulator')).toEqual([]);
    const milk = plan({ findings: lines, catalogue: { ...DEFAULT_CATALOGUE, products: DEFAULT_CATALOGUE.products.filter((p) => p.id !== 'botox-cosmetic') }, patient: other("cow's milk protein") });
    expect(milk.blocked).toEqual([expect.objectContaining({ productId: 'dysport', rule: 'allergy-other' })]);
    expect(keys(milk)).toContain('glabella:centre:xeomin');
  });

  it('blocks toxin within 90 days of the last one with the date it becomes possible, keeps the fillers', () => {
    const last = patient({}, { lastTreatments: [{ productId: 'botox-cosmetic', treatmentClass: 'neuromodulator', date: '2026-10-15', amount: 20, unit: 'U' }] });
    const p = plan({ findings: lines, patient: last });
    expect(p.blocked).toEqual([{ zoneId: 'glabella', side: 'centre', productId: 'botox-cosmetic', rule: 'treatment-interval', reason: expect.stringMatching(/possible from 2027-01-13/) }]);
    expect(keys(p)).toEqual(['tear_trough:right:eyelight-tear-trough', 'tear_trough:left:eyelight-tear-trough']);
    const later = plan({ findings: lines, patient: last, today: '2027-01-13' });
    expect(keys(later)).toContain('glabella:centre:botox-cosmetic');
  });

  it('attaches cautions to the items they concern, and lists them once', () => {
    const p = plan({ findings: lines, patient: patient({ anticoagulants: true, priorPermanentFiller: 'under-eye, 2015' }) });
    expect(item(p, 'tear_trough:right:eyelight-tear-trough')!.cautions).toEqual(['anticoagulants', 'prior-permanent-filler']);
    expect(item(p, 'glabella:centre:botox-cosmetic')!.cautions).toEqual(['anticoagulants']);
    expect(p.cautions.map((c) => [c.rule, c.itemKeys.length])).toEqual([
      ['anticoagulants', 3],
      ['prior-permanent-filler', 2],
    ]);
  });

  it('leaves out what needs more downtime than the patient accepts', () => {
    const p = plan({ findings: lines, intake: intake({ downtime: 'none' }) });
    expect(keys(p)).toEqual(['glabella:centre:botox-cosmetic']);
    expect(p.leftOut).toEqual([
      expect.objectContaining({ key: 'tear_trough:right:eyelight-tear-trough', rule: 'downtime', reason: expect.stringMatching(/3 day\(s\) of downtime/) }),
      expect.objectContaining({ key: 'tear_trough:left:eyelight-tear-trough', rule: 'downtime' }),
    ]);
  });
});

describe('planTreatment: staging', () => {
  const full = [
    clinician('glabella', 'centre', 3),
    clinician('crows_feet', 'right', 3),
    clinician('crows_feet', 'left', 3),
    clinician('upper_lip', 'centre', 3),
  ];

  it('does toxin and midface support first, lips after the toxin review, skin treatments last', () => {
    const p = plan({ findings: full, intake: intake({ goals: ['midface_volume', 'skin_quality'], downtime: 'few_days' }) });
    expect(p.stages.map((s) => [s.stage, s.earliestDate])).toEqual([
      [1, TODAY],
      [2, '2026-12-14'],
      [3, '2026-12-28'],
      [4, '2027-01-11'],
    ]);
    expect(item(p, 'glabella:centre:botox-cosmetic')!.stage).toBe(1);
    expect(item(p, 'cheek:right:voluma-midface')!.stage).toBe(1);
    expect(item(p, 'upper_lip:centre:volbella-lips')!.stage).toBe(2);
    expect(item(p, 'cheek:centre:profhilo')!.stage).toBe(3);
    expect(item(p, 'cheek:centre:microneedling')!.stage).toBe(4);
    expect(p.stages[1]!.label).toMatch(/^Visit 2: toxin review; filler \(upper lip\)/);
    expect(p.stages.reduce((s, x) => s + x.cost, 0)).toBeCloseTo(p.totalCost.planned, 2);
  });

  it('keeps each toxin within its ceiling per visit: trims the range, or moves the rest to the next toxin cycle', () => {
    const findings = [...full, clinician('forehead', 'centre', 4), clinician('neck', 'centre', 4, 'Platysma bands')];
    const botoxMax = (p: SuggestedPlan, stage: number) => p.items.filter((i) => i.stage === stage && i.productId === 'botox-cosmetic').reduce((t, i) => t + i.dose.max, 0);
    // 20 glabella + 20 forehead + 2 × 13 crow's feet leave 34 U of 100: the platysma range (26–36) is trimmed to 34.
    const trimmed = plan({ findings, intake: intake({ subtlety: 'noticeable' }) });
    expect(item(trimmed, 'neck:centre:botox-cosmetic')!.stage).toBe(1);
    expect(item(trimmed, 'neck:centre:botox-cosmetic')!.dose).toEqual({ min: 26, max: 34, unit: 'U' });
    expect(botoxMax(trimmed, 1)).toBe(100);
    expect(trimmed.explanation.join(' ')).toMatch(/top of the dose range is lowered to keep Botox Cosmetic within 100 U/);
    // With a ceiling of 80 the platysma's lowest dose no longer fits: the next toxin cycle, 90 days later.
    const moved = plan({ findings, intake: intake({ subtlety: 'noticeable' }), rules: { toxinCeilingPerVisit: 80 } });
    const neckStage = item(moved, 'neck:centre:botox-cosmetic')!.stage;
    expect(neckStage).toBe(3); // after visit 2 (lips, at two weeks)
    expect(stageDate(moved, neckStage)).toBe(addDaysIso(TODAY, 90));
    expect(moved.stages[2]!.label).toMatch(/^Visit 3, next toxin cycle: anti-wrinkle toxin \(neck\)/);
    expect(moved.explanation.join(' ')).toMatch(/moved to the next toxin cycle/);
    for (const s of moved.stages) expect(botoxMax(moved, s.stage)).toBeLessThanOrEqual(80);
    const tight = plan({ findings: full, rules: { toxinCeilingPerVisit: 40 } });
    expect(tight.items.filter((i) => i.stage === 1 && i.treatmentClass === 'neuromodulator').reduce((t, i) => t + i.dose.max, 0)).toBeLessThanOrEqual(40);
  });

  it('works around an event: brought forward when it fits two weeks ahead, after the event when it cannot settle', () => {
    const findings = [clinician('glabella', 'centre', 3), clinician('upper_lip', 'centre', 3)];
    const soon = plan({ findings, intake: intake({ upcomingEvent: { date: addDaysIso(TODAY, 20), description: 'wedding' } }) });
    expect(soon.stages).toHaveLength(1);
    expect(soon.explanation.join(' ')).toMatch(/brought forward to the first visit/);
    const veryClose = plan({ findings, intake: intake({ upcomingEvent: { date: addDaysIso(TODAY, 2), description: 'party' } }) });
    expect(item(veryClose, 'glabella:centre:botox-cosmetic')!.stage).toBe(1);
    const lipsDate = stageDate(veryClose, item(veryClose, 'upper_lip:centre:volbella-lips')!.stage);
    expect(lipsDate > addDaysIso(TODAY, 2)).toBe(true);
    const today = plan({ findings, intake: intake({ upcomingEvent: { date: TODAY, description: 'today' } }) });
    expect(today.stages[0]!.earliestDate).toBe(addDaysIso(TODAY, 1));
    expect(today.stages[0]!.label).toMatch(/after the event/);
    const relaxed = plan({ findings, intake: intake({ upcomingEvent: { date: addDaysIso(TODAY, 200), description: 'holiday' } }) });
    expect(relaxed.explanation.join(' ')).toMatch(/at least two weeks ahead of it/);
  });

  it('schedules maintenance from typical durations (§4.4)', () => {
    const p = plan({ findings: full });
    const toxin = p.maintenance.find((m) => m.productId === 'botox-cosmetic')!;
    expect(toxin).toMatchObject({ zoneIds: ['glabella', 'crows_feet'], everyMonths: 3.5 });
    const weeks = daysBetweenIso(TODAY, toxin.firstReminder) / 7;
    expect(weeks).toBeGreaterThanOrEqual(10);
    expect(weeks).toBeLessThanOrEqual(13);
    const lips = p.maintenance.find((m) => m.productId === 'volbella-lips')!;
    expect(daysBetweenIso(stageDate(p, 2), lips.firstReminder)).toBe(183); // review at 6 months
  });
});

describe('planTreatment: budget', () => {
  const findings = [clinician('glabella', 'centre', 3), clinician('tear_trough', 'right', 3), clinician('tear_trough', 'left', 3), clinician('chin', 'centre', 3)];

  it('keeps the best benefit per pound within the budget and defers the rest, never splitting the sides', () => {
    const all = plan({ findings });
    const p = plan({ findings, intake: intake({ budget: 500 }) });
    expect(p.totalCost.planned).toBeLessThanOrEqual(500);
    expect(keys(p)).toContain('glabella:centre:botox-cosmetic');
    const deferred = p.deferredForBudget.map((d) => d.key);
    expect(deferred.length).toBeGreaterThan(0);
    expect([...keys(p), ...deferred].sort()).toEqual(keys(all).sort());
    const tearTrough = deferred.filter((k) => k.startsWith('tear_trough'));
    expect([0, 2]).toContain(tearTrough.length);
    expect(p.explanation.join(' ')).toMatch(/Budget £500.00/);
    expect(plan({ findings, intake: intake({ budget: 0 }) }).items).toEqual([]);
  });
});

/* ---------------------------------------------------------------- properties */

const PRODUCTS = DEFAULT_CATALOGUE.products;
const rare = fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });

const historyArb = fc.record({
  allergies: fc.record({ lidocaine: rare, hyaluronicAcid: rare, albumin: rare, other: fc.constantFrom('', '', 'Dysport', 'penicillin', "cow's milk", 'lignocaine', 'botox') }),
  pregnant: rare,
  breastfeeding: rare,
  neuromuscularDisorder: rare,
  anticoagulants: rare,
  autoimmuneDisease: rare,
  activeSkinInfection: rare,
  keloidHistory: rare,
  priorPermanentFiller: fc.constantFrom('', '', 'lips', 'cheeks and smile lines', 'yes'),
  priorTreatments: fc.constant(''),
  medications: fc.constantFrom('', '', 'warfarin', 'Roaccutane'),
});

const dateArb = (from: string, days: number) => fc.integer({ min: 0, max: days }).map((d) => addDaysIso(from, d));

const patientArb: fc.Arbitrary<PlanPatient> = fc.record({
  age: fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 8, arbitrary: fc.integer({ min: 16, max: 85 }) }),
  sex: fc.constantFrom('female', 'male', 'not_stated'),
  medicalHistory: historyArb,
  lastTreatments: fc.array(
    fc.record({ product: fc.constantFrom(...PRODUCTS), date: dateArb('2026-06-01', 200) }).map(({ product, date }) => ({
      productId: product.id,
      treatmentClass: product.treatmentClass,
      date,
      amount: 1,
      unit: product.unit,
    })),
    { maxLength: 3 },
  ),
  infectedZones: fc.subarray([...ZONE_IDS], { maxLength: 3 }),
}) as fc.Arbitrary<PlanPatient>;

const findingArb: fc.Arbitrary<PlanFinding> = fc
  .record({
    zoneId: fc.constantFrom(...ZONE_IDS),
    right: fc.boolean(),
    severity: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.double({ min: 0, max: 4, noNaN: true })),
    source: fc.constantFrom('clinician' as const, 'ai' as const),
    confidence: fc.double({ min: 0, max: 1, noNaN: true }),
    scale: fc.constantFrom(null, 'Cheek skin roughness', 'Mid-face volume deficit', 'Platysma bands'),
  })
  .map(({ zoneId, right, ...f }) => ({ ...f, zoneId, side: isPairedZone(zoneId) ? (right ? 'right' : 'left') : 'centre' }));

const intakeArb: fc.Arbitrary<ConsultationIntake> = fc.record({
  concerns: fc.constant(''),
  goals: fc.subarray([...PATIENT_GOALS]),
  subtlety: fc.constantFrom(...SUBTLETY),
  budget: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 4000 })),
  downtime: fc.constantFrom(...DOWNTIME_TOLERANCE),
  upcomingEvent: fc.oneof(fc.constant(null), dateArb(TODAY, 150).map((date) => ({ date, description: 'event' }))),
});

const inputArb: fc.Arbitrary<PlannerInput> = fc.record({
  patient: patientArb,
  intake: intakeArb,
  findings: fc.array(findingArb, { maxLength: 20 }),
  catalogue: fc.subarray(PRODUCTS, { minLength: 1 }).map((products) => ({ currency: 'GBP', products })),
  today: fc.constantFrom(TODAY, '2027-03-01'),
  rules: fc.record(
    { toxinCeilingPerVisit: fc.integer({ min: 20, max: 150 }), weeksBetweenVisits: fc.integer({ min: 1, max: 4 }), minSeverity: fc.integer({ min: 1, max: 3 }) },
    { requiredKeys: [] },
  ),
});

const RUNS = { numRuns: 150 };

/** A reproducible shuffle (no Math.random in a determinism test). */
function shuffled<T>(list: readonly T[], seed: number): T[] {
  const out = [...list];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('planTreatment properties', () => {
  it('never contains an item its screening blocks', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const p = planTreatment(input);
        for (const i of p.items) {
          const product = productById(input.catalogue, i.productId)!;
          expect(screenItem(input.patient, product, i.zoneId, input.today).blocks).toEqual([]);
        }
      }),
      RUNS,
    );
  });

  it('keeps each toxin product within its ceiling at every visit (top of every range), and toxin visits 90 days apart', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const p = planTreatment(input);
        const rules = resolvePlannerRules(input.rules);
        for (const s of p.stages) {
          for (const [productId, units] of Object.entries(s.toxinUnits)) {
            const ceiling = toxinCeiling(productById(input.catalogue, productId)!, rules);
            const max = p.items.filter((i) => i.stage === s.stage && i.productId === productId).reduce((t, i) => t + i.dose.max, 0);
            expect(units).toBeLessThanOrEqual(ceiling);
            expect(max).toBeLessThanOrEqual(ceiling + 1e-9);
          }
        }
        const toxinDates = p.stages.filter((s) => Object.keys(s.toxinUnits).length > 0).map((s) => s.earliestDate);
        for (let k = 1; k < toxinDates.length; k++) expect(daysBetweenIso(toxinDates[k - 1]!, toxinDates[k]!)).toBeGreaterThanOrEqual(90);
      }),
      RUNS,
    );
  });

  it('stays within the budget when one is given, and its totals add up', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const p = planTreatment(input);
        const sum = p.items.reduce((t, i) => t + Math.round(i.cost.planned * 100), 0) / 100;
        expect(p.totalCost.planned).toBeCloseTo(sum, 2);
        if (input.intake.budget !== null) expect(p.totalCost.planned).toBeLessThanOrEqual(input.intake.budget);
        else expect(p.deferredForBudget).toEqual([]);
      }),
      RUNS,
    );
  });

  it('ties every item to a finding or a goal, with a dose inside the catalogue range and a visit that exists', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const p = planTreatment(input);
        const stageNumbers = new Set(p.stages.map((s) => s.stage));
        for (const i of p.items) {
          expect(i.rationale.finding !== null || i.rationale.goal !== null).toBe(true);
          expect(i.rationale.text.length).toBeGreaterThan(0);
          const range = zoneDoseFor(productById(input.catalogue, i.productId)!, i.zoneId)!;
          expect(range.min).toBeLessThanOrEqual(i.dose.min);
          expect(i.dose.min).toBeLessThanOrEqual(i.plannedAmount);
          expect(i.plannedAmount).toBeLessThanOrEqual(i.dose.max);
          expect(i.dose.max).toBeLessThanOrEqual(range.max);
          expect(i.expectedChange.grades).toBeLessThanOrEqual(resolvePlannerRules(input.rules).maxGradeChangePerVisit[input.intake.subtlety]);
          expect(stageNumbers.has(i.stage)).toBe(true);
        }
        expect(new Set(p.items.map((i) => i.key)).size).toBe(p.items.length);
      }),
      RUNS,
    );
  });

  it('has no downtime on the day of the upcoming event', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const p = planTreatment(input);
        const event = input.intake.upcomingEvent?.date;
        if (!event || event < input.today) return;
        for (const i of p.items) {
          const product = productById(input.catalogue, i.productId)!;
          const date = p.stages.find((s) => s.stage === i.stage)!.earliestDate;
          const sessions = product.unit === 'session' ? Math.ceil(i.plannedAmount) - 1 : 0;
          const end = addDaysIso(addDaysIso(date, sessions * product.minIntervalDays), product.downtimeDays);
          expect(date > event || end < event).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('gives the same plan for the same input, whatever the order of the findings', () => {
    fc.assert(
      fc.property(inputArb, fc.integer(), (input, seed) => {
        const a = planTreatment(input);
        const b = planTreatment(structuredClone(input));
        const c = planTreatment({ ...input, findings: shuffled(input.findings, seed) });
        expect(b).toEqual(a);
        expect(c).toEqual(a);
      }),
      RUNS,
    );
  });
});

it('uses the documented default rules', () => {
  expect(DEFAULT_PLANNER_RULES).toEqual({
    toxinCeilingPerVisit: 100,
    minSeverity: 2,
    maxGradeChangePerVisit: { subtle: 1, balanced: 1.5, noticeable: 2 },
    weeksBetweenVisits: 2,
    minAiConfidence: 0.4,
  });
});
