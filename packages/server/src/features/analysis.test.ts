/**
 * Facial analysis (issue 4) end to end, on the real app and database with the real face model: the analysis
 * job stores a frontal photo's facial analysis, clinicians grade its zones, and the agreement report compares
 * their grades with the AI's estimates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { weightedKappa } from '@contour/domain';
import { FACIAL_ANALYSIS_METHOD } from '@contour/vision';
import { aiGrade } from '../data/stats.js';
import { createTestClinic, createTestContour, fixture, signatureDataUrl, type Client, type TestClinic, type TestContour } from '../test/harness.js';

const ANALYSIS_TIMEOUT_MS = 60_000;

interface Zone {
  id: string;
  side: string;
  polygon: [number, number][];
  severity: number | null;
  confidence: number;
  scale: string | null;
}
interface Grade {
  zoneId: string;
  side: string;
  grade: number;
  modality: string;
  scale: string;
  gradedBy: string;
  gradedByName: string;
  gradedAt: string;
}

let t: TestContour;
let clinic: TestClinic;
let clinician: Client;
let clinicianId: string;
let templates: Map<string, string>;
let frontalId: string;
let smileId: string;
let zones: Zone[];

/** A patient with photography and AI-analysis consents; `consents` maps each type to its consent's id. */
async function consentingPatient(familyName: string): Promise<{ id: string; consents: Map<string, string> }> {
  const created = await clinic.owner.post('/api/patients', { givenName: 'Face', familyName, sex: 'female', acquisitionChannel: 'referral' });
  expect(created.statusCode, created.body).toBe(201);
  const id = created.json().id as string;
  const consents = new Map<string, string>();
  for (const type of ['clinical_photography', 'ai_analysis']) {
    const consent = await clinic.owner.post(`/api/patients/${id}/consents`, {
      templateId: templates.get(type),
      signedName: `Face ${familyName}`,
      signature: await signatureDataUrl(),
    });
    expect(consent.statusCode, consent.body).toBe(201);
    consents.set(type, consent.json().id as string);
  }
  return { id, consents };
}

const newPatient = async (familyName: string): Promise<string> => (await consentingPatient(familyName)).id;

