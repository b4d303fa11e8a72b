/**
 * Patient files at rest, end to end through the HTTP API: what reaches the disk is ciphertext only,
 * damage is reported as an integrity failure, erasure shreds, and clinics never see each other's files.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestClinic,
  createTestContour,
  fixture,
  samplePatient,
  signatureDataUrl,
  type Client,
  type TestClinic,
  type TestContour,
} from '../test/harness.js';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Every regular file under a directory, recursively. */
async function walk(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await walk(path)));
    else found.push(path);
  }
  return found;
}

/** A small but well-formed one-page PDF, with a correct cross-reference table. */
function minimalPdf(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    '<< /Length 44 >>\nstream\nBT /F1 18 Tf 72 770 Td (Referral) Tj ET\nendstream',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(Buffer.byteLength(body));
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body);
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

interface PatientFile {
  id: string;
  kind: string;
  contentType: string;
  byteSize: number;
  sha256: string;
  createdAt: string;
}

describe('patient files at rest (encrypted vault), through the HTTP API', () => {
  let t: TestContour;
  let clinic: TestClinic;
  let jpeg: Buffer;
  let otherJpeg: Buffer;
  let signaturePng: Buffer;
  let counter = 0;

  beforeAll(async () => {
    t = await createTestContour();
    clinic = await createTestClinic(t);
    jpeg = await fixture('faces/london-001-neutral.jpg');
    otherJpeg = await fixture('faces/london-002-neutral.jpg');
    signaturePng = await fixture('signature.png');
  });
  afterAll(async () => t?.close());

  const filesDir = (): string => join(t.dataDir, 'files');
  const blobPath = (organisationId: string, patientId: string, fileId: string): string => join(filesDir(), organisationId, patientId, fileId);

  /** A patient with a name no other test uses, so a name found on disk can only be theirs. */
  async function newPatient(client: Client = clinic.owner): Promise<{ id: string; givenName: string; familyName: string; email: string; phone: string }> {
    counter += 1;
    const familyName = `Quarrington${'abcdefghij'[counter % 10]}${'klmnopqrst'[Math.floor(counter / 10) % 10]}`;
    const email = `${familyName.toLowerCase()}@example.test`;
    const phone = `+44 20 7946 ${String(1000 + counter)}`;
    const response = await client.post('/api/patients', { ...samplePatient, givenName: 'Philippa', familyName, email, phone });
    expect(response.statusCode, response.body).toBe(201);
    return { id: (response.json() as { id: string }).id, givenName: 'Philippa', familyName, email, phone };
  }

  const upload = (client: Client, patientId: string, bytes: Buffer, contentType: string): Promise<LightMyRequestResponse> =>
    client.request('POST', `/api/patients/${patientId}/files`, bytes, { 'content-type': contentType });

  async function uploadOk(client: Client, patientId: string, bytes: Buffer, contentType = 'image/jpeg'): Promise<PatientFile> {
    const response = await upload(client, patientId, bytes, contentType);
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as PatientFile;
  }

  const download = (client: Client, patientId: string, fileId: string): Promise<LightMyRequestResponse> =>
    client.get(`/api/patients/${patientId}/files/${fileId}/content`);

  async function recordConsent(patient: { id: string; givenName: string; familyName: string }): Promise<string> {
    const templates = (await clinic.owner.get('/api/consent-templates')).json().items as { id: string; type: string; current: boolean }[];
    const photography = templates.find((tpl) => tpl.type === 'clinical_photography' && tpl.current);
    const response = await clinic.owner.post(`/api/patients/${patient.id}/consents`, {
      templateId: photography?.id,
      signedName: `${patient.givenName} ${patient.familyName}`,
      signature: await signatureDataUrl(),
    });
    expect(response.statusCode, response.body).toBe(201);
    return (response.json() as { id: string }).id;
  }

  const fileRows = async (): Promise<number> => {
    const row = await t.services.db.selectFrom('patient_file').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  };

  function expectProblem(response: LightMyRequestResponse, status: number, slug: string): void {
    expect(response.statusCode, response.body).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ type: `urn:contour:problem:${slug}`, status });
  }

  it('(a) writes no plaintext and no patient name to disk', async () => {
    const patient = await newPatient();
    const file = await uploadOk(clinic.owner, patient.id, jpeg);
    await recordConsent(patient);

    const files = await walk(t.dataDir);
    // The document and the signature, at least: the search below is not over an empty directory.
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect(files).toContain(blobPath(clinic.organisationId, patient.id, file.id));

    const middle = Math.floor(jpeg.length / 2);
    const jpegSlice = jpeg.subarray(middle - 32, middle + 32);
    const pngMiddle = Math.floor(signaturePng.length / 2);
    const pngSlices = [signaturePng, signaturePng.subarray(pngMiddle - 32, pngMiddle + 32), signaturePng.subarray(8, 72)];
    const identifying = [patient.givenName, patient.familyName, patient.email, patient.phone, '79461', samplePatient.dateOfBirth].map((s) =>
      s.toLowerCase(),
    );
    for (const path of files) {
      const bytes = await readFile(path);
      expect(bytes.includes(jpegSlice), `${path} holds JPEG plaintext`).toBe(false);
      expect(bytes.includes(jpeg.subarray(0, 64)), `${path} holds the JPEG header`).toBe(false);
      for (const slice of pngSlices) expect(bytes.includes(slice), `${path} holds signature plaintext`).toBe(false);
      const text = bytes.toString('latin1').toLowerCase();
      const utf16 = bytes.toString('utf16le').toLowerCase();
      for (const value of identifying) {
        expect(text.includes(value) || utf16.includes(value), `${path} holds "${value}"`).toBe(false);
        expect(path.toLowerCase().includes(value), `the path ${path} holds "${value}"`).toBe(false);
      }
    }
    // And the sealed blob really is the file, only encrypted: the same size plus version, nonce and tag.
    const sealed = await readFile(blobPath(clinic.organisationId, patient.id, file.id));
    expect(sealed.length).toBe(jpeg.length + 1 + 12 + 16);
  });

  it('(b) downloads exactly the original bytes, with a matching SHA-256', async () => {
    const patient = await newPatient();
    const file = await uploadOk(clinic.owner, patient.id, jpeg);
    expect(file).toMatchObject({ kind: 'document', contentType: 'image/jpeg', byteSize: jpeg.length, sha256: sha256(jpeg) });

    const listed = (await clinic.owner.get(`/api/patients/${patient.id}/files`)).json().items as PatientFile[];
    expect(listed).toEqual([file]);

    const response = await download(clinic.owner, patient.id, file.id);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('image/jpeg');
    expect(response.rawPayload.equals(jpeg)).toBe(true);
    expect(sha256(response.rawPayload)).toBe(file.sha256);

    // A clinician may read it too; the audit trail records who did.
    const { client: clinician, userId } = await clinic.member('clinician');
    const again = await download(clinician, patient.id, file.id);
    expect(again.statusCode).toBe(200);
    expect(again.rawPayload.equals(jpeg)).toBe(true);
    const audit = (await clinic.owner.get(`/api/audit?patientId=${patient.id}&event=patientFile.&limit=50`)).json().items as {
      event: string;
      actorUserId: string;
      entityId: string;
      outcome: string;
    }[];
    expect(audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ event: 'patientFile.upload', actorUserId: clinic.ownerId, entityId: file.id, outcome: 'success' }),
        expect.objectContaining({ event: 'patientFile.read', actorUserId: userId, entityId: file.id, outcome: 'success' }),
      ]),
    );
  });

  it('keeps two files of one patient apart', async () => {
    const patient = await newPatient();
    const first = await uploadOk(clinic.owner, patient.id, jpeg);
    const second = await uploadOk(clinic.owner, patient.id, otherJpeg);
    expect(first.sha256).not.toBe(second.sha256);
    expect((await download(clinic.owner, patient.id, first.id)).rawPayload.equals(jpeg)).toBe(true);
    expect((await download(clinic.owner, patient.id, second.id)).rawPayload.equals(otherJpeg)).toBe(true);
    // A file id asked for under another patient of the same clinic is not found.
    const other = await newPatient();
    expectProblem(await download(clinic.owner, other.id, first.id), 404, 'not-found');
  });

  it("concurrent first uploads for one patient all succeed and share the patient's one key", async () => {
    // On PostgreSQL each request has its own connection, so all of them find no key and try to create one.
    for (let round = 0; round < 3; round += 1) {
      const patient = await newPatient();
      const bodies = [jpeg, otherJpeg, signaturePng, jpeg];
      const types = ['image/jpeg', 'image/jpeg', 'image/png', 'image/jpeg'];
      const responses = await Promise.all(bodies.map((bytes, i) => upload(clinic.owner, patient.id, bytes, types[i]!)));
      expect(responses.map((r) => r.statusCode), responses.map((r) => r.body).join('\n')).toEqual([201, 201, 201, 201]);
      const keys = await t.services.db.selectFrom('patient_key').select('wrapped_key').where('patient_id', '=', patient.id).execute();
      expect(keys).toHaveLength(1);
      for (const [i, response] of responses.entries()) {
        const back = await download(clinic.owner, patient.id, (response.json() as PatientFile).id);
        expect(back.statusCode, back.body).toBe(200);
        expect(back.rawPayload.equals(bodies[i]!)).toBe(true);
      }
      expect(await walk(join(filesDir(), clinic.organisationId, patient.id))).toHaveLength(4);
    }
  });

  it('(c) a damaged blob on disk answers 409 integrity-check-failed, not 500', async () => {
    const patient = await newPatient();
    const file = await uploadOk(clinic.owner, patient.id, jpeg);
    const untouched = await uploadOk(clinic.owner, patient.id, otherJpeg);
    const path = blobPath(clinic.organisationId, patient.id, file.id);
    const original = await readFile(path);

    for (const index of [5, Math.floor(original.length / 2), original.length - 1]) {
      const damaged = Buffer.from(original);
      damaged[index] = damaged[index]! ^ 0x01;
      await writeFile(path, damaged);
      const response = await download(clinic.owner, patient.id, file.id);
      expectProblem(response, 409, 'integrity-check-failed');
      expect(response.rawPayload.includes(jpeg.subarray(0, 64))).toBe(false);
    }

    // Truncated and missing blobs are integrity failures too.
    await writeFile(path, original.subarray(0, 20));
    expectProblem(await download(clinic.owner, patient.id, file.id), 409, 'integrity-check-failed');
    await writeFile(path, Buffer.alloc(0));
    expectProblem(await download(clinic.owner, patient.id, file.id), 409, 'integrity-check-failed');

    // The patient's other file is unaffected, and the failure is audited.
    expect((await download(clinic.owner, patient.id, untouched.id)).rawPayload.equals(otherJpeg)).toBe(true);
    const failures = (await clinic.owner.get(`/api/audit?patientId=${patient.id}&outcome=failure&limit=50`)).json().items as { event: string; entityId: string }[];
    expect(failures.filter((e) => e.event === 'patientFile.read' && e.entityId === file.id).length).toBeGreaterThanOrEqual(5);

    // Put the original back: the file opens again, so the 409s were caused by the damage alone.
    await writeFile(path, original);
    const restored = await download(clinic.owner, patient.id, file.id);
    expect(restored.statusCode).toBe(200);
    expect(restored.rawPayload.equals(jpeg)).toBe(true);
  });

  it('(c) a blob swapped for another file of the same patient is refused (bound to its file id)', async () => {
    const patient = await newPatient();
    const a = await uploadOk(clinic.owner, patient.id, jpeg);
    const b = await uploadOk(clinic.owner, patient.id, otherJpeg);
    const pathA = blobPath(clinic.organisationId, patient.id, a.id);
    await writeFile(pathA, await readFile(blobPath(clinic.organisationId, patient.id, b.id)));
    expectProblem(await download(clinic.owner, patient.id, a.id), 409, 'integrity-check-failed');
  });

  it("(d) a damaged wrapped key answers 409 for the patient's files", async () => {
    const patient = await newPatient();
    const file = await uploadOk(clinic.owner, patient.id, jpeg);
    const row = await t.services.db.selectFrom('patient_key').select('wrapped_key').where('patient_id', '=', patient.id).executeTakeFirstOrThrow();
    const original = Buffer.from(row.wrapped_key!);
    expect(original.length).toBe(1 + 12 + 32 + 16);
    const damaged = Buffer.from(original);
    damaged[20] = damaged[20]! ^ 0x40;
    await t.services.db.updateTable('patient_key').set({ wrapped_key: damaged }).where('patient_id', '=', patient.id).execute();

    expectProblem(await download(clinic.owner, patient.id, file.id), 409, 'integrity-check-failed');
    // A new upload cannot use (or silently replace) the damaged key either.
    const before = await fileRows();
    expectProblem(await upload(clinic.owner, patient.id, jpeg, 'image/jpeg'), 409, 'integrity-check-failed');
    expect(await fileRows()).toBe(before);

    await t.services.db.updateTable('patient_key').set({ wrapped_key: original }).where('patient_id', '=', patient.id).execute();
    const restored = await download(clinic.owner, patient.id, file.id);
    expect(restored.statusCode).toBe(200);
    expect(restored.rawPayload.equals(jpeg)).toBe(true);
  });

  it("(d) another patient's wrapped key does not open this patient's files", async () => {
    const patient = await newPatient();
    const other = await newPatient();
    const file = await uploadOk(clinic.owner, patient.id, jpeg);
    await uploadOk(clinic.owner, other.id, otherJpeg);
    const otherKey = await t.services.db.selectFrom('patient_key').select('wrapped_key').where('patient_id', '=', other.id).executeTakeFirstOrThrow();
    await t.services.db.updateTable('patient_key').set({ wrapped_key: otherKey.wrapped_key }).where('patient_id', '=', patient.id).execute();
    expectProblem(await download(clinic.owner, patient.id, file.id), 409, 'integrity-check-failed');
  });

  it('(e) erasure shreds the files, blanks the record and is audited', async () => {
    const patient = await newPatient();
    const document = await uploadOk(clinic.owner, patient.id, jpeg);
    const pdf = await uploadOk(clinic.owner, patient.id, minimalPdf(), 'application/pdf');
    const consentId = await recordConsent(patient);
    // A withdrawal's reason is free text, and can name the patient.
    const withdrawalReason = `${patient.givenName} moved abroad`;
    expect((await clinic.owner.post(`/api/patients/${patient.id}/consents/${consentId}/withdraw`, { reason: withdrawalReason })).statusCode).toBe(200);
    const listed = (await clinic.owner.get(`/api/patients/${patient.id}/files`)).json().items as PatientFile[];
    // The drawn consent signature is one of the patient's files too.
    expect(listed.map((f) => f.kind).sort()).toEqual(['consent-signature', 'document', 'document']);
    const blobDir = join(filesDir(), clinic.organisationId, patient.id);
    const blobsBefore = await walk(blobDir);
    expect(blobsBefore).toHaveLength(3); // two documents and the signature

    // The family name must be typed to confirm; a wrong one changes nothing.
    expectProblem(await clinic.owner.post(`/api/patients/${patient.id}/erase`, { confirmFamilyName: 'Someone' }), 400, 'bad-request');
    expect(await walk(blobDir)).toHaveLength(3);
    // Front desk and clinicians may not erase.
    const { client: clinician } = await clinic.member('clinician');
    expectProblem(await clinician.post(`/api/patients/${patient.id}/erase`, { confirmFamilyName: patient.familyName }), 403, 'forbidden');

    const erased = await clinic.owner.post(`/api/patients/${patient.id}/erase`, { confirmFamilyName: ` ${patient.familyName.toUpperCase()} ` });
    expect(erased.statusCode, erased.body).toBe(200);
    expect(erased.json()).toMatchObject({ filesShredded: 3 });

    // Files answer 410 Gone, and the ciphertext is gone from disk.
    for (const id of [document.id, pdf.id]) expectProblem(await download(clinic.owner, patient.id, id), 410, 'gone');
    expectProblem(await clinic.owner.get(`/api/patients/${patient.id}/consents/${consentId}/signature`), 410, 'gone');
    expect(await walk(blobDir)).toEqual([]);
    for (const path of blobsBefore) expect(existsSync(path), path).toBe(false);
    expect((await clinic.owner.get(`/api/patients/${patient.id}/files`)).json().items).toEqual([]);

    // The key is destroyed.
    const key = await t.services.db.selectFrom('patient_key').selectAll().where('patient_id', '=', patient.id).executeTakeFirstOrThrow();
    expect(key.wrapped_key).toBeNull();
    expect(key.destroyed_at).not.toBeNull();

    // The record no longer identifies the patient.
    const record = await clinic.owner.get(`/api/patients/${patient.id}`);
    expect(record.statusCode).toBe(200);
    expect(record.json()).toMatchObject({ erased: true, email: null, phone: null, dateOfBirth: null, address: null });
    for (const value of [patient.givenName, patient.familyName, patient.email, '7946']) expect(record.body).not.toContain(value);
    const search = await clinic.owner.get(`/api/patients?q=${patient.familyName}`);
    expect(search.json().total).toBe(0);
    const consents = await clinic.owner.get(`/api/patients/${patient.id}/consents`);
    expect(consents.body).not.toContain(patient.familyName);
    expect(consents.body).not.toContain(withdrawalReason);
    // That a consent was withdrawn, and when, stays.
    expect(consents.json().items.filter((c: { withdrawnAt: string | null }) => c.withdrawnAt !== null)).toHaveLength(1);

    // Nothing new can be stored for them.
    const rowsBefore = await fileRows();
    expectProblem(await upload(clinic.owner, patient.id, jpeg, 'image/jpeg'), 410, 'gone');
    expect(await fileRows()).toBe(rowsBefore);
    expect(await walk(blobDir)).toEqual([]);
    expectProblem(await clinic.owner.post(`/api/patients/${patient.id}/erase`, { confirmFamilyName: 'patient' }), 410, 'gone');

    // The audit trail says so, by id and count only.
    const audit = (await clinic.owner.get(`/api/audit?patientId=${patient.id}&event=patient.erase`)).json().items as {
      event: string;
      outcome: string;
      actorUserId: string;
      detail: Record<string, unknown>;
    }[];
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ event: 'patient.erase', outcome: 'success', actorUserId: clinic.ownerId, detail: { filesShredded: 3 } });
    const everything = await clinic.owner.get(`/api/audit?patientId=${patient.id}&limit=200`);
    for (const value of [patient.givenName, patient.familyName, patient.email]) expect(everything.body).not.toContain(value);
    expect((await clinic.owner.get('/api/audit/verify')).json()).toMatchObject({ ok: true, firstBreak: null });
  });

  it('(e) erasing a patient who never had a file still leaves them unable to get one', async () => {
    const patient = await newPatient();
    const erased = await clinic.owner.post(`/api/patients/${patient.id}/erase`, { confirmFamilyName: patient.familyName });
    expect(erased.statusCode, erased.body).toBe(200);
    expect(erased.json()).toMatchObject({ filesShredded: 0 });
    const key = await t.services.db.selectFrom('patient_key').selectAll().where('patient_id', '=', patient.id).executeTakeFirstOrThrow();
    expect(key.wrapped_key).toBeNull();
    expectProblem(await upload(clinic.owner, patient.id, jpeg, 'image/jpeg'), 410, 'gone');
  });

  it('(f) refuses content that is not what it claims to be, storing nothing', async () => {
    const patient = await newPatient();
    const rowsBefore = await fileRows();
    const diskBefore = (await walk(t.dataDir)).length;

    const text = Buffer.from('Dear colleague,\nplease see this patient.\n'.repeat(20));
    expectProblem(await upload(clinic.owner, patient.id, text, 'image/jpeg'), 415, 'unsupported-media-type');
    // Real bytes of one accepted type declared as another.
    expectProblem(await upload(clinic.owner, patient.id, signaturePng, 'image/jpeg'), 415, 'unsupported-media-type');
    expectProblem(await upload(clinic.owner, patient.id, jpeg, 'application/pdf'), 415, 'unsupported-media-type');
    // A sniffable but not accepted type (HEIC), declared as JPEG.
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic'), Buffer.alloc(64)]);
    expectProblem(await upload(clinic.owner, patient.id, heic, 'image/jpeg'), 415, 'unsupported-media-type');
    // A content type that is not accepted at all.
    expectProblem(await upload(clinic.owner, patient.id, text, 'text/plain'), 415, 'unsupported-media-type');
    expectProblem(await upload(clinic.owner, patient.id, jpeg, 'application/octet-stream'), 415, 'unsupported-media-type');
    // An empty body.
    const empty = await upload(clinic.owner, patient.id, Buffer.alloc(0), 'image/jpeg');
    expect(empty.statusCode, empty.body).toBe(400);

    expect(await fileRows()).toBe(rowsBefore);
    expect((await walk(t.dataDir)).length).toBe(diskBefore);
    expect((await clinic.owner.get(`/api/patients/${patient.id}/files`)).json().items).toEqual([]);
  });

  it('(f) refuses a file over 25 MB with 413, storing nothing', async () => {
    const patient = await newPatient();
    const rowsBefore = await fileRows();
    const diskBefore = (await walk(t.dataDir)).length;
    const huge = Buffer.concat([jpeg, Buffer.alloc(25 * 1024 * 1024 + 1 - jpeg.length)]);
    expectProblem(await upload(clinic.owner, patient.id, huge, 'image/jpeg'), 413, 'request-too-large');
    expect(await fileRows()).toBe(rowsBefore);
    expect((await walk(t.dataDir)).length).toBe(diskBefore);
  });

  it('(f) accepts a PDF and a PNG, and gives them back intact', async () => {
    const patient = await newPatient();
    const pdfBytes = minimalPdf();
    const pdf = await uploadOk(clinic.owner, patient.id, pdfBytes, 'application/pdf');
    expect(pdf).toMatchObject({ contentType: 'application/pdf', byteSize: pdfBytes.length, sha256: sha256(pdfBytes) });
    const back = await download(clinic.owner, patient.id, pdf.id);
    expect(back.headers['content-type']).toBe('application/pdf');
    expect(back.rawPayload.equals(pdfBytes)).toBe(true);
    const png = await uploadOk(clinic.owner, patient.id, signaturePng, 'image/png');
    expect((await download(clinic.owner, patient.id, png.id)).rawPayload.equals(signaturePng)).toBe(true);
  });

  it('roles without file access are refused and nothing is stored', async () => {
    const patient = await newPatient();
    const file = await uploadOk(clinic.owner, patient.id, jpeg);
    const rowsBefore = await fileRows();
    for (const role of ['staff', 'analyst'] as const) {
      const { client } = await clinic.member(role);
      expectProblem(await upload(client, patient.id, jpeg, 'image/jpeg'), 403, 'forbidden');
      expectProblem(await client.get(`/api/patients/${patient.id}/files`), 403, 'forbidden');
      expectProblem(await download(client, patient.id, file.id), 403, 'forbidden');
    }
    expect(await fileRows()).toBe(rowsBefore);
  });

  it("(g) another clinic can neither list, download nor add to this clinic's files", async () => {
    const patient = await newPatient();
    const file = await uploadOk(clinic.owner, patient.id, jpeg);
    const other = await createTestClinic(t, 'Elsewhere Skin Clinic');
    const { client: otherClinician } = await other.member('clinician');
    const rowsBefore = await fileRows();
    const diskBefore = (await walk(t.dataDir)).length;
    const auditBefore = (await clinic.owner.get('/api/audit?limit=1')).json().items[0].seq as number;

    for (const intruder of [other.owner, otherClinician]) {
      expectProblem(await intruder.get(`/api/patients/${patient.id}/files`), 404, 'not-found');
      const stolen = await download(intruder, patient.id, file.id);
      expectProblem(stolen, 404, 'not-found');
      expect(stolen.rawPayload.includes(jpeg.subarray(0, 64))).toBe(false);
      expectProblem(await upload(intruder, patient.id, otherJpeg, 'image/jpeg'), 404, 'not-found');
      expectProblem(await intruder.get(`/api/patients/${patient.id}`), 404, 'not-found');
    }
    expectProblem(await other.owner.post(`/api/patients/${patient.id}/erase`, { confirmFamilyName: patient.familyName }), 404, 'not-found');
    // Under one of their own patients, the file id is not found either.
    const theirs = await other.owner.post('/api/patients', { ...samplePatient, givenName: 'Rosalind', familyName: 'Other' });
    expectProblem(await download(other.owner, theirs.json().id, file.id), 404, 'not-found');

    expect(await fileRows()).toBe(rowsBefore);
    expect((await walk(t.dataDir)).length).toBe(diskBefore);
    expect((await download(clinic.owner, patient.id, file.id)).rawPayload.equals(jpeg)).toBe(true);

    // The first clinic's audit trail holds nothing of the other clinic's attempts.
    const audit = (await clinic.owner.get('/api/audit?limit=200')).json().items as { seq: number; actorUserId: string | null; event: string }[];
    const since = audit.filter((e) => e.seq > auditBefore);
    const ownActors = new Set([clinic.ownerId]);
    expect(since.filter((e) => e.actorUserId !== null && !ownActors.has(e.actorUserId))).toEqual([]);
    expect(since.map((e) => e.event)).not.toContain('patientFile.list');
    expect(JSON.stringify(audit)).not.toContain(other.organisationId);
    expect(JSON.stringify(audit)).not.toContain(other.ownerId);
    // And the other clinic's own trail does not reveal this clinic's data.
    const theirAudit = await other.owner.get('/api/audit?limit=200');
    expect(theirAudit.body).not.toContain(clinic.organisationId);
    expect(theirAudit.body).not.toContain(patient.familyName);
  });
});
