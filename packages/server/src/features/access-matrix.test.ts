/**
 * Every role against every API route: allowed exactly where the policy allows, 403 everywhere else,
 * 401 without a session, and another clinic's ids answer 404 without leaking anything.
 * The route list comes from the app itself, so a new route without a case here fails this test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CATALOGUE, DEFAULT_PROTOCOL, ROLES, isAllowed, type Role } from '@contour/domain';
import { ClinicData } from '../data/clinic-data.js';
import type { ApiRoute } from '../plugins/auth.js';
import {
  Client,
  createTestClinic,
  createTestContour,
  fixture,
  samplePatient,
  signatureDataUrl,
  type TestClinic,
  type TestContour,
} from '../test/harness.js';

interface Ids {
  patientId: string;
  consentId: string;
  fileId: string;
  userId: string;
  templateId: string;
  sessionId: string;
  photoId: string;
  planId: string;
  version: string;
  itemKey: string;
  simulationId: string;
}

type Case = { body?: unknown; raw?: { bytes: Buffer; type: string }; query?: string };

/** A well-formed request for each route, so an allowed role gets past validation to the data layer. */
function cases(ids: Ids, signature: string, jpeg: Buffer): Record<string, Case> {
  return {
    'GET /api/health': {},
    'GET /api/docs': {},
    'GET /api/setup': {},
    'POST /api/setup': {
      body: { clinicName: 'X', locationName: 'Y', owner: { email: 'x@y.test', displayName: 'X', password: 'long enough password' } },
    },
    'POST /api/auth/login': { body: { email: 'nobody@clinic.test', password: 'wrong password' } },
    'GET /api/auth/session': {},
    'POST /api/auth/logout': {},
    'GET /api/patients': { query: '?q=hart' },
    'POST /api/patients': { body: { ...samplePatient, givenName: 'Matrix' } },
    'GET /api/patients/:patientId': {},
    'PATCH /api/patients/:patientId': { body: { phone: '+44 20 7946 0999' } },
    'POST /api/patients/:patientId/archive': {},
    'POST /api/patients/:patientId/restore': {},
    'POST /api/patients/:patientId/erase': { body: { confirmFamilyName: 'not-the-name' } },
    'GET /api/consent-templates': {},
    'POST /api/consent-templates': {
      body: { type: 'marketing_messages', title: 'Marketing messages', body: 'I agree to receive messages from the clinic.', validForMonths: null },
    },
    'GET /api/patients/:patientId/consents': {},
    'POST /api/patients/:patientId/consents': {
      body: { templateId: ids.templateId, signedName: `${samplePatient.givenName} ${samplePatient.familyName}`, signature },
    },
    'POST /api/patients/:patientId/consents/:consentId/withdraw': { body: { reason: 'matrix test' } },
    'GET /api/patients/:patientId/consents/:consentId/signature': {},
    'GET /api/patients/:patientId/files': {},
    'POST /api/patients/:patientId/files': { raw: { bytes: jpeg, type: 'image/jpeg' } },
    'GET /api/patients/:patientId/files/:fileId/content': {},
    'GET /api/users': {},
    'POST /api/users': { body: { email: 'new@clinic.test', displayName: 'New Person', role: 'analyst', password: 'long enough password' } },
    'PATCH /api/users/:userId': { body: { displayName: 'Renamed Person' } },
    'GET /api/locations': {},
    'POST /api/locations': { body: { name: 'Second site', timezone: 'Europe/London' } },
    'GET /api/audit': { query: '?limit=5' },
    'GET /api/audit/verify': {},
    'GET /api/stats/overview': {},
    'GET /api/stats/photo-compliance': { query: '?months=6' },
    'GET /api/photo-protocol': {},
    'PUT /api/photo-protocol': { body: DEFAULT_PROTOCOL },
    'POST /api/patients/:patientId/photo-sessions': { body: { notes: 'matrix session' } },
    'GET /api/patients/:patientId/photo-sessions': {},
    'GET /api/photo-sessions/:sessionId': {},
    'POST /api/photo-sessions/:sessionId/photos': { raw: { bytes: jpeg, type: 'image/jpeg' }, query: '?view=smile' },
    'POST /api/photos/analyse-earlier-method': {},
    'POST /api/photos/:photoId/analyse': {},
    'GET /api/photos/:photoId': {},
    'GET /api/photos/:photoId/image': {},
    'GET /api/photos/:photoId/thumbnail': {},
    'GET /api/photos/:photoId/landmarks': {},
    'GET /api/photos/:photoId/analysis': {},
    'PUT /api/photos/:photoId/grades': { body: { zoneId: 'forehead', side: 'centre', grade: 2, modality: 'photo' } },
    'GET /api/stats/grading-agreement': {},
    'GET /api/catalogue': {},
    'PUT /api/catalogue': { body: DEFAULT_CATALOGUE },
    'GET /api/patients/:patientId/plans': {},
    'POST /api/patients/:patientId/plans': { body: { intake: MATRIX_INTAKE } },
    'GET /api/plans/:planId': {},
    'PUT /api/plans/:planId/versions/:version/items/:itemKey/decision': { body: { decision: 'accept' } },
    'DELETE /api/plans/:planId/versions/:version/items/:itemKey/decision': {},
    'POST /api/plans/:planId/versions/:version/items': { body: { zoneId: 'chin', side: 'centre', productId: 'botox-cosmetic', amount: 4, stage: 1, reason: 'matrix' } },
    'POST /api/plans/:planId/versions/:version/sign': {},
    'POST /api/plans/:planId/versions': {},
    'GET /api/plans/:planId/versions/:version/summary.pdf': {},
    'GET /api/patients/:patientId/treatments': {},
    'POST /api/patients/:patientId/treatments': {
      body: { performedOn: '2026-01-15', items: [{ productId: 'botox-cosmetic', zoneId: 'glabella', side: 'centre', amount: 20, lotNumber: 'C1234', expiryDate: '2027-01-01' }] },
    },
    'GET /api/stats/ai-governance': {},
    'POST /api/photos/:photoId/simulations': { body: { planId: ids.planId, variant: 'conservative' } },
    'GET /api/patients/:patientId/simulations': {},
    'GET /api/simulations/:simulationId/image': {},
  };
}

