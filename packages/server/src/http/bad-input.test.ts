/**
 * Hostile and clumsy requests: each gets a clear 4xx problem+json, never a 500, and nothing stored changes.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, createTestClinic, createTestContour, samplePatient, type TestClinic, type TestContour } from '../test/harness.js';

describe('bad input', () => {
  let t: TestContour;
  let clinic: TestClinic;
  let patientId: string;

  /** Every row of every clinic table except the audit trail, as text: if this changes, something was stored. */
  const snapshot = async (): Promise<string> => {
    const tables = ['organisation', 'location', 'app_user', 'patient', 'consent_template', 'consent', 'patient_key', 'patient_file'];
    const parts: string[] = [];
    for (const table of tables) {
      const { rows } = await sql<{ j: unknown }>`SELECT coalesce(json_agg(t ORDER BY t::text), '[]') AS j FROM ${sql.table(table)} t`.execute(t.services.db);
      parts.push(JSON.stringify(rows[0]?.j));
    }
    return parts.join('\n');
  };

  beforeAll(async () => {
    t = await createTestContour();
    clinic = await createTestClinic(t);
    patientId = (await clinic.owner.post('/api/patients', samplePatient)).json().id;
  });
  afterAll(async () => t.close());

  const expectProblem = (response: { statusCode: number; headers: Record<string, unknown>; json(): Record<string, unknown> }, status: number) => {
    expect(response.statusCode).toBe(status);
    expect(String(response.headers['content-type'])).toContain('application/problem+json');
    const body = response.json();
    expect(body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String), type: expect.stringMatching(/^urn:contour:problem:/) });
    return body;
  };

  it('refuses malformed JSON, wrong content types and oversize bodies without storing anything', async () => {
    const before = await snapshot();
    const owner = clinic.owner;
    expectProblem(await owner.request('POST', '/api/patients', Buffer.from('{"givenName": "A",'), { 'content-type': 'application/json' }), 400);
    expectProblem(await owner.request('POST', '/api/patients', Buffer.from('givenName=A'), { 'content-type': 'text/plain' }), 415);
    const huge = Buffer.from(JSON.stringify({ ...samplePatient, address: 'x'.repeat(2 * 1024 * 1024) }));
    expectProblem(await owner.request('POST', '/api/patients', huge, { 'content-type': 'application/json' }), 413);
    const hugeUpload = Buffer.alloc(26 * 1024 * 1024, 0xff);
    expectProblem(await owner.request('POST', `/api/patients/${patientId}/files`, hugeUpload, { 'content-type': 'image/jpeg' }), 413);
    expect(await snapshot()).toBe(before);
  });

  it('names the field for wrong types, missing and unknown fields', async () => {
    const before = await snapshot();
    const wrongType = expectProblem(await clinic.owner.post('/api/patients', { ...samplePatient, givenName: 42 }), 400);
    expect(JSON.stringify(wrongType.errors)).toContain('/givenName');
    const unknown = expectProblem(await clinic.owner.post('/api/patients', { ...samplePatient, isAdmin: true }), 400);
    expect(JSON.stringify(unknown.errors)).toContain('isAdmin');
    const { familyName: _omitted, ...missing } = samplePatient;
    const absent = expectProblem(await clinic.owner.post('/api/patients', missing), 400);
    expect(JSON.stringify(absent.errors)).toContain('familyName');
    expectProblem(await clinic.owner.post('/api/patients', { ...samplePatient, dateOfBirth: '2999-01-01' }), 400);
    expectProblem(await clinic.owner.post('/api/patients', { ...samplePatient, acquisitionChannel: 'carrier-pigeon' }), 400);
    expectProblem(await clinic.owner.patch(`/api/patients/${patientId}`, {}), 400);
    expectProblem(await clinic.owner.get('/api/patients/not-a-uuid'), 400);
    expectProblem(await clinic.owner.get('/api/patients?limit=100000'), 400);
    expectProblem(await clinic.owner.post('/api/users', { email: 'x@y.test', displayName: 'X', role: 'superuser', password: 'long enough password' }), 400);
    expectProblem(await clinic.owner.post('/api/users', { email: 'x@y.test', displayName: 'X', role: 'staff', password: 'short' }), 400);
    expectProblem(await clinic.owner.post('/api/users', { email: 'c@y.test', displayName: 'C', role: 'clinician', password: 'long enough password' }), 400);
    expect(await snapshot()).toBe(before);
  });

  it('stores SQL and HTML injection strings as plain text and finds them literally', async () => {
    const nasty = {
      ...samplePatient,
      givenName: "Robert'); DROP TABLE patient;--",
      familyName: '<script>alert(1)</script>',
      preferredName: "' OR '1'='1",
    };
    const created = await clinic.owner.post('/api/patients', nasty);
    expect(created.statusCode).toBe(201);
    expect(created.headers['content-type']).toContain('application/json');
    const read = (await clinic.owner.get(`/api/patients/${created.json().id}`)).json();
    expect(read.givenName).toBe(nasty.givenName);
    expect(read.familyName).toBe(nasty.familyName);
    for (const q of ["'; DROP TABLE patient;--", "' OR '1'='1", '%', '_', '\\', '<script>']) {
      const search = await clinic.owner.get(`/api/patients?q=${encodeURIComponent(q)}`);
      expect(search.statusCode, q).toBe(200);
    }
    // A LIKE wildcard is searched for literally, not as "anything".
    expect((await clinic.owner.get('/api/patients?q=%25')).json().total).toBe(0);
    expect((await clinic.owner.get(`/api/patients?q=${encodeURIComponent("' OR '1'='1")}`)).json().total).toBe(1);
    expect((await clinic.owner.get('/api/patients')).json().total).toBe(2);
  });

  it('answers expired and forged sessions with 401, and unknown API paths with a 404 problem', async () => {
    expectProblem(await new Client(t.app, 'contour_session=forged-token-value', 'x').get('/api/patients'), 401);
    expectProblem(await clinic.owner.get('/api/no-such-thing'), 404);
    expectProblem(await clinic.owner.request('DELETE', `/api/patients/${patientId}`), 404);
  });

  it('refuses a bad consent signature and a name that is not the patient', async () => {
    const before = await snapshot();
    const template = (await clinic.owner.get('/api/consent-templates')).json().items[0];
    const base = { templateId: template.id, signedName: 'Amelia Hart' };
    expectProblem(await clinic.owner.post(`/api/patients/${patientId}/consents`, { ...base, signature: 'data:image/png;base64,bm90IGEgcG5n' }), 400);
    expectProblem(await clinic.owner.post(`/api/patients/${patientId}/consents`, { ...base, signature: `data:text/html;base64,${'A'.repeat(100)}` }), 400);
    const png = (await import('../test/harness.js')).signatureDataUrl;
    expectProblem(await clinic.owner.post(`/api/patients/${patientId}/consents`, { ...base, signedName: 'Someone Else', signature: await png() }), 400);
    expectProblem(await clinic.owner.post(`/api/patients/${patientId}/consents`, { ...base, templateId: crypto.randomUUID(), signature: await png() }), 400);
    expect(await snapshot()).toBe(before);
  });
});
