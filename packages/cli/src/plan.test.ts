import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLANNER_RULES_VERSION, type SuggestedPlan } from '@contour/domain';
import { parsePlanArgs, plan, readAnalysis, readIntake } from './plan.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, output: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

const NOW = () => new Date('2026-11-30T10:00:00Z');

const INTAKE = {
  patient: {
    age: 45,
    sex: 'female',
    medicalHistory: { anticoagulants: true, allergies: { other: 'penicillin' } },
    lastTreatments: [{ productId: 'botox-cosmetic', date: '2026-05-01' }],
    infectedZones: [],
  },
  intake: {
    concerns: 'I look tired and my lips have thinned',
    goals: ['look_less_tired', 'lip_volume'],
    subtlety: 'subtle',
    budget: 1500,
    downtime: 'few_days',
    upcomingEvent: { date: '2027-03-20', description: "Daughter's wedding" },
  },
  today: '2026-11-30',
};

/** The shape `contour analyze a.jpg b.jpg --json` prints: an array, a failed image as null, a profile without zones. */
const zone = (id: string, side: string, severity: number | null, confidence = 0.7, scale: string | null = null) => ({
  id,
  side,
  polygon: [
    [0, 0],
    [1, 0],
    [1, 1],
  ],
  indicators: { lines: 0.1 },
  severity,
  confidence,
  scale,
  view: 'frontal',
  expression: 'rest',
});
const ANALYSIS = [
  { file: 'profile.jpg', width: 1000, height: 1000, quality: { passed: true, checks: [] }, scale: null, measurements: [], notMeasurable: [], zones: [] },
  {
    file: 'front.jpg',
    width: 1000,
    height: 1000,
    quality: { passed: true, checks: [] },
    zones: [
      zone('glabella', 'centre', 3.1, 0.72, 'Glabellar lines, AI photo estimate, 0–4'),
      zone('crows_feet', 'right', 2.6),
      zone('crows_feet', 'left', 2.4),
      zone('nose', 'centre', null, 0),
    ],
  },
];