const MATRIX_INTAKE = { concerns: 'Frown lines', goals: ['smooth_lines'], subtlety: 'balanced', budget: null, downtime: 'few_days', upcomingEvent: null };

const fillPath = (url: string, ids: Ids): string => url.replace(/:(\w+)/g, (_, name: keyof Ids) => encodeURIComponent(ids[name]));

async function send(client: Client, route: ApiRoute, ids: Ids, c: Case) {
  const url = fillPath(route.url, ids) + (c.query ?? '');
  if (c.raw) return client.request(route.method as 'POST', url, c.raw.bytes, { 'content-type': c.raw.type });
  return client.request(route.method as 'GET', url, route.method === 'GET' ? undefined : (c.body ?? {}));
}

/** Landmarks exist once the seeded photo is analysed (the upload queued it): wait for that, bounded. */
async function analysed(owner: Client, photoId: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const status = (await owner.get(`/api/photos/${photoId}`)).json().status;
    if (status === 'analysed') return;
    if (status === 'failed') throw new Error('the seeded photo failed analysis');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the seeded photo was not analysed within 60 s');
}

describe('access matrix', () => {
  let t: TestContour;
  let clinicA: TestClinic;
  let clinicB: TestClinic;
  let ids: Ids;
  let idsInB: Ids;
  let table: Record<string, Case>;
  const members = new Map<Role, Client>();

  async function seed(clinic: TestClinic): Promise<Ids> {
    const patient = (await clinic.owner.post('/api/patients', samplePatient)).json();
    const templates = (await clinic.owner.get('/api/consent-templates')).json().items;
    const templateId = templates.find((tpl: { type: string }) => tpl.type === 'clinical_photography').id;
    await clinic.owner.post(`/api/patients/${patient.id}/consents`, {
      templateId,
      signedName: `${samplePatient.givenName} ${samplePatient.familyName}`,
      signature: await signatureDataUrl(),
    });
    // AI-analysis consent too, so the analyse route answers 202 for the roles allowed it.
    const aiTemplateId = templates.find((tpl: { type: string }) => tpl.type === 'ai_analysis').id;
    await clinic.owner.post(`/api/patients/${patient.id}/consents`, {
      templateId: aiTemplateId,
      signedName: `${samplePatient.givenName} ${samplePatient.familyName}`,
      signature: await signatureDataUrl(),
    });
    const session = (await clinic.owner.post(`/api/patients/${patient.id}/photo-sessions`, {})).json();
    const photo = await clinic.owner.request('POST', `/api/photo-sessions/${session.id}/photos?view=frontal`, await fixture('faces/london-002-neutral.jpg'), {
      'content-type': 'image/jpeg',
    });
    if (photo.statusCode !== 202) throw new Error(`seed photo upload failed: ${photo.body}`);
    await analysed(clinic.owner, photo.json().id);
    const file = await clinic.owner.request('POST', `/api/patients/${patient.id}/files`, await fixture('faces/london-002-neutral.jpg'), {
      'content-type': 'image/jpeg',
    });
    const signed: Record<string, string> = {};
    for (const type of ['treatment', 'simulation', 'marketing_messages']) {
      const response = await clinic.owner.post(`/api/patients/${patient.id}/consents`, {
        templateId: templates.find((tpl: { type: string }) => tpl.type === type).id,
        signedName: `${samplePatient.givenName} ${samplePatient.familyName}`,
        signature: await signatureDataUrl(),
      });
      signed[type] = response.json().id as string;
    }
    const plan = await clinic.owner.post(`/api/patients/${patient.id}/plans`, { intake: MATRIX_INTAKE, photoId: photo.json().id });
    if (plan.statusCode !== 201) throw new Error(`seed plan failed: ${plan.body}`);
    const itemKey = (plan.json().current.suggested.items as { key: string }[])[0]?.key;
    if (!itemKey) throw new Error('the seeded plan has no items');
    const simulation = await clinic.owner.post(`/api/photos/${photo.json().id}/simulations`, { planId: plan.json().id, variant: 'expected' });
    if (simulation.statusCode !== 201) throw new Error(`seed simulation failed: ${simulation.body}`);
    const staff = await clinic.member('staff', 'Desk Person');
    return {
      patientId: patient.id,
      // The withdrawal probe takes a consent no other route needs: a withdrawal covers every signature of its type.
      consentId: signed.marketing_messages as string,
      fileId: file.json().id,
      userId: staff.userId,
      templateId,
      sessionId: session.id,
      photoId: photo.json().id,
      planId: plan.json().id,
      version: '1',
      itemKey,
      simulationId: simulation.json().id,
    };
  }

  beforeAll(async () => {
    t = await createTestContour();
    clinicA = await createTestClinic(t, 'Clinic A');
    clinicB = await createTestClinic(t, 'Clinic B');
    ids = await seed(clinicA);
    idsInB = await seed(clinicB);
    table = cases(ids, await signatureDataUrl(), await fixture('faces/london-001-neutral.jpg'));
    for (const role of ROLES) members.set(role, role === 'owner' ? clinicA.owner : (await clinicA.member(role)).client);
  });
  afterAll(async () => t.close());

  it('has a case for every API route', () => {
    const routes = t.app.apiRoutes.map((r) => `${r.method} ${r.url}`);
    expect(routes.length).toBeGreaterThan(25);
    expect(routes.filter((r) => !(r in table))).toEqual([]);
  });

  it.each(ROLES)('%s: allowed exactly where the policy allows, 403 elsewhere', async (role) => {
    const outcomes: string[] = [];
    for (const route of t.app.apiRoutes) {
      if (route.access.public) continue;
      const key = `${route.method} ${route.url}`;
      // Logout ends the session it is sent with; it has a test of its own below.
      if (key === 'POST /api/auth/logout') continue;
      const client = members.get(role) as Client;
      const response = await send(client, route, ids, table[key] as Case);
      const allowed = route.access.signedIn === true || (route.access.action !== undefined && isAllowed(role, route.access.action));
      const status = response.statusCode;
      const ok = allowed ? status !== 401 && status !== 403 && status < 500 : status === 403;
      if (!ok) outcomes.push(`${key} → ${status} (expected ${allowed ? 'allowed' : '403'}): ${response.body.slice(0, 160)}`);
      if (status >= 400) expect(response.headers['content-type']).toContain('application/problem+json');
    }
    expect(outcomes).toEqual([]);
  });

  it('every role can sign out, and the session is revoked afterwards', async () => {
    for (const role of ROLES) {
      const client = new Client(t.app);
      const email = role === 'owner' ? clinicA.ownerEmail : (await clinicA.member(role)).email;
      expect((await client.signIn(email)).statusCode).toBe(200);
      const cookie = client.cookie;
      expect((await client.post('/api/auth/logout')).statusCode).toBe(204);
      // The old cookie is dead server-side, even if a copy of it is replayed.
      const replay = new Client(t.app, cookie, client.csrfToken);
      expect((await replay.get('/api/auth/session')).statusCode).toBe(401);
    }
  });

  it('no non-public route answers without a session', async () => {
    const anonymous = new Client(t.app);
    for (const route of t.app.apiRoutes) {
      if (route.access.public) continue;
      const response = await send(anonymous, route, ids, table[`${route.method} ${route.url}`] as Case);
      expect(response.statusCode, `${route.method} ${route.url}`).toBe(401);
    }
  });

  it("another clinic's ids answer 404 and leak nothing", async () => {
    const owner = clinicB.owner;
    // Routes an owner may not use (grading is for clinicians) are tried by clinic B's clinician.
    const clinicianB = (await clinicB.member('clinician')).client;
    const leaks: string[] = [];
    for (const route of t.app.apiRoutes) {
      if (!route.url.includes(':')) continue;
      const action = route.access.action;
      const client = action !== undefined && !isAllowed('owner', action) ? clinicianB : owner;
      const response = await send(client, route, ids, table[`${route.method} ${route.url}`] as Case);
      if (response.statusCode !== 404) leaks.push(`${route.method} ${route.url} → ${response.statusCode}`);
      if (/Amelia|Hart|Desk Person/.test(response.body)) leaks.push(`${route.method} ${route.url} leaked a name`);
    }
    expect(leaks).toEqual([]);
    // Clinic A's records are unchanged by clinic B's attempts.
    const patient = (await clinicA.owner.get(`/api/patients/${ids.patientId}`)).json();
    expect(patient.familyName).toBe(samplePatient.familyName);
    // Lists only ever show the caller's own clinic.
    const listed = (await owner.get('/api/patients')).json().items.map((p: { id: string }) => p.id);
    expect(listed).toContain(idsInB.patientId);
    expect(listed).not.toContain(ids.patientId);
    const users = (await owner.get('/api/users')).json().items.map((u: { id: string }) => u.id);
    expect(users).not.toContain(ids.userId);
    // Clinic B's trail records its own failed attempts, but links nothing to clinic A's patient.
    const audit = (await owner.get('/api/audit?limit=500')).json().items as { patientId: string | null; entityId: string | null; outcome: string }[];
    expect(audit.filter((e) => e.patientId === ids.patientId).map((e) => JSON.stringify(e))).toEqual([]);
    expect(audit.filter((e) => e.entityId === ids.patientId).every((e) => e.outcome === 'failure')).toBe(true);
    expect(JSON.stringify(audit)).not.toMatch(/Amelia|Hart/);
  });

  it('the data layer itself refuses, whatever the route does', async () => {
    const analyst = (await t.services.db.selectFrom('app_user').select(['id', 'organisation_id']).where('role', '=', 'analyst').executeTakeFirstOrThrow());
    const data = new ClinicData(t.services.db, t.services.auditLog, t.services.vault, t.services.photoAnalysis, {
      actor: { userId: analyst.id, organisationId: analyst.organisation_id, role: 'analyst' },
      sourceIp: null,
    });
    await expect(data.patients.get(ids.patientId)).rejects.toMatchObject({ status: 403 });
    await expect(data.files.list(ids.patientId)).rejects.toMatchObject({ status: 403 });
    await expect(data.photos.get(ids.photoId)).rejects.toMatchObject({ status: 403 });
    await expect(data.photos.image(ids.photoId, 'image')).rejects.toMatchObject({ status: 403 });
    await expect(data.analysis.get(ids.photoId)).rejects.toMatchObject({ status: 403 });
    await expect(data.analysis.grade(ids.photoId, { zoneId: 'forehead', side: 'centre', grade: 1, modality: 'live' })).rejects.toMatchObject({ status: 403 });
    const nobody = new ClinicData(t.services.db, t.services.auditLog, t.services.vault, t.services.photoAnalysis, { actor: null, sourceIp: null });
    await expect(nobody.patients.search({ q: '', includeArchived: false, limit: 5, offset: 0 })).rejects.toMatchObject({ status: 401 });
    const denied = await t.services.db
      .selectFrom('audit_event')
      .select('event')
      .where('outcome', '=', 'denied')
      .where('actor_user_id', '=', analyst.id)
      .execute();
    expect(denied.map((d) => d.event)).toEqual(expect.arrayContaining(['patient.read', 'patientFile.list', 'photo.read', 'photo.image.read', 'photo.facialAnalysis.read', 'photo.zoneGrade']));
  });
});
