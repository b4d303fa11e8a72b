/**
 * Outcome simulation (issue 6) through the API, on the real app, database and face model: consent gating, the
 * label in pixels and metadata on every image that leaves, the record of what it was made from, the three
 * variants in order, simulations in the plan summary PDF, and erasure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMULATION_LABEL, readLabel } from '@contour/vision';
import { createTestClinic, createTestContour, fixture, signatureDataUrl, type Client, type TestClinic, type TestContour } from '../test/harness.js';
import { pdfText } from '../test/pdf-text.js';

const intake = { concerns: 'Thin lips, frown lines', goals: ['lip_volume', 'smooth_lines'], subtlety: 'balanced', budget: null, downtime: 'few_days', upcomingEvent: null };

interface SimulationBody {
  id: string;
  variant: string;
  label: string;
  sourceSha256: string;
  planVersion: number;
  itemKeys: string[];
  changes: { zoneId: string; kind: string; amount: number; measurementId?: string }[];
}

let t: TestContour;
let clinic: TestClinic;
let clinician: Client;
let templates: Map<string, string>;

async function consent(patient: string, types: string[]): Promise<void> {
  for (const type of types) {
    const response = await clinic.owner.post(`/api/patients/${patient}/consents`, { templateId: templates.get(type), signedName: 'Sim Patient', signature: await signatureDataUrl() });
    expect(response.statusCode, response.body).toBe(201);
  }
}

async function uploaded(patient: string, view: string, file: string): Promise<string> {
  const session = (await clinician.post(`/api/patients/${patient}/photo-sessions`, {})).json().id as string;
  const response = await clinician.request('POST', `/api/photo-sessions/${session}/photos?view=${view}`, await fixture(file), { 'content-type': 'image/jpeg' });
  expect(response.statusCode, response.body).toBe(202);
  const id = response.json().id as string;
  for (let i = 0; i < 600; i++) {
    const status = (await clinician.get(`/api/photos/${id}`)).json().status as string;
    if (!['queued', 'analysing', 'stored'].includes(status)) return id;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('analysis did not finish');
}

async function patientWithPlan(consents: string[]): Promise<{ patientId: string; photoId: string; planId: string }> {
  const created = await clinic.owner.post('/api/patients', { givenName: 'Sim', familyName: 'Patient', sex: 'female', acquisitionChannel: 'referral' });
  const patientId = created.json().id as string;
  await consent(patientId, consents);
  const photoId = await uploaded(patientId, 'frontal', 'faces/london-002-neutral.jpg');
  const plan = await clinician.post(`/api/patients/${patientId}/plans`, { intake, photoId });
  expect(plan.statusCode, plan.body).toBe(201);
  return { patientId, photoId, planId: plan.json().id as string };
}

beforeAll(async () => {
  t = await createTestContour();
  clinic = await createTestClinic(t, 'Simulation Clinic');
  clinician = (await clinic.member('clinician', 'Sam Simulator')).client;
  const list = (await clinic.owner.get('/api/consent-templates')).json().items as { id: string; type: string; current: boolean }[];
  templates = new Map(list.filter((tpl) => tpl.current).map((tpl) => [tpl.type, tpl.id]));
}, 60_000);
afterAll(async () => t?.close());

describe('outcome simulation', () => {
  it('is refused with a clear message without simulation consent, and nothing is stored', async () => {
    const { patientId, photoId, planId } = await patientWithPlan(['clinical_photography', 'ai_analysis']);
    const response = await clinician.post(`/api/photos/${photoId}/simulations`, { planId, variant: 'expected' });
    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ type: 'urn:contour:problem:consent-required' });
    expect(response.json().detail).toMatch(/simulation/i);
    const stored = await t.services.db.selectFrom('simulation').select('id').where('patient_id', '=', patientId).execute();
    expect(stored).toEqual([]);
  });

  describe('with consent', () => {
    let ids: { patientId: string; photoId: string; planId: string };
    const made = new Map<string, SimulationBody>();

    beforeAll(async () => {
      ids = await patientWithPlan(['clinical_photography', 'ai_analysis', 'simulation']);
    }, 60_000);

    it('renders each variant, labelled in pixels and metadata, recorded with the plan version and the photo hash', async () => {
      const photo = await t.services.db.selectFrom('photo').select('sha256').where('id', '=', ids.photoId).executeTakeFirstOrThrow();
      for (const variant of ['conservative', 'expected', 'upper']) {
        const response = await clinician.post(`/api/photos/${ids.photoId}/simulations`, { planId: ids.planId, variant });
        expect(response.statusCode, response.body).toBe(201);
        const body = response.json() as SimulationBody;
        expect(body).toMatchObject({ variant, label: SIMULATION_LABEL, sourceSha256: photo.sha256, planVersion: 1 });
        expect(body.changes.length).toBeGreaterThan(0);
        made.set(variant, body);
        const image = await clinician.get(`/api/simulations/${body.id}/image`);
        expect(image.statusCode).toBe(200);
        expect(image.headers['content-type']).toBe('image/jpeg');
        const check = await readLabel(image.rawPayload);
        expect(check.ok).toBe(true);
        expect(check.exif).toBe(SIMULATION_LABEL);
        expect(check.pixels?.join(' ')).toContain(SIMULATION_LABEL.toUpperCase());
        const row = await t.services.db.selectFrom('simulation').select(['label', 'source_sha256', 'variant']).where('id', '=', body.id).executeTakeFirstOrThrow();
        expect(row).toEqual({ label: SIMULATION_LABEL, source_sha256: photo.sha256, variant });
      }
    }, 120_000);

    it('starts from the steady landmarks stored with the photo’s analysis, and finds them again for a photo without', async () => {
      const photo = await t.services.db.selectFrom('photo').select('landmarks').where('id', '=', ids.photoId).executeTakeFirstOrThrow();
      const stored = photo.landmarks as { steady?: { landmarks: unknown[] } };
      expect(stored.steady?.landmarks).toHaveLength(478);
      const parameters = async (id: string): Promise<unknown> =>
        ((await t.services.db.selectFrom('simulation').select('parameters').where('id', '=', id).executeTakeFirstOrThrow()).parameters as { landmarks: unknown }).landmarks;
      const expected = made.get('expected')!;
      expect(await parameters(expected.id)).toBe('steady landmarks stored with the photo’s analysis');
      // An analysis stored before the steady landmarks were: the render finds them itself, and draws the same image.
      const { steady: _steady, ...older } = stored;
      await t.services.db.updateTable('photo').set({ landmarks: JSON.stringify(older) }).where('id', '=', ids.photoId).execute();
      try {
        const again = await clinician.post(`/api/photos/${ids.photoId}/simulations`, { planId: ids.planId, variant: 'expected' });
        expect(again.statusCode, again.body).toBe(201);
        expect(await parameters(again.json().id)).toBe('steady detection (8 averaged)');
        const [a, b] = await Promise.all([expected.id, again.json().id as string].map(async (id) => (await clinician.get(`/api/simulations/${id}/image`)).rawPayload));
        expect(Buffer.compare(a!, b!)).toBe(0);
      } finally {
        await t.services.db.updateTable('photo').set({ landmarks: JSON.stringify(stored) }).where('id', '=', ids.photoId).execute();
      }
    }, 120_000);

    it('promises conservative ≤ expected ≤ upper for every change', () => {
      const key = (c: { zoneId: string; kind: string; measurementId?: string }, i: number) => `${c.zoneId}|${c.kind}|${c.measurementId ?? i}`;
      const [low, mid, high] = ['conservative', 'expected', 'upper'].map((v) => new Map((made.get(v)?.changes ?? []).map((c, i) => [key(c, i), Math.abs(c.amount)])));
      expect(mid?.size).toBeGreaterThan(0);
      for (const [k, amount] of mid ?? []) {
        expect(low?.get(k) ?? 0, k).toBeLessThanOrEqual(amount + 1e-9);
        expect(high?.get(k) ?? 0, k).toBeGreaterThanOrEqual(amount - 1e-9);
      }
    });

    it('renders one item alone, at a lower intensity, and refuses items not in the plan', async () => {
      const expected = made.get('expected');
      const [first] = expected?.itemKeys ?? [];
      if (!first) throw new Error('no items');
      const one = await clinician.post(`/api/photos/${ids.photoId}/simulations`, { planId: ids.planId, variant: 'expected', itemKeys: [first], intensity: 0.5 });
      expect(one.statusCode, one.body).toBe(201);
      expect(one.json()).toMatchObject({ itemKeys: [first], intensity: 0.5 });
      const unknown = await clinician.post(`/api/photos/${ids.photoId}/simulations`, { planId: ids.planId, variant: 'expected', itemKeys: ['nope'] });
      expect(unknown.statusCode).toBe(400);
      const bad = await clinician.post(`/api/photos/${ids.photoId}/simulations`, { planId: ids.planId, variant: 'best-case' });
      expect(bad.statusCode).toBe(400);
    });

    it('refuses a non-frontal photo and another patient’s plan clearly', async () => {
      const smile = await uploaded(ids.patientId, 'smile', 'faces/london-002-smiling.jpg');
      const response = await clinician.post(`/api/photos/${smile}/simulations`, { planId: ids.planId, variant: 'expected' });
      expect(response.statusCode).toBe(422);
      expect(response.json().detail).toMatch(/frontal/);
      const other = await patientWithPlan(['clinical_photography', 'ai_analysis', 'simulation']);
      const crossed = await clinician.post(`/api/photos/${ids.photoId}/simulations`, { planId: other.planId, variant: 'expected' });
      expect(crossed.statusCode).toBe(400);
    }, 60_000);

    it('appears in the plan summary PDF, captioned as a projection', async () => {
      const pdf = await clinician.get(`/api/plans/${ids.planId}/versions/1/summary.pdf`);
      expect(pdf.statusCode).toBe(200);
      const text = await pdfText(pdf.rawPayload);
      expect(text).toContain('Simulated projection');
      expect(text).toMatch(/conservative variant/);
    });

    it('honours a withdrawn simulation consent for images already made', async () => {
      const consents = (await clinic.owner.get(`/api/patients/${ids.patientId}/consents`)).json().items as { id: string; type: string }[];
      const sim = consents.find((c) => c.type === 'simulation');
      expect((await clinic.owner.post(`/api/patients/${ids.patientId}/consents/${sim?.id}/withdraw`, { reason: 'No longer wanted' })).statusCode).toBe(200);
      const image = await clinician.get(`/api/simulations/${made.get('expected')?.id}/image`);
      expect(image.statusCode).toBe(403);
      expect(image.json().type).toBe('urn:contour:problem:consent-required');
    });

    it('goes with the patient record on erasure', async () => {
      const erased = await clinic.owner.post(`/api/patients/${ids.patientId}/erase`, { confirmFamilyName: 'Patient' });
      expect(erased.statusCode, erased.body).toBe(200);
      const rows = await t.services.db.selectFrom('simulation').select(['file_id', 'parameters']).where('patient_id', '=', ids.patientId).execute();
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.file_id === null)).toBe(true);
      expect((await clinic.owner.get(`/api/simulations/${made.get('upper')?.id}/image`)).statusCode).toBe(404);
      // The intake's own words went too.
      const consultation = await t.services.db.selectFrom('consultation').select('intake').where('patient_id', '=', ids.patientId).executeTakeFirstOrThrow();
      expect((consultation.intake as { concerns: string }).concerns).toBe('');
    });
  });
});