async function analysedPhoto(sessionId: string, view: string, file: string): Promise<string> {
  const response = await clinician.request('POST', `/api/photo-sessions/${sessionId}/photos?view=${view}`, await fixture(file), { 'content-type': 'image/jpeg' });
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

const grade = (client: Client, photoId: string, body: Record<string, unknown>) => client.request('PUT', `/api/photos/${photoId}/grades`, body);

beforeAll(async () => {
  t = await createTestContour();
  clinic = await createTestClinic(t, 'Face Clinic');
  const member = await clinic.member('clinician', 'Clara Clinician');
  clinician = member.client;
  clinicianId = member.userId;
  const list = (await clinic.owner.get('/api/consent-templates')).json().items as { id: string; type: string; current: boolean }[];
  templates = new Map(list.filter((tpl) => tpl.current).map((tpl) => [tpl.type, tpl.id]));
  const patientId = await newPatient('Analysis');
  const session = (await clinician.post(`/api/patients/${patientId}/photo-sessions`, {})).json().id as string;
  frontalId = await analysedPhoto(session, 'frontal', 'faces/london-001-neutral.jpg');
  smileId = await analysedPhoto(session, 'smile', 'faces/london-001-smiling.jpg');
}, 120_000);
afterAll(async () => t?.close());

describe('the facial analysis', () => {
  it('an analysed frontal photo has a scale, measurements and zone findings, and its reading is audited', async () => {
    const response = await clinician.get(`/api/photos/${frontalId}/analysis`);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ photoId: frontalId, method: FACIAL_ANALYSIS_METHOD, methodCurrent: true, width: 1000, height: 1000, grades: [] });
    expect(body.landmarks).toHaveLength(478);
    expect(body.scale.mmPerPx).toBeGreaterThan(0);
    expect(body.scale.method).toEqual(expect.any(String));
    expect(body.measurements.length).toBeGreaterThan(5);
    expect(body.measurements.find((m: { id: string }) => m.id === 'interpupillary_distance')).toMatchObject({ unit: 'mm', value: expect.any(Number) });
    expect(Array.isArray(body.notMeasurable)).toBe(true);
    zones = body.zones as Zone[];
    expect(zones.length).toBeGreaterThan(5);
    expect(zones.filter((z) => z.severity !== null).length).toBeGreaterThan(2);
    for (const zone of zones) {
      expect(zone.polygon.length).toBeGreaterThan(2);
      expect(zone).toMatchObject({ view: 'frontal', expression: 'rest' });
    }
    const audit = await t.services.db.selectFrom('audit_event').select(['event', 'outcome']).where('entity_id', '=', frontalId).where('event', '=', 'photo.facialAnalysis.read').execute();
    expect(audit).toEqual([{ event: 'photo.facialAnalysis.read', outcome: 'success' }]);
    // The job's own audit entry counts what it stored, and holds no figures.
    const job = await t.services.db.selectFrom('audit_event').select('detail').where('entity_id', '=', frontalId).where('event', '=', 'photo.analyse').executeTakeFirstOrThrow();
    expect(job.detail).toMatchObject({ facialAnalysis: { zones: zones.length, measurements: body.measurements.length } });
  });

  it('says which figures are measured on an edge of the face outline not clearly seen, and why', async () => {
    // This face's left cheekbone has a second edge about as clear beside it (outline-edges.ts).
    const session = (await clinician.post(`/api/patients/${await newPatient('Outline')}/photo-sessions`, {})).json().id as string;
    const photoId = await analysedPhoto(session, 'frontal', 'faces/london-141-neutral.jpg');
    const measurements = (await clinician.get(`/api/photos/${photoId}/analysis`)).json().measurements as { id: string; unclearEdge?: string }[];
    const why = (id: string): string | undefined => measurements.find((m) => m.id === id)?.unclearEdge;
    for (const id of ['bizygomatic_width', 'bigonial_to_bizygomatic', 'face_width_to_height', 'symmetry_jaw']) {
      expect(why(id), id).toMatch(/^another edge about as clear lies beside the outline at the left cheekbone \(an ear, a sideburn or hair\): the one taken may not be the face's/);
    }
    // Figures off the outline are given as measured.
    for (const id of ['interpupillary_distance', 'upper_vermilion_height', 'mouth_width']) expect(why(id), id).toBeUndefined();
  });

  it('a smile-view photo answers 409 not-measurable, saying why, and has nothing stored', async () => {
    const response = await clinician.get(`/api/photos/${smileId}/analysis`);
    expect(response.statusCode).toBe(409);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ type: 'urn:contour:problem:not-measurable', detail: expect.stringMatching(/frontal view.*"smile"/) });
    const row = await t.services.db.selectFrom('photo').select('facial_analysis').where('id', '=', smileId).executeTakeFirstOrThrow();
    expect(row.facial_analysis).toBeNull();
    expect((await grade(clinician, smileId, { zoneId: 'forehead', side: 'centre', grade: 1, modality: 'photo' })).statusCode).toBe(409);
  });

  it('an unknown photo answers 404', async () => {
    expect((await clinician.get('/api/photos/00000000-0000-4000-8000-000000000000/analysis')).statusCode).toBe(404);
  });
});

