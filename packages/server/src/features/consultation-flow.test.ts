import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestClinic, createTestContour, samplePatient, signatureDataUrl, type TestClinic, type TestContour } from '../test/harness.js';

describe('front desk flow: patient, consent, withdrawal, audit', () => {
  let t: TestContour;
  let clinic: TestClinic;
  beforeAll(async () => {
    t = await createTestContour();
    clinic = await createTestClinic(t);
  });
  afterAll(async () => t.close());

  it('registers a patient, records and withdraws a consent, and audits every step', async () => {
    const { client: desk } = await clinic.member('staff');
    const created = await desk.post('/api/patients', samplePatient);
    expect(created.statusCode, created.body).toBe(201);
    const patient = created.json();
    expect(patient.clinicalNotes).toBeUndefined();

    const templates = (await desk.get('/api/consent-templates')).json().items as { id: string; type: string; current: boolean }[];
    const photography = templates.find((tpl) => tpl.type === 'clinical_photography' && tpl.current);
    expect(photography).toBeDefined();

    const before = (await desk.get(`/api/patients/${patient.id}/consents`)).json();
    expect(before.status.find((s: { purpose: string }) => s.purpose === 'capture_photos').allowed).toBe(false);

    const signed = await desk.post(`/api/patients/${patient.id}/consents`, {
      templateId: photography?.id,
      signedName: 'amelia HART',
      signature: await signatureDataUrl(),
    });
    expect(signed.statusCode, signed.body).toBe(201);
    expect(signed.json().inForce).toBe(true);

    const during = (await desk.get(`/api/patients/${patient.id}/consents`)).json();
    expect(during.status.find((s: { purpose: string }) => s.purpose === 'capture_photos').allowed).toBe(true);
    expect(during.status.find((s: { purpose: string }) => s.purpose === 'analyse_photos').allowed).toBe(false);

    const signature = await clinic.owner.get(`/api/patients/${patient.id}/consents/${signed.json().id}/signature`);
    expect(signature.statusCode).toBe(200);
    expect(signature.headers['content-type']).toBe('image/png');

    const withdrawn = await desk.post(`/api/patients/${patient.id}/consents/${signed.json().id}/withdraw`, { reason: 'Patient changed her mind' });
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    expect(withdrawn.json().inForce).toBe(false);
    const after = (await desk.get(`/api/patients/${patient.id}/consents`)).json();
    expect(after.status.find((s: { purpose: string }) => s.purpose === 'capture_photos').allowed).toBe(false);

    const audit = (await clinic.owner.get(`/api/audit?patientId=${patient.id}&limit=100`)).json();
    const events = audit.items.map((e: { event: string }) => e.event);
    expect(events).toEqual(expect.arrayContaining(['patient.create', 'consent.record', 'consent.withdraw', 'consent.signature.read']));
    expect(JSON.stringify(audit)).not.toContain('Amelia');

    const verify = (await clinic.owner.get('/api/audit/verify')).json();
    expect(verify).toMatchObject({ ok: true, firstBreak: null });
    expect(verify.checked).toBeGreaterThan(5);
  });
});
