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

    // Signed twice (a newer form, or the same one again) and withdrawn once: the patient's word covers both.
    const twice: string[] = [];
    for (let k = 0; k < 2; k++) {
      const again = await desk.post(`/api/patients/${patient.id}/consents`, { templateId: photography?.id, signedName: 'amelia HART', signature: await signatureDataUrl() });
      expect(again.statusCode, again.body).toBe(201);
      twice.push(again.json().id as string);
    }
    expect((await desk.get(`/api/patients/${patient.id}/consents`)).json().status.find((s: { purpose: string }) => s.purpose === 'capture_photos').allowed).toBe(true);
    expect((await desk.post(`/api/patients/${patient.id}/consents/${twice[1]}/withdraw`, { reason: 'No more photos' })).statusCode).toBe(200);
    const once = (await desk.get(`/api/patients/${patient.id}/consents`)).json();
    expect(once.status.find((s: { purpose: string }) => s.purpose === 'capture_photos').allowed).toBe(false);
    expect(once.items.filter((c: { id: string }) => twice.includes(c.id)).map((c: { inForce: boolean }) => c.inForce)).toEqual([false, false]);
    const withdrawal = (await clinic.owner.get(`/api/audit?patientId=${patient.id}&event=consent.withdraw&limit=1`)).json().items[0];
    expect(withdrawal).toMatchObject({ entityId: twice[1], detail: { type: 'clinical_photography', alsoWithdrawn: [twice[0]] } });
    // Signing again after the withdrawal gives consent again.
    expect((await desk.post(`/api/patients/${patient.id}/consents`, { templateId: photography?.id, signedName: 'amelia HART', signature: await signatureDataUrl() })).statusCode).toBe(201);
    expect((await desk.get(`/api/patients/${patient.id}/consents`)).json().status.find((s: { purpose: string }) => s.purpose === 'capture_photos').allowed).toBe(true);

    const verify = (await clinic.owner.get('/api/audit/verify')).json();
    expect(verify).toMatchObject({ ok: true, firstBreak: null });
    expect(verify.checked).toBeGreaterThan(5);
  });
});