describe('clinician grading', () => {
  it('grades two zones (live and photo) and a re-grade replaces the first, audited in the same transaction', async () => {
    const [first, second] = zones.filter((z) => z.severity !== null) as [Zone, Zone];
    const a = await grade(clinician, frontalId, { zoneId: first.id, side: first.side, grade: 1, modality: 'live' });
    expect(a.statusCode, a.body).toBe(200);
    expect(a.json()).toMatchObject({ zoneId: first.id, side: first.side, grade: 1, modality: 'live', gradedBy: clinicianId, gradedByName: 'Clara Clinician' });
    expect(a.json().scale).not.toMatch(/AI/);
    const b = await grade(clinician, frontalId, { zoneId: second.id, side: second.side, grade: 3, modality: 'photo' });
    expect(b.statusCode, b.body).toBe(200);
    const again = await grade(clinician, frontalId, { zoneId: first.id, side: first.side, grade: 2, modality: 'photo' });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ grade: 2, modality: 'photo' });

    const rows = await t.services.db.selectFrom('zone_grade').select(['zone_id', 'side', 'grade', 'modality']).where('photo_id', '=', frontalId).execute();
    expect(rows).toHaveLength(2);
    expect(rows).toEqual(
      expect.arrayContaining([
        { zone_id: first.id, side: first.side, grade: 2, modality: 'photo' },
        { zone_id: second.id, side: second.side, grade: 3, modality: 'photo' },
      ]),
    );
    const grades = (await clinician.get(`/api/photos/${frontalId}/analysis`)).json().grades as Grade[];
    expect(grades).toHaveLength(2);
    expect(grades.find((g) => g.zoneId === first.id && g.side === first.side)?.grade).toBe(2);
    const audit = await t.services.db
      .selectFrom('audit_event')
      .select(['detail', 'outcome'])
      .where('entity_id', '=', frontalId)
      .where('event', '=', 'photo.zoneGrade')
      .orderBy('seq')
      .execute();
    expect(audit.map((e) => (e.detail as { replaced: boolean }).replaced)).toEqual([false, false, true]);
  });

  it('refuses a grade outside 0–4, an unknown field and a zone the analysis does not have', async () => {
    const zone = zones[0] as Zone;
    expect((await grade(clinician, frontalId, { zoneId: zone.id, side: zone.side, grade: 5, modality: 'live' })).statusCode).toBe(400);
    expect((await grade(clinician, frontalId, { zoneId: zone.id, side: zone.side, grade: 1, modality: 'video' })).statusCode).toBe(400);
    expect((await grade(clinician, frontalId, { zoneId: zone.id, side: zone.side, grade: 1, modality: 'live', scale: 'x' })).statusCode).toBe(400);
    expect((await grade(clinician, frontalId, { zoneId: 'forehead', side: 'left', grade: 1, modality: 'live' })).statusCode).toBe(400);
  });

  it('front desk and analysts can neither read nor grade; an owner can read but not grade', async () => {
    const zone = zones[0] as Zone;
    const body = { zoneId: zone.id, side: zone.side, grade: 1, modality: 'photo' };
    for (const role of ['staff', 'analyst'] as const) {
      const { client } = await clinic.member(role);
      expect((await client.get(`/api/photos/${frontalId}/analysis`)).statusCode, role).toBe(403);
      expect((await grade(client, frontalId, body)).statusCode, role).toBe(403);
    }
    expect((await clinic.owner.get(`/api/photos/${frontalId}/analysis`)).statusCode).toBe(200);
    expect((await grade(clinic.owner, frontalId, body)).statusCode).toBe(403);
    expect(await t.services.db.selectFrom('zone_grade').select('id').where('photo_id', '=', frontalId).where('graded_by', '=', clinic.ownerId).execute()).toEqual([]);
  });
});

