/**
 * Treatment planning (issue 5) end to end on the real app, database and face model: a consultation's suggested
 * plan from an analysed photo, the clinician's review and signature, immutability, treatments performed with
 * deviations and re-treatment intervals, the plan summary PDF, the governance report and the catalogue.
 */
import { sql } from 'kysely';
import { FACIAL_ANALYSIS_METHOD } from '@contour/vision';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDate } from '../documents/plan-summary-pdf.js';
import { localDate } from '../data/locations.js';
import { createTestClinic, createTestContour, fixture, signatureDataUrl, type Client, type TestClinic, type TestContour } from '../test/harness.js';
import { pdfText } from '../test/pdf-text.js';

const ANALYSIS_TIMEOUT_MS = 60_000;

interface Item {
  key: string;
  zoneId: string;
  side: string;
  productId: string;
  treatmentClass: string;
  dose: { min: number; max: number; unit: string };
  plannedAmount: number;
  stage: number;
  rationale: { text: string; goal: string | null; finding: unknown };
}
interface PlanBody {
  id: string;
  patientId: string;
  versions: { version: number; status: string }[];
  current: {
    version: number;
    status: string;
    suggested: { items: Item[]; blocked: { productId: string; rule: string; reason: string }[]; stages: { stage: number }[]; currency: string };
    decisions: { itemKey: string; decision: string; reason: string | null; decidedByName: string }[];
    records: { itemKey: string; decision: string; proposed: Item | null; final: { amount: number } | null; reason: string | null }[];
    final: { key: string; stage: number; productId: string; zoneId: string; side: string; amount: number }[];
    problems: { code: string; message: string }[];
    provenance: { rulesVersion: string; modelVersion: string; catalogueVersion: number; photoHashes: { photoId: string; sha256: string }[]; analysisHash: string | null; analysisMethod: string | null };
    signedByName: string | null;
    signerRegistration: string | null;
  };
}

const intake = {
  concerns: 'I look tired and my frown lines bother me; I would like slightly fuller lips.',
  goals: ['look_less_tired', 'smooth_lines', 'lip_volume'],
  subtlety: 'balanced',
  budget: null,
  downtime: 'few_days',
  upcomingEvent: null,
};

let t: TestContour;
let clinic: TestClinic;
let clinician: Client;
let clinicianName: string;
let clinicianId: string;
let staff: Client;
let templates: Map<string, string>;
let patientId: string;
let photoId: string;

async function consent(patient: string, familyName: string, types: string[]): Promise<void> {
  for (const type of types) {
    const response = await clinic.owner.post(`/api/patients/${patient}/consents`, { templateId: templates.get(type), signedName: `Plan ${familyName}`, signature: await signatureDataUrl() });
    expect(response.statusCode, response.body).toBe(201);
  }
}

async function newPatient(familyName: string, medicalHistory?: Record<string, unknown>): Promise<string> {
  const created = await clinic.owner.post('/api/patients', { givenName: 'Plan', familyName, sex: 'female', dateOfBirth: '1979-03-02', acquisitionChannel: 'referral' });
  expect(created.statusCode, created.body).toBe(201);
  const id = created.json().id as string;
  if (medicalHistory) {
    const current = (await clinic.owner.get(`/api/patients/${id}`)).json().medicalHistory as Record<string, unknown>;
    const updated = await clinic.owner.request('PATCH', `/api/patients/${id}`, { medicalHistory: { ...current, ...medicalHistory } });
    expect(updated.statusCode, updated.body).toBe(200);
  }
  return id;
}