describe('contour plan', () => {
  let dir: string;
  const file = async (name: string, content: unknown): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'contour-plan-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('parses its options and refuses anything else', () => {
    expect(parsePlanArgs(['--intake', 'i.json', '--analysis', 'a.json', '--json'])).toEqual({ intake: 'i.json', analysis: 'a.json', json: true });
    expect(parsePlanArgs(['--intake=i.json'])).toEqual({ intake: 'i.json', analysis: null, json: false });
    expect(parsePlanArgs(['--analysis', 'a.json'])).toMatch(/Give the intake file/);
    expect(parsePlanArgs(['--intake', 'i.json', '--fast'])).toMatch(/Unknown option --fast/);
    expect(parsePlanArgs(['--intake', 'i.json', 'a.json'])).toMatch(/Unexpected argument/);
  });

  it('prints the suggested plan as JSON from an intake and the output of contour analyze', async () => {
    const c = capture();
    const code = await plan({ intake: await file('intake.json', INTAKE), analysis: await file('analysis.json', ANALYSIS), json: true }, c.output, NOW);
    expect(c.err).toEqual([]);
    expect(code).toBe(0);
    const result = JSON.parse(c.out.join('\n')) as SuggestedPlan;
    expect(result.rulesVersion).toBe(PLANNER_RULES_VERSION);
    expect(result.currency).toBe('GBP');
    const keys = result.items.map((i) => i.key);
    expect(keys).toContain('glabella:centre:botox-cosmetic');
    expect(keys).toContain('crows_feet:right:botox-cosmetic');
    expect(keys).toContain('upper_lip:centre:volbella-lips');
    expect(result.items.find((i) => i.key === 'glabella:centre:botox-cosmetic')!.rationale.finding).toMatchObject({ source: 'ai', severity: 3.1 });
    expect(result.cautions.map((c) => c.rule)).toEqual(['anticoagulants']);
    expect(result.totalCost.planned).toBeLessThanOrEqual(1500);
  });

  it('prints a readable summary without --json', async () => {
    const c = capture();
    expect(await plan({ intake: await file('intake2.json', INTAKE), analysis: await file('analysis2.json', ANALYSIS), json: false }, c.output, NOW)).toBe(0);
    const text = c.out.join('\n');
    expect(text).toMatch(/^Suggested treatment plan \(planner-/);
    expect(text).toMatch(/Visit 1: anti-wrinkle toxin \(glabella, crow's feet\)/);
    expect(text).toMatch(/from 2026-11-30, £\d+\.\d\d/);
    expect(text).toMatch(/• Glabella: Botox Cosmetic 20 U \(planned 20 U\), £160\.00/);
    expect(text).toMatch(/why: Glabellar lines, AI photo estimate, 0–4: 3\.1/);
    expect(text).toMatch(/cautions: anticoagulants/);
    expect(text).toMatch(/Maintenance:\n {2}Botox Cosmetic \(glabella, crow's feet\): about every 3\.5 months; first reminder 2027-02-24/);
    expect(text).toMatch(/Total: £\d+\.\d\d planned/);
    expect(text).toMatch(/Why:\n {2}- Suggested by the planner/);
  });

  it('shows what is blocked and why', async () => {
    const pregnant = { ...INTAKE, patient: { ...INTAKE.patient, medicalHistory: { pregnant: true } } };
    const c = capture();
    expect(await plan({ intake: await file('pregnant.json', pregnant), analysis: await file('a3.json', ANALYSIS), json: false }, c.output, NOW)).toBe(0);
    const text = c.out.join('\n');
    expect(text).toMatch(/No treatment is suggested/);
    expect(text).toMatch(/✗ Glabella, Botox Cosmetic: pregnancy: Pregnant/);
  });

  it('takes a plain { zones } file, clinician grades, or no analysis at all; today defaults to the date it runs', async () => {
    const intake = { ...INTAKE, today: undefined, intake: { ...INTAKE.intake, budget: null, upcomingEvent: null } };
    const c = capture();
    const analysis = await file('grades.json', { zones: [zone('glabella', 'centre', 3.5)], grades: [{ zoneId: 'glabella', side: 'centre', grade: 1 }] });
    expect(await plan({ intake: await file('i4.json', intake), analysis, json: true }, c.output, NOW)).toBe(0);
    const result = JSON.parse(c.out.join('\n')) as SuggestedPlan;
    // The clinician's grade of 1 replaces the AI estimate: the glabella is not treated for a finding.
    expect(result.items.map((i) => i.key)).not.toContain('glabella:centre:botox-cosmetic');
    expect(result.stages[0]!.earliestDate).toBe('2026-11-30');
    const none = capture();
    expect(await plan({ intake: await file('i5.json', intake), analysis: null, json: true }, none.output, NOW)).toBe(0);
    expect((JSON.parse(none.out.join('\n')) as SuggestedPlan).items.length).toBeGreaterThan(0);
  });

  it('accepts the examples of docs/intake-format.md as documented', async () => {
    const doc = await readFile(fileURLToPath(new URL('../../../docs/intake-format.md', import.meta.url)), 'utf8');
    const [intake, analysis] = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    const c = capture();
    expect(await plan({ intake: await file('doc-intake.json', intake), analysis: await file('doc-analysis.json', analysis), json: true }, c.output, NOW)).toBe(0);
    const result = JSON.parse(c.out.join('\n')) as SuggestedPlan;
    expect(result.items.map((i) => i.key)).toContain('glabella:centre:botox-cosmetic');
    expect(result.cautions.map((x) => x.rule)).toEqual(['anticoagulants', 'prior-permanent-filler']);
  });

  it('reports bad input clearly, on stderr, with exit code 2 and no stack trace', async () => {
    const run = async (intake: unknown, analysis: unknown = ANALYSIS) => {
      const c = capture();
      const intakePath = typeof intake === 'string' && intake.startsWith('/') ? intake : await file('bad-intake.json', intake);
      const code = await plan({ intake: intakePath, analysis: await file('bad-analysis.json', analysis), json: true }, c.output, NOW);
      expect(code).toBe(2);
      expect(c.out).toEqual([]);
      expect(c.err).toHaveLength(1);
      expect(c.err[0]).not.toMatch(/\n\s+at /);
      return c.err[0] as string;
    };
    expect(await run(join(dir, 'missing.json'))).toMatch(/^contour plan: .*missing\.json: no such file \(the intake file\)/);
    expect(await run('{ "patient": ')).toMatch(/bad-intake\.json is not valid JSON/);
    expect(await run({ ...INTAKE, intake: { ...INTAKE.intake, goals: ['bigger lips'] } })).toMatch(/intake\.goals\[0\] must be one of "look_less_tired"/);
    expect(await run({ ...INTAKE, patient: { ...INTAKE.patient, medicalHistory: { pregnent: true } } })).toMatch(/patient\.medicalHistory: unknown field "pregnent"/);
    expect(await run({ ...INTAKE, patient: { ...INTAKE.patient, age: 'forty' } })).toMatch(/patient\.age must be a number/);
    expect(await run({ ...INTAKE, intake: { ...INTAKE.intake, subtlety: undefined } })).toMatch(/intake\.subtlety must be one of/);
    expect(await run({ ...INTAKE, today: '30/11/2026' })).toMatch(/today must be a date written yyyy-mm-dd/);
    expect(await run({ patient: INTAKE.patient })).toMatch(/has no "intake"/);
    expect(await run(INTAKE, { zones: [] })).toMatch(/analysis file has no zone findings/);
    expect(await run(INTAKE, { zones: [zone('elbow', 'centre', 2)] })).toMatch(/zones\[0\]\.id must be one of/);
    expect(await run(INTAKE, [null])).toMatch(/no zone findings/);
  });
});

describe('readIntake and readAnalysis', () => {
  it('fills the medical history from emptyMedicalHistory() and takes class and unit of a past treatment from the catalogue', () => {
    const request = readIntake(INTAKE, NOW());
    expect(request.patient.medicalHistory).toMatchObject({ anticoagulants: true, pregnant: false, allergies: { other: 'penicillin', lidocaine: false } });
    expect(request.patient.lastTreatments).toEqual([{ productId: 'botox-cosmetic', treatmentClass: 'neuromodulator', date: '2026-05-01', amount: 0, unit: 'U' }]);
  });

  it('skips zones without an estimate', () => {
    expect(readAnalysis(ANALYSIS).map((f) => f.zoneId)).toEqual(['glabella', 'crows_feet', 'crows_feet']);
  });
});