describe('the grading agreement report', () => {
  it('returns n and a quadratic-weighted kappa computed from the stored pairs, per zone and overall', async () => {
    // A second clinician grades every estimated zone, so there is variance to measure.
    const second = (await clinic.member('clinician', 'Second Clinician')).client;
    const estimated = zones.filter((z) => z.severity !== null);
    for (const [i, zone] of estimated.entries()) {
      const response = await grade(second, frontalId, { zoneId: zone.id, side: zone.side, grade: i % 5, modality: 'photo' });
      expect(response.statusCode, response.body).toBe(200);
    }
    const analyst = (await clinic.member('analyst')).client;
    const response = await analyst.get('/api/stats/grading-agreement');
    expect(response.statusCode, response.body).toBe(200);
    const report = response.json() as { overall: { kappa: number | null; n: number }; zones: { zoneId: string; kappa: number | null; n: number }[] };

    const stored = await t.services.db.selectFrom('zone_grade').select(['zone_id', 'side', 'grade']).where('organisation_id', '=', clinic.organisationId).execute();
    const pairs = stored.flatMap((g): [string, [number, number]][] => {
      const severity = zones.find((z) => z.id === g.zone_id && z.side === g.side)?.severity;
      return typeof severity === 'number' ? [[g.zone_id, [aiGrade(severity), g.grade]]] : [];
    });
    expect(report.overall.n).toBe(pairs.length);
    expect(report.overall.n).toBe(estimated.length + 2);
    const expected = weightedKappa(pairs.map(([, pair]) => pair));
    if (expected === null) expect(report.overall.kappa).toBeNull();
    else expect(report.overall.kappa).toBeCloseTo(expected, 10);
    for (const zone of report.zones) {
      const ofZone = pairs.filter(([id]) => id === zone.zoneId).map(([, pair]) => pair);
      expect(zone.n, zone.zoneId).toBe(ofZone.length);
      const kappa = weightedKappa(ofZone);
      if (kappa === null) expect(zone.kappa, zone.zoneId).toBeNull();
      else expect(zone.kappa, zone.zoneId).toBeCloseTo(kappa, 10);
    }
    expect(new Set(report.zones.map((z) => z.zoneId))).toEqual(new Set(stored.map((g) => g.zone_id)));
    // Another clinic sees nothing of these grades.
    const other = await createTestClinic(t, 'Other Clinic');
    expect((await other.owner.get('/api/stats/grading-agreement')).json()).toEqual({ method: FACIAL_ANALYSIS_METHOD, overall: { kappa: null, n: 0 }, zones: [], earlierMethod: 0 });
  });
});