async function analysedPhoto(patient: string, file: string): Promise<string> {
  const session = (await clinician.post(`/api/patients/${patient}/photo-sessions`, {})).json().id as string;
  const response = await clinician.request('POST', `/api/photo-sessions/${session}/photos?view=frontal`, await fixture(file), { 'content-type': 'image/jpeg' });
  expect(response.statusCode, response.body).toBe(202);
  const id = response.json().id as string;
  const deadline = Date.now() + ANALYSIS_TIMEOUT_MS;
  for (;;) {
    const photo = (await clinician.get(`/api/photos/${id}`)).json() as { status: string; statusReason: string | null };
    if (!['queued', 'analysing', 'stored'].includes(photo.status)) {
      expect(photo.status, photo.statusReason ?? '').toBe('analysed');
      return id;
    }
    if (Date.now() > deadline) throw new Error(`photo ${id} still ${photo.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const decide = (client: Client, plan: PlanBody, key: string, body: Record<string, unknown>) =>
  client.request('PUT', `/api/plans/${plan.id}/versions/${plan.current.version}/items/${encodeURIComponent(key)}/decision`, body);

async function newPlan(client: Client, patient: string, body: Record<string, unknown>): Promise<PlanBody> {
  const response = await client.post(`/api/patients/${patient}/plans`, body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as PlanBody;
}

beforeAll(async () => {
  t = await createTestContour();
  clinic = await createTestClinic(t, 'Plan Clinic');
  clinicianName = 'Clara Clinician';
  const member = await clinic.member('clinician', clinicianName);
  clinician = member.client;
  clinicianId = member.userId;
  staff = (await clinic.member('staff')).client;
  const list = (await clinic.owner.get('/api/consent-templates')).json().items as { id: string; type: string; current: boolean }[];
  templates = new Map(list.filter((tpl) => tpl.current).map((tpl) => [tpl.type, tpl.id]));
  patientId = await newPatient('Review');
  await consent(patientId, 'Review', ['clinical_photography', 'ai_analysis', 'treatment']);
  photoId = await analysedPhoto(patientId, 'faces/london-001-neutral.jpg');
}, 120_000);
afterAll(async () => t?.close());

describe('a suggested plan from a consultation', () => {
  let plan: PlanBody;

  it('is made from the intake, the analysed photo, the screening and the catalogue, with its provenance', async () => {
    plan = await newPlan(clinician, patientId, { intake, photoId });
    const current = plan.current;
    expect(current).toMatchObject({ version: 1, status: 'draft' });
    expect(current.suggested.items.length).toBeGreaterThanOrEqual(3);
    for (const item of current.suggested.items) {
      expect(item.rationale.text.length).toBeGreaterThan(10);
      expect(item.dose.min).toBeLessThanOrEqual(item.dose.max);
    }
    const photo = await t.services.db.selectFrom('photo').select('sha256').where('id', '=', photoId).executeTakeFirstOrThrow();
    expect(current.provenance.photoHashes).toEqual([{ photoId, sha256: photo.sha256 }]);
    expect(current.provenance.analysisHash).toMatch(/^[0-9a-f]{64}$/);
    // How the analysis measured, read from the photo's findings: a later re-analysis does not rewrite it.
    expect(current.provenance.analysisMethod).toBe(FACIAL_ANALYSIS_METHOD);
    expect(current.provenance.modelVersion).toMatch(/^human \d+\.\d+/);
    expect(current.provenance.rulesVersion).toEqual(expect.any(String));
    // Every suggested item awaits a decision: the plan cannot be signed yet.
    expect(current.problems.some((p) => p.code === 'incomplete')).toBe(true);
    const audit = await t.services.db.selectFrom('audit_event').select(['event', 'detail']).where('entity_id', '=', plan.id).where('event', '=', 'plan.create').execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0]?.detail)).not.toContain('tired');
  });

  it('front desk can neither read nor make plans, and another clinic cannot see it', async () => {
    expect((await staff.get(`/api/plans/${plan.id}`)).statusCode).toBe(403);
    expect((await staff.post(`/api/patients/${patientId}/plans`, { intake })).statusCode).toBe(403);
    const other = await createTestClinic(t, 'Other Clinic');
    const response = await other.owner.get(`/api/plans/${plan.id}`);
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
  });

  it('refuses modify and reject without a reason, and an unknown item', async () => {
    const [first] = plan.current.suggested.items;
    if (!first) throw new Error('no items');
    const noReason = await decide(clinician, plan, first.key, { decision: 'reject' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().detail).toMatch(/reason is required/i);
    const blank = await decide(clinician, plan, first.key, { decision: 'modify', reason: '   ', change: { amount: first.plannedAmount } });
    expect(blank.statusCode).toBe(400);
    expect((await decide(clinician, plan, 'nope:centre:none', { decision: 'accept' })).statusCode).toBe(404);
  });

  it('only clinicians decide; owners cannot sign', async () => {
    const [first] = plan.current.suggested.items;
    if (!first) throw new Error('no items');
    expect((await decide(clinic.owner, plan, first.key, { decision: 'accept' })).statusCode).toBe(403);
    const sign = await clinic.owner.post(`/api/plans/${plan.id}/versions/1/sign`, {});
    expect(sign.statusCode).toBe(403);
  });

  it('is reviewed item by item: modify, reject, add, accept the rest, then signed by the clinician', async () => {
    const [modified, rejected, ...rest] = plan.current.suggested.items;
    if (!modified || !rejected) throw new Error('need two items');
    const newAmount = Math.max(modified.dose.min, Number((modified.plannedAmount * 0.8).toFixed(2)));
    let response = await decide(clinician, plan, modified.key, { decision: 'modify', reason: 'Start lower at the first visit', change: { amount: newAmount } });
    expect(response.statusCode, response.body).toBe(200);
    response = await decide(clinician, plan, rejected.key, { decision: 'reject', reason: 'Patient prefers to wait' });
    expect(response.statusCode, response.body).toBe(200);
    const tooEarly = await clinician.post(`/api/plans/${plan.id}/versions/1/sign`, {});
    expect(tooEarly.statusCode).toBe(422);
    expect(tooEarly.json().type).toBe('urn:contour:problem:plan-review');
    for (const item of rest) expect((await decide(clinician, plan, item.key, { decision: 'accept' })).statusCode).toBe(200);
    response = await clinician.post(`/api/plans/${plan.id}/versions/1/items`, { zoneId: 'chin', side: 'centre', productId: 'botox-cosmetic', amount: 4, stage: 1, reason: 'Chin dimpling at rest' });
    expect(response.statusCode, response.body).toBe(200);
    const signed = await clinician.post(`/api/plans/${plan.id}/versions/1/sign`, {});
    expect(signed.statusCode, signed.body).toBe(200);
    plan = signed.json() as PlanBody;
    expect(plan.current).toMatchObject({ status: 'signed', signedByName: clinicianName, signerRegistration: expect.stringMatching(/^GMC-/) });
    const records = plan.current.records;
    expect(records.find((r) => r.itemKey === modified.key)).toMatchObject({ decision: 'modified', reason: 'Start lower at the first visit', final: { amount: newAmount } });
    expect(records.find((r) => r.itemKey === modified.key)?.proposed).toMatchObject({ key: modified.key, plannedAmount: modified.plannedAmount });
    expect(records.find((r) => r.itemKey === rejected.key)).toMatchObject({ decision: 'rejected', final: null, reason: 'Patient prefers to wait' });
    expect(records.filter((r) => r.decision === 'added')).toHaveLength(1);
    expect(records.filter((r) => r.decision === 'accepted')).toHaveLength(rest.length);
    expect(plan.current.final.some((f) => f.key === rejected.key)).toBe(false);
    expect(plan.current.decisions.every((d) => d.decidedByName === clinicianName)).toBe(true);
  });

  it('a signed version cannot be changed, not even in the database; a new version starts from its decisions', async () => {
    const [first] = plan.current.suggested.items;
    if (!first) throw new Error('no items');
    const response = await decide(clinician, plan, first.key, { decision: 'accept' });
    expect(response.statusCode).toBe(409);
    expect(response.json().detail).toMatch(/signed/);
    await expect(sql`UPDATE plan_version SET total_cost = 0 WHERE plan_id = ${plan.id}`.execute(t.services.db)).rejects.toThrow(/signed/);
    await expect(sql`DELETE FROM plan_decision WHERE item_key = ${first.key}`.execute(t.services.db)).rejects.toThrow(/signed/);
    const next = await clinician.post(`/api/plans/${plan.id}/versions`, {});
    expect(next.statusCode, next.body).toBe(201);
    const v2 = next.json() as PlanBody;
    expect(v2.current).toMatchObject({ version: 2, status: 'draft' });
    expect(v2.current.decisions).toHaveLength(plan.current.decisions.length);
    expect(v2.versions.map((v) => v.status)).toEqual(['signed', 'draft']);
    expect(v2.current.provenance).toEqual(plan.current.provenance);
    const v1 = (await clinician.get(`/api/plans/${plan.id}?version=1`)).json() as PlanBody;
    expect(v1.current.status).toBe('signed');
  });

  it('exports the patient plan summary PDF, audited, with the clinic’s dates written out', async () => {
    // A clinic at UTC+14: from 10:00 UTC its date is already tomorrow's.
    const zone = 'Pacific/Kiritimati';
    await t.services.db.updateTable('location').set({ timezone: zone }).where('organisation_id', '=', clinic.organisationId).execute();
    const response = await clinician.get(`/api/plans/${plan.id}/versions/1/summary.pdf`);
    await t.services.db.updateTable('location').set({ timezone: 'UTC' }).where('organisation_id', '=', clinic.organisationId).execute();
    expect(response.statusCode, response.body.slice(0, 200)).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const text = await pdfText(response.rawPayload);
    const v1 = (await clinician.get(`/api/plans/${plan.id}?version=1`)).json() as { current: { signedAt: string }; consultation: { createdAt: string } };
    const written = (at: string): string => formatDate(localDate(zone, new Date(at)));
    expect(text).toContain(`on ${written(v1.current.signedAt)}`);
    expect(text).toContain(`Consultation photo (frontal), ${written(v1.consultation.createdAt)}`);
    expect(text).not.toMatch(/\b\d{4}-\d{2}-\d{2}\b/);
    const audit = await t.services.db.selectFrom('audit_event').select('outcome').where('entity_id', '=', plan.id).where('event', '=', 'plan.summary.export').execute();
    expect(audit).toEqual([{ outcome: 'success' }]);
  });

  it('records a treatment against the signed plan, showing deviations, and refuses expired lots', async () => {
    const stageOne = plan.current.final.filter((item) => item.stage === 1);
    expect(stageOne.length).toBeGreaterThan(0);
    const [changed, ...others] = stageOne;
    if (!changed) throw new Error('no stage-1 item');
    const items = [
      { planItemKey: changed.key, productId: changed.productId, zoneId: changed.zoneId, side: changed.side, amount: changed.amount + 1, lotNumber: 'LOT-1', expiryDate: '2030-01-31' },
      ...others.map((o) => ({ planItemKey: o.key, productId: o.productId, zoneId: o.zoneId, side: o.side, amount: o.amount, lotNumber: 'LOT-2', expiryDate: '2030-01-31' })),
    ];
    const today = new Date().toISOString().slice(0, 10);
    const expired = await clinician.post(`/api/patients/${patientId}/treatments`, { planId: plan.id, planVersion: 1, stage: 1, performedOn: today, items: [{ ...items[0], expiryDate: '2020-01-01' }] });
    expect(expired.statusCode).toBe(400);
    expect(expired.json().detail).toMatch(/expired/);
    const response = await clinician.post(`/api/patients/${patientId}/treatments`, { planId: plan.id, planVersion: 1, stage: 1, performedOn: today, items, notes: 'Tolerated well' });
    expect(response.statusCode, response.body).toBe(201);
    const record = response.json();
    expect(record).toMatchObject({ injectorId: clinicianId, injectorName: clinicianName, stage: 1 });
    expect(record.deviations).toEqual([expect.objectContaining({ kind: 'different_amount', zoneId: changed.zoneId })]);
    expect((await clinic.owner.post(`/api/patients/${patientId}/treatments`, { performedOn: today, items })).statusCode).toBe(403);
    const list = (await clinician.get(`/api/patients/${patientId}/treatments`)).json().items;
    expect(list).toHaveLength(1);
  });

  it('a new plan within 90 days of a toxin treatment blocks toxin items, naming the interval', async () => {
    const treated = (await clinician.get(`/api/patients/${patientId}/treatments`)).json().items[0] as { items: { treatmentClass: string }[] };
    if (!treated.items.some((i) => i.treatmentClass === 'neuromodulator')) return; // the first visit had no toxin
    const again = await newPlan(clinician, patientId, { intake, photoId });
    expect(again.current.suggested.items.some((i) => i.treatmentClass === 'neuromodulator')).toBe(false);
    expect(again.current.suggested.blocked.some((b) => /interval|days/i.test(`${b.rule} ${b.reason}`))).toBe(true);
  });

  it('answers the governance report from the decisions', async () => {
    const response = await clinic.owner.get('/api/stats/ai-governance');
    expect(response.statusCode, response.body).toBe(200);
    const report = response.json();
    expect(report.questions.map((q: { id: string }) => q.id)).toEqual(['oversight', 'consent', 'image_protection', 'documentation', 'disclaimers']);
    const oversight = report.questions[0];
    expect(oversight).toMatchObject({ status: 'ok' });
    expect(oversight.figures.undecided).toBe(0);
    expect(report.questions[4].figures.planSummariesExported).toBe(1);
    expect(JSON.stringify(report.decisions)).toContain('rejected');
    expect((await clinician.get('/api/stats/ai-governance')).statusCode).toBe(403);
  });
});

describe('safety screening in the plan', () => {
  it('blocks toxin in pregnancy and says why', async () => {
    const pregnant = await newPatient('Pregnant', { pregnant: true });
    const plan = await newPlan(clinician, pregnant, { intake });
    // No photo, so no analysis to record.
    expect(plan.current.provenance).toMatchObject({ photoHashes: [], analysisHash: null, analysisMethod: null });
    expect(plan.current.suggested.items.filter((i) => i.treatmentClass === 'neuromodulator' || i.treatmentClass === 'ha_filler')).toEqual([]);
    expect(plan.current.suggested.blocked.some((b) => /pregnan/i.test(b.reason))).toBe(true);
  });

  it('refuses a clinician-added item that screening blocks', async () => {
    const allergic = await newPatient('Allergic', { neuromuscularDisorder: true });
    const plan = await newPlan(clinician, allergic, { intake: { ...intake, goals: ['lip_volume'] } });
    const added = await clinician.post(`/api/plans/${plan.id}/versions/1/items`, { zoneId: 'glabella', side: 'centre', productId: 'botox-cosmetic', amount: 20, stage: 1, reason: 'Frown lines' });
    expect(added.statusCode).toBe(422);
    expect(added.json().detail).toMatch(/neuromuscular/i);
  });

  it('uses the analysis only with AI-analysis consent in force', async () => {
    const withdrawnPatient = await newPatient('Withdrawn');
    await consent(withdrawnPatient, 'Withdrawn', ['clinical_photography', 'ai_analysis']);
    const photo = await analysedPhoto(withdrawnPatient, 'faces/london-002-neutral.jpg');
    const consents = (await clinic.owner.get(`/api/patients/${withdrawnPatient}/consents`)).json().items as { id: string; type: string }[];
    const ai = consents.find((c) => c.type === 'ai_analysis');
    const withdrawn = await clinic.owner.post(`/api/patients/${withdrawnPatient}/consents/${ai?.id}/withdraw`, { reason: 'Changed mind' });
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    const refused = await clinician.post(`/api/patients/${withdrawnPatient}/plans`, { intake, photoId: photo });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().type).toBe('urn:contour:problem:consent-required');
    // Another patient's photo is refused too.
    expect((await clinician.post(`/api/patients/${withdrawnPatient}/plans`, { intake, photoId })).statusCode).toBe(403);
  });
});

describe('the treatment catalogue', () => {
  it('starts from the reference defaults; owners edit it and each save is a version; bad ranges are refused', async () => {
    const current = (await clinician.get('/api/catalogue')).json();
    expect(current).toMatchObject({ version: 0, isDefault: true });
    expect(current.catalogue.products.length).toBeGreaterThan(5);
    const catalogue = structuredClone(current.catalogue) as { currency: string; products: { id: string; pricePerUnit: number; zones: { min: number; max: number }[] }[] };
    const first = catalogue.products[0];
    if (!first) throw new Error('empty catalogue');
    first.pricePerUnit += 1;
    expect((await clinician.request('PUT', '/api/catalogue', catalogue)).statusCode).toBe(403);
    const saved = await clinic.owner.request('PUT', '/api/catalogue', catalogue);
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({ version: 1, isDefault: false });
    const broken = structuredClone(catalogue);
    const zone = broken.products.find((p) => p.zones.length > 0)?.zones[0];
    if (!zone) throw new Error('no zone doses');
    zone.min = zone.max + 5;
    const refused = await clinic.owner.request('PUT', '/api/catalogue', broken);
    expect(refused.statusCode).toBe(400);
    expect((await clinician.get('/api/catalogue')).json().version).toBe(1);
  });
});