describe('analyses an earlier method made', () => {
  /** Stores the photo's facial analysis as `method` would have (undefined: before methods were recorded). */
  async function madeBy(photoId: string, method: string | undefined): Promise<void> {
    const row = await t.services.db.selectFrom('photo').select('facial_analysis').where('id', '=', photoId).executeTakeFirstOrThrow();
    const facial = { ...(row.facial_analysis as Record<string, unknown>), method };
    await t.services.db.updateTable('photo').set({ facial_analysis: JSON.stringify(facial) }).where('id', '=', photoId).execute();
  }
  async function analysedAgain(photoId: string): Promise<void> {
    const deadline = Date.now() + ANALYSIS_TIMEOUT_MS;
    while ((await clinician.get(`/api/photos/${photoId}`)).json().status !== 'analysed') {
      if (Date.now() > deadline) throw new Error('the photo was not analysed again in time');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const agreement = async () => (await clinic.owner.get('/api/stats/grading-agreement')).json() as { overall: { n: number }; earlierMethod: number };

  it('say so, are left out of the grading agreement, and are current again once the photo is analysed again', async () => {
    const before = await agreement();
    const graded = (await t.services.db.selectFrom('zone_grade').select('id').where('photo_id', '=', frontalId).execute()).length;
    expect(graded).toBeGreaterThan(0);
    expect(before.earlierMethod).toBe(0);

    for (const method of ['contour-analysis/2026-01-01', undefined]) {
      await madeBy(frontalId, method);
      const analysis = (await clinician.get(`/api/photos/${frontalId}/analysis`)).json();
      expect(analysis).toMatchObject({ method: method ?? null, methodCurrent: false });
      // The figures are still shown: they are what the earlier method found.
      expect(analysis.zones.length).toBeGreaterThan(5);
      const left = await agreement();
      expect(left.earlierMethod).toBe(graded);
      expect(left.overall.n).toBe(before.overall.n - graded);
    }

    expect((await clinician.post(`/api/photos/${frontalId}/analyse`, {})).statusCode).toBe(202);
    await analysedAgain(frontalId);
    expect((await clinician.get(`/api/photos/${frontalId}/analysis`)).json()).toMatchObject({ method: FACIAL_ANALYSIS_METHOD, methodCurrent: true });
    expect(await agreement()).toMatchObject({ overall: { n: before.overall.n }, earlierMethod: 0 });
  }, ANALYSIS_TIMEOUT_MS + 10_000);

  it('are queued again together, except where the AI-analysis consent has been withdrawn since', async () => {
    const withdrawn = await consentingPatient('Withdrawn');
    const session = (await clinician.post(`/api/patients/${withdrawn.id}/photo-sessions`, {})).json().id as string;
    const withdrawnPhoto = await analysedPhoto(session, 'frontal', 'faces/london-002-neutral.jpg');
    const withdrawal = await clinic.owner.post(`/api/patients/${withdrawn.id}/consents/${withdrawn.consents.get('ai_analysis')}/withdraw`, { reason: 'changed her mind' });
    expect(withdrawal.statusCode, withdrawal.body).toBe(200);
    await madeBy(frontalId, 'contour-analysis/2026-01-01');
    await madeBy(withdrawnPhoto, undefined);

    // Analysts read the figures but do not capture photos.
    expect((await (await clinic.member('analyst')).client.post('/api/photos/analyse-earlier-method', {})).statusCode).toBe(403);
    const queued = await clinician.post('/api/photos/analyse-earlier-method', {});
    expect(queued.statusCode, queued.body).toBe(200);
    expect(queued.json()).toEqual({ queued: 1, skipped: 1, remaining: 0 });
    await analysedAgain(frontalId);
    expect((await clinician.get(`/api/photos/${frontalId}/analysis`)).json()).toMatchObject({ methodCurrent: true });
    // The other photo is left as it was, and says so; nothing is queued twice.
    expect((await clinician.get(`/api/photos/${withdrawnPhoto}/analysis`)).json()).toMatchObject({ method: null, methodCurrent: false });
    expect((await clinician.post('/api/photos/analyse-earlier-method', {})).json()).toEqual({ queued: 0, skipped: 1, remaining: 0 });
    const audit = await t.services.db
      .selectFrom('audit_event')
      .select(['event', 'outcome', 'entity_id'])
      .where('chain', '=', clinic.organisationId)
      .where('event', 'in', ['photo.analyse.request', 'photo.analyse.earlierMethod'])
      .orderBy('seq', 'desc')
      .limit(4)
      .execute();
    expect(audit.map((a) => [a.event, a.outcome, a.entity_id])).toEqual([
      ['photo.analyse.earlierMethod', 'success', null],
      ['photo.analyse.request', 'denied', withdrawnPhoto],
      ['photo.analyse.earlierMethod', 'success', null],
      ['photo.analyse.request', 'denied', withdrawnPhoto],
    ]);
  }, ANALYSIS_TIMEOUT_MS + 30_000);
});

describe('erasure', () => {
  it("blanks the photos' facial analyses and deletes the patient's zone grades", async () => {
    const patientId = await newPatient('Erasable');
    const session = (await clinician.post(`/api/patients/${patientId}/photo-sessions`, {})).json().id as string;
    const photoId = await analysedPhoto(session, 'frontal', 'faces/london-002-neutral.jpg');
    const zone = ((await clinician.get(`/api/photos/${photoId}/analysis`)).json().zones as Zone[])[0] as Zone;
    expect((await grade(clinician, photoId, { zoneId: zone.id, side: zone.side, grade: 2, modality: 'live' })).statusCode).toBe(200);
    const erased = await clinic.owner.post(`/api/patients/${patientId}/erase`, { confirmFamilyName: 'Erasable' });
    expect(erased.statusCode, erased.body).toBe(200);
    const row = await t.services.db.selectFrom('photo').select(['facial_analysis', 'landmarks']).where('id', '=', photoId).executeTakeFirstOrThrow();
    expect(row).toEqual({ facial_analysis: null, landmarks: null });
    expect(await t.services.db.selectFrom('zone_grade').select('id').where('photo_id', '=', photoId).execute()).toEqual([]);
    expect((await clinician.get(`/api/photos/${photoId}/analysis`)).statusCode).toBe(404);
    // Other patients' grades are untouched.
    expect((await t.services.db.selectFrom('zone_grade').select('id').where('photo_id', '=', frontalId).execute()).length).toBeGreaterThan(0);
  });
});
