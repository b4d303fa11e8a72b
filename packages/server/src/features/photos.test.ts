/**
 * Clinical photography end to end, on the real app and database (PGlite, or PostgreSQL with pg-boss when
 * TEST_DATABASE_URL is set), with real images and the real face model (one worker, started on first use).
 */
import { readdir, readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PROTOCOL, type PhotoProtocol } from '@contour/domain';
import { PhotoAnalysisJobs } from '../data/photo-analysis.js';
import { InProcessQueue } from '../jobs/queue.js';
import { createTestClinic, createTestContour, fixture, signatureDataUrl, type Client, type TestClinic, type TestContour } from '../test/harness.js';

interface PhotoBody {
  id: string;
  sessionId: string;
  view: string;
  status: string;
  statusReason: string | null;
  width: number;
  height: number;
  contentType: string;
  byteSize: number;
  sha256: string;
  superseded: boolean;
  quality: { passed: boolean; checks: { id: string; passed: boolean; value: number | null; message: string }[] } | null;
  pose: { yaw: number; pitch: number; roll: number } | null;
  consistency: { baselinePhotoId: string; checks: { id: string; passed: boolean; value: number | null; threshold: number; message: string }[] } | null;
}

const ANALYSIS_TIMEOUT_MS = 60_000;

/** Two fixtures shared by most tests. */
let neutral: Buffer;
let smiling: Buffer;

let t: TestContour;
let clinic: TestClinic;
let clinician: Client;
let templates: Map<string, string>;
let patientCounter = 0;

async function newPatient(consents: ('clinical_photography' | 'ai_analysis')[], owner: Client = clinic.owner, typeIds = templates): Promise<string> {
  patientCounter += 1;
  const givenName = 'Photo';
  const familyName = `Patient${String.fromCharCode(65 + (patientCounter % 26))}${patientCounter}`;
  const created = await owner.post('/api/patients', { givenName, familyName, sex: 'female', acquisitionChannel: 'referral' });
  expect(created.statusCode).toBe(201);
  const id = created.json().id as string;
  for (const type of consents) {
    const consent = await owner.post(`/api/patients/${id}/consents`, {
      templateId: typeIds.get(type),
      signedName: `${givenName} ${familyName}`,
      signature: await signatureDataUrl(),
    });
    expect(consent.statusCode, consent.body).toBe(201);
  }
  return id;
}

async function newSession(patientId: string, body: Record<string, unknown> = {}, client: Client = clinician): Promise<string> {
  const response = await client.post(`/api/patients/${patientId}/photo-sessions`, body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id as string;
}

const upload = (sessionId: string, view: string, bytes: Buffer, type = 'image/jpeg', client: Client = clinician) =>
  client.request('POST', `/api/photo-sessions/${sessionId}/photos?view=${view}`, bytes, { 'content-type': type });

async function uploaded(sessionId: string, view: string, bytes: Buffer, client: Client = clinician): Promise<PhotoBody> {
  const type = bytes.subarray(4, 8).toString('latin1') === 'ftyp' ? 'image/heic' : 'image/jpeg';
  const response = await upload(sessionId, view, bytes, type, client);
  expect(response.statusCode, response.body).toBe(202);
  return response.json() as PhotoBody;
}

/** Polls the photo until its analysis is over (bounded). */
async function settled(photoId: string, client: Client = clinician): Promise<PhotoBody> {
  const deadline = Date.now() + ANALYSIS_TIMEOUT_MS;
  for (;;) {
    const photo = (await client.get(`/api/photos/${photoId}`)).json() as PhotoBody;
    if (!['queued', 'analysing', 'stored'].includes(photo.status)) return photo;
    if (Date.now() > deadline) throw new Error(`photo ${photoId} still ${photo.status} after ${ANALYSIS_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function filesOnDisk(): Promise<number> {
  const root = join(t.dataDir, 'files');
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).length;
}

async function stored(): Promise<{ photos: number; files: number; blobs: number }> {
  const [photos, files] = await Promise.all([
    t.services.db.selectFrom('photo').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    t.services.db.selectFrom('patient_file').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { photos: Number(photos.n), files: Number(files.n), blobs: await filesOnDisk() };
}

const check = (photo: PhotoBody, id: string) => photo.quality?.checks.find((c) => c.id === id);

/** A PNG of `width`×`height` 8-bit grey pixels, all zero, assembled by hand (valid CRCs). */
function png(width: number, height: number, rows: Buffer | null): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(0, 9); // greyscale
  const idat = rows ?? deflateSync(Buffer.alloc(16));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

beforeAll(async () => {
  [neutral, smiling] = await Promise.all([fixture('faces/london-001-neutral.jpg'), fixture('faces/london-001-smiling.jpg')]);
  t = await createTestContour();
  clinic = await createTestClinic(t, 'Photo Clinic');
  clinician = (await clinic.member('clinician')).client;
  const list = (await clinic.owner.get('/api/consent-templates')).json().items as { id: string; type: string; current: boolean }[];
  templates = new Map(list.filter((tpl) => tpl.current).map((tpl) => [tpl.type, tpl.id]));
});
afterAll(async () => t?.close());

describe('consent', () => {
  it('refuses an upload without photography consent: 403 consent-required, nothing stored, the refusal audited', async () => {
    const patientId = await newPatient([]);
    const sessionId = await newSession(patientId);
    const before = await stored();
    const response = await upload(sessionId, 'frontal', neutral);
    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ type: 'urn:contour:problem:consent-required', detail: expect.stringMatching(/clinical photography/) });
    expect(await stored()).toEqual(before);
    const denied = await t.services.db
      .selectFrom('audit_event')
      .select(['event', 'outcome', 'detail'])
      .where('patient_id', '=', patientId)
      .where('outcome', '=', 'denied')
      .execute();
    expect(denied).toEqual([expect.objectContaining({ event: 'photo.upload', detail: expect.objectContaining({ purpose: 'capture_photos' }) })]);
  });

  it('with photography consent only: stored, not analysed (and says why); analysis is refused with 403', async () => {
    const patientId = await newPatient(['clinical_photography']);
    const sessionId = await newSession(patientId);
    const photo = await uploaded(sessionId, 'frontal', neutral);
    expect(photo).toMatchObject({ status: 'not_analysed', view: 'frontal', contentType: 'image/jpeg', width: 1000, height: 1000, superseded: false, quality: null });
    expect(photo.statusReason).toMatch(/AI-analysis consent is missing/);
    const analyse = await clinician.post(`/api/photos/${photo.id}/analyse`);
    expect(analyse.statusCode).toBe(403);
    expect(analyse.json().type).toBe('urn:contour:problem:consent-required');
    expect((await clinician.get(`/api/photos/${photo.id}`)).json().status).toBe('not_analysed');
    expect((await clinician.get(`/api/photos/${photo.id}/landmarks`)).statusCode).toBe(404);
    // The photo itself is there to see.
    const image = await clinician.get(`/api/photos/${photo.id}/image`);
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/jpeg');
    expect(image.headers['cache-control']).toBe('no-store');
  });
});

describe('analysis (real face model)', () => {
  it('analyses off the request path: a neutral frontal photo passes, with pose and 478 landmarks', async () => {
    // PostgreSQL runs analyses through pg-boss; PGlite through the in-process queue.
    expect(t.services.jobs.kind).toBe(t.services.dbKind === 'postgres' ? 'pg-boss' : 'in-process');
    const patientId = await newPatient(['clinical_photography', 'ai_analysis']);
    const sessionId = await newSession(patientId);
    const queued = await uploaded(sessionId, 'frontal', neutral);
    expect(queued.status).toBe('queued');
    const photo = await settled(queued.id);
    expect(photo.status, photo.statusReason ?? '').toBe('analysed');
    expect(photo.quality?.passed, JSON.stringify(photo.quality?.checks.filter((c) => !c.passed))).toBe(true);
    expect(Math.abs(photo.pose?.yaw ?? 99)).toBeLessThan(6);
    expect(photo.consistency).toBeNull(); // the patient's first: it is the baseline
    const landmarks = (await clinician.get(`/api/photos/${photo.id}/landmarks`)).json();
    expect(landmarks).toMatchObject({ width: 1000, height: 1000 });
    expect(landmarks.landmarks).toHaveLength(478);
    expect(landmarks.box).toHaveLength(4);
    // The audit trail says who analysed what and how it went: ids, view, status; never landmarks.
    const audits = await t.services.db.selectFrom('audit_event').select(['event', 'outcome', 'detail', 'actor_user_id']).where('entity_id', '=', photo.id).execute();
    const analysed = audits.find((a) => a.event === 'photo.analyse');
    expect(analysed).toMatchObject({ outcome: 'success', detail: expect.objectContaining({ status: 'analysed', passed: true, view: 'frontal', sessionId }) });
    expect(JSON.stringify(audits.map((a) => a.detail))).not.toMatch(/landmarks|\[\d+\.\d+,\d+\.\d+/);
  });

  it('a smiling face on the frontal view fails the expression check', async () => {
    const patientId = await newPatient(['clinical_photography', 'ai_analysis']);
    const sessionId = await newSession(patientId);
    const photo = await settled((await uploaded(sessionId, 'frontal', smiling)).id);
    expect(photo.status).toBe('analysed');
    expect(photo.quality?.passed).toBe(false);
    expect(check(photo, 'expression')).toMatchObject({ passed: false, message: expect.stringMatching(/relax their expression/) });
    expect(check(photo, 'one_face')?.passed).toBe(true);
  });

  it('a retake supersedes the earlier photo of the view; the session shows the current one and counts attempts', async () => {
    const patientId = await newPatient(['clinical_photography', 'ai_analysis']);
    const sessionId = await newSession(patientId, { notes: 'first visit' });
    const first = await settled((await uploaded(sessionId, 'frontal', smiling)).id);
    const second = await settled((await uploaded(sessionId, 'frontal', neutral)).id);
    expect((await clinician.get(`/api/photos/${first.id}`)).json().superseded).toBe(true);
    expect(second.superseded).toBe(false);
    const session = (await clinician.get(`/api/photo-sessions/${sessionId}`)).json();
    const frontal = session.views.find((v: { view: { id: string } }) => v.view.id === 'frontal');
    expect(frontal).toMatchObject({ attempts: 2, photo: { id: second.id, superseded: false } });
    expect(session.views.map((v: { view: { id: string } }) => v.view.id)).toEqual(DEFAULT_PROTOCOL.views.map((v) => v.id));
    expect(session).toMatchObject({ patientId, notes: 'first visit', complete: false });
    const listed = (await clinician.get(`/api/patients/${patientId}/photo-sessions`)).json().items;
    expect(listed.map((s: { id: string }) => s.id)).toEqual([sessionId]);
  });

  it('re-analysis on request, and a photo left queued by a stop is analysed at the next start', async () => {
    const patientId = await newPatient(['clinical_photography', 'ai_analysis']);
    const sessionId = await newSession(patientId);
    const photo = await settled((await uploaded(sessionId, 'frontal', neutral)).id);
    const again = await clinician.post(`/api/photos/${photo.id}/analyse`);
    expect(again.statusCode).toBe(202);
    expect(again.json().status).toBe('queued');
    expect((await settled(photo.id)).status).toBe('analysed');
    // Simulate a stop in the middle of an analysis: the row says 'analysing' and no job is waiting.
    await t.services.db.updateTable('photo').set({ status: 'analysing', analysis_token: '00000000-0000-4000-8000-000000000001', quality: null }).where('id', '=', photo.id).execute();
    const log = { error: () => undefined };
    const queue = new InProcessQueue(1, log);
    const restarted = new PhotoAnalysisJobs(t.services.db, t.services.auditLog, t.services.vault, queue, t.services.faces, log);
    await restarted.start();
    await queue.idle();
    const after = (await clinician.get(`/api/photos/${photo.id}`)).json() as PhotoBody;
    expect(after.status).toBe('analysed');
    expect(after.quality?.passed).toBe(true);
    await queue.close();
  });
});

describe('storage', () => {
  it('stores the photo upright, without EXIF or GPS, encrypted at rest, with a thumbnail', async () => {
    const patientId = await newPatient(['clinical_photography']);
    const sessionId = await newSession(patientId);
    // A landscape crop whose EXIF says "rotate 90° clockwise to view", with a GPS position and a camera make.
    const input = await sharp(neutral)
      .extract({ left: 0, top: 150, width: 1000, height: 700 })
      .withExif({
        IFD0: { Make: 'ContourTestCam' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' },
      })
      .withMetadata({ orientation: 6 })
      .jpeg({ quality: 95 })
      .toBuffer();
    const inputMeta = await sharp(input).metadata();
    expect(inputMeta.orientation).toBe(6);
    const gpsRational = Buffer.alloc(8);
    gpsRational.writeUInt32LE(51, 0);
    gpsRational.writeUInt32LE(1, 4);
    expect(inputMeta.exif?.indexOf(gpsRational)).toBeGreaterThan(0);

    const photo = await uploaded(sessionId, 'frontal', input);
    expect(photo).toMatchObject({ width: 700, height: 1000, contentType: 'image/jpeg' });

    const image = (await clinician.get(`/api/photos/${photo.id}/image`)).rawPayload;
    const meta = await sharp(image).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 700, height: 1000 });
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    expect(image.includes(Buffer.from('ContourTestCam'))).toBe(false);
    expect(image.indexOf(gpsRational)).toBe(-1);
    // Upright: the stored pixels are the input rotated as its EXIF said.
    const expected = await sharp(input).rotate().resize(70, 100).greyscale().raw().toBuffer();
    const actual = await sharp(image).resize(70, 100).greyscale().raw().toBuffer();
    const meanDifference = expected.reduce((sum, v, i) => sum + Math.abs(v - (actual[i] ?? 0)), 0) / expected.length;
    expect(meanDifference).toBeLessThan(6);
    const sideways = await sharp(input).resize(70, 100, { fit: 'fill' }).greyscale().raw().toBuffer();
    expect(sideways.reduce((sum, v, i) => sum + Math.abs(v - (actual[i] ?? 0)), 0) / sideways.length).toBeGreaterThan(meanDifference * 3);

    const thumbnail = (await clinician.get(`/api/photos/${photo.id}/thumbnail`)).rawPayload;
    const thumbnailMeta = await sharp(thumbnail).metadata();
    expect(thumbnailMeta).toMatchObject({ format: 'jpeg', width: 224, height: 320 });
    expect(thumbnailMeta.exif).toBeUndefined();

    // At rest, both are ciphertext: neither the JPEG marker nor any of its bytes are on disk.
    const files = await t.services.db
      .selectFrom('patient_file')
      .select(['id', 'kind', 'storage_key', 'sha256', 'byte_size'])
      .where('patient_id', '=', patientId)
      .where('kind', 'like', 'photo%')
      .orderBy('kind')
      .execute();
    expect(files.map((f) => f.kind)).toEqual(['photo', 'photo-thumbnail']);
    const onDisk = await readFile(join(t.dataDir, 'files', files[0]?.storage_key ?? 'missing'));
    expect(onDisk.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))).toBe(false);
    expect(onDisk.includes(image.subarray(200, 264))).toBe(false);
    expect(files[0]).toMatchObject({ sha256: photo.sha256, byte_size: image.length });
    expect(photo.byteSize).toBe(image.length);
  });

  it('accepts a HEIF/HEIC photo this build can decode (AV1-coded), stored as JPEG', async () => {
    const sessionId = await newSession(await newPatient(['clinical_photography']));
    const heif = Buffer.from(await sharp(neutral).resize(400, 400).heif({ compression: 'av1', quality: 60, effort: 0 }).toBuffer());
    heif.write('heic', 8, 'latin1'); // the brand a phone camera writes
    const photo = await uploaded(sessionId, 'frontal', heif);
    expect(photo).toMatchObject({ contentType: 'image/jpeg', width: 400, height: 400 });
    expect((await sharp((await clinician.get(`/api/photos/${photo.id}/image`)).rawPayload).metadata()).format).toBe('jpeg');
  });

  it("another clinic's ids are not found", async () => {
    const patientId = await newPatient(['clinical_photography']);
    const sessionId = await newSession(patientId);
    const photo = await uploaded(sessionId, 'frontal', neutral);
    const other = await createTestClinic(t, 'Elsewhere Clinic');
    for (const url of [
      `/api/photos/${photo.id}`,
      `/api/photos/${photo.id}/image`,
      `/api/photos/${photo.id}/thumbnail`,
      `/api/photos/${photo.id}/landmarks`,
      `/api/photo-sessions/${sessionId}`,
      `/api/patients/${patientId}/photo-sessions`,
    ]) {
      expect((await other.owner.get(url)).statusCode, url).toBe(404);
    }
    expect((await upload(sessionId, 'frontal', neutral, 'image/jpeg', other.owner)).statusCode).toBe(404);
    expect((await other.owner.post(`/api/photos/${photo.id}/analyse`)).statusCode).toBe(404);
    expect((await other.owner.post(`/api/patients/${patientId}/photo-sessions`, {})).statusCode).toBe(404);
  });

  it('erasing the patient shreds the photos and drops their landmarks', async () => {
    const patientId = await newPatient(['clinical_photography', 'ai_analysis']);
    const sessionId = await newSession(patientId);
    const photo = await settled((await uploaded(sessionId, 'frontal', neutral)).id);
    expect((await clinician.get(`/api/photos/${photo.id}/landmarks`)).statusCode).toBe(200);
    const patient = (await clinic.owner.get(`/api/patients/${patientId}`)).json();
    // The photo, its thumbnail and the two consent signatures.
    expect((await clinic.owner.post(`/api/patients/${patientId}/erase`, { confirmFamilyName: patient.familyName })).json().filesShredded).toBe(4);
    expect((await clinician.get(`/api/photos/${photo.id}/image`)).statusCode).toBe(410);
    expect((await clinician.get(`/api/photos/${photo.id}/landmarks`)).statusCode).toBe(404);
    const row = await t.services.db.selectFrom('photo').select(['landmarks', 'measurements', 'pose']).where('id', '=', photo.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ landmarks: null, measurements: null, pose: null });
    expect((await upload(sessionId, 'frontal', neutral)).statusCode).toBe(403);
  });
});

describe('upload attacks: a clear 4xx problem, nothing stored, and the server keeps serving', () => {
  let sessionId: string;
  beforeAll(async () => {
    sessionId = await newSession(await newPatient(['clinical_photography', 'ai_analysis']));
  });

  async function refused(bytes: Buffer, type: string, status: number, detail: RegExp): Promise<void> {
    const before = await stored();
    const response = await upload(sessionId, 'frontal', bytes, type);
    expect(response.statusCode, response.body).toBe(status);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json().detail).toMatch(detail);
    expect(await stored()).toEqual(before);
  }

  it('a text file declared as a JPEG → 415', async () => {
    await refused(Buffer.from('Patient list: Amelia Hart, 1988-04-12\n'.repeat(50)), 'image/jpeg', 415, /Only JPEG, PNG or HEIC/);
  });

  it('an undeclared or unexpected content type → 415 before the body is read', async () => {
    await refused(neutral, 'application/octet-stream', 415, /Unsupported Media Type|content-type/i);
    await refused(neutral, 'text/plain', 415, /Unsupported Media Type|content-type/i);
  });

  it('a truncated JPEG → 400', async () => {
    await refused(neutral.subarray(0, Math.floor(neutral.length / 2)), 'image/jpeg', 400, /damaged or truncated/);
  });

  it('an empty body → 400', async () => {
    await refused(Buffer.alloc(0), 'image/jpeg', 400, /./);
  });

  it('a PNG whose header declares 20,000 × 20,000 pixels → 413, before decoding', async () => {
    const bomb = png(20_000, 20_000, null);
    expect(bomb.length).toBeLessThan(200);
    const started = Date.now();
    await refused(bomb, 'image/png', 413, /400 megapixels; at most 50/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a small, highly compressible PNG that decodes to 64 megapixels → 413', async () => {
    const width = 8_000;
    const height = 8_000;
    const bomb = png(width, height, deflateSync(Buffer.alloc((width + 1) * height), { level: 9 }));
    expect(bomb.length).toBeLessThan(200_000);
    await refused(bomb, 'image/png', 413, /64 megapixels/);
  });

  it('a HEIC file this build cannot decode → 415 saying so', async () => {
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic', 'latin1'), Buffer.alloc(16), Buffer.from('not really hevc')]);
    await refused(heic, 'image/heic', 415, /HEIC photos are not supported by this build/);
  });

  it('a view the protocol does not know → 400', async () => {
    const before = await stored();
    const response = await upload(sessionId, 'selfie', neutral);
    expect(response.statusCode).toBe(400);
    expect(await stored()).toEqual(before);
  });

  it('a 200 MB body over real HTTP → 413 at once, nothing stored, and the server keeps serving', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const before = await stored();
    const size = 200 * 1024 * 1024;
    const chunk = Buffer.alloc(1024 * 1024, 0xff);
    chunk[1] = 0xd8; // every megabyte starts like a JPEG: nothing but the size is wrong

    // A raw socket, so the answer is read even while the server refuses the rest of the body
    // (an HTTP client library gives up on the response when its write fails).
    const send = (chunked: boolean) =>
      new Promise<{ status: number; body: string; ms: number; sentMb: number }>((resolve, reject) => {
        const started = Date.now();
        const socket = connect(port, '127.0.0.1');
        let received = Buffer.alloc(0);
        let sent = 0;
        let done = false;
        const finish = (): void => {
          const text = received.toString('utf8');
          const headerEnd = text.indexOf('\r\n\r\n');
          const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
          const length = Number(/\r\ncontent-length: (\d+)/i.exec(text)?.[1] ?? -1);
          const body = headerEnd < 0 ? '' : text.slice(headerEnd + 4);
          if (!done && status > 0 && length >= 0 && Buffer.byteLength(body) >= length) {
            done = true;
            socket.destroy();
            resolve({ status, body, ms: Date.now() - started, sentMb: sent });
          }
        };
        socket.on('data', (data) => {
          received = Buffer.concat([received, data]);
          finish();
        });
        socket.on('error', (error: NodeJS.ErrnoException) => {
          if (!['EPIPE', 'ECONNRESET'].includes(error.code ?? '')) reject(error);
        });
        socket.on('close', () => {
          finish();
          if (!done) reject(new Error(`connection closed without a complete answer: ${received.toString('utf8').slice(0, 200)}`));
        });
        socket.write(
          [
            `POST /api/photo-sessions/${sessionId}/photos?view=frontal HTTP/1.1`,
            `Host: 127.0.0.1:${port}`,
            `Cookie: ${clinician.cookie ?? ''}`,
            `X-CSRF-Token: ${clinician.csrfToken ?? ''}`,
            'Content-Type: image/jpeg',
            chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${size}`,
            '',
            '',
          ].join('\r\n'),
        );
        const framed = chunked ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]) : chunk;
        const pump = (): void => {
          while (sent < size / chunk.length && !socket.destroyed) {
            sent += 1;
            if (!socket.write(framed)) {
              socket.once('drain', pump);
              return;
            }
          }
          if (!socket.destroyed) socket.end(chunked ? '0\r\n\r\n' : undefined);
        };
        pump();
      });

    for (const chunked of [false, true]) {
      const result = await send(chunked);
      expect(result.status, result.body).toBe(413);
      expect(JSON.parse(result.body)).toMatchObject({ status: 413, type: 'urn:contour:problem:request-too-large' });
      expect(result.ms).toBeLessThan(5_000);
      const health = await fetch(`http://127.0.0.1:${port}/api/health`);
      expect(health.status).toBe(200);
    }
    expect(await stored()).toEqual(before);
  }, 60_000);
});

describe('consistency with the baseline', () => {
  it('flags a zoomed-in frontal photo in a later session, and passes one framed like the baseline', async () => {
    const patientId = await newPatient(['clinical_photography', 'ai_analysis']);
    const baselineSession = await newSession(patientId, { visitDate: '2024-01-10' });
    const baseline = await settled((await uploaded(baselineSession, 'frontal', neutral)).id);
    expect(baseline.quality?.passed).toBe(true);
    expect(baseline.consistency).toBeNull();

    // Six months later: the camera is closer (a central crop of the same photo, scaled back to 1000 px).
    const later = await newSession(patientId, { visitDate: '2024-07-10' });
    const zoomed = await sharp(neutral).extract({ left: 125, top: 125, width: 750, height: 750 }).resize(1000, 1000).jpeg({ quality: 92 }).toBuffer();
    const closer = await settled((await uploaded(later, 'frontal', zoomed)).id);
    expect(closer.status).toBe('analysed');
    expect(closer.consistency?.baselinePhotoId).toBe(baseline.id);
    const scale = closer.consistency?.checks.find((c) => c.id === 'scale');
    expect(scale).toMatchObject({ passed: false, threshold: 0.1 });
    expect(scale?.value).toBeGreaterThan(0.25);
    expect(scale?.value).toBeLessThan(0.42);
    expect(scale?.message).toMatch(/^Closer than at baseline: move the camera back about 3\d%\.$/);
    expect(closer.consistency?.checks.find((c) => c.id === 'pose')?.passed).toBe(true);
    const session = (await clinician.get(`/api/photo-sessions/${later}`)).json();
    expect(session.consistency).toEqual(closer.consistency);

    // The retake, framed as at baseline, is consistent on every count.
    const retake = await settled((await uploaded(later, 'frontal', neutral)).id);
    expect(retake.consistency?.baselinePhotoId).toBe(baseline.id);
    expect(retake.consistency?.checks.map((c) => [c.id, c.passed])).toEqual([
      ['scale', true],
      ['framing', true],
      ['pose', true],
      ['lighting', true],
    ]);

    // The baseline itself is retaken, closer: the later photo is now compared with the retake, and no longer matches.
    const newBaseline = await settled((await uploaded(baselineSession, 'frontal', zoomed)).id);
    expect(newBaseline.quality?.passed, JSON.stringify(newBaseline.quality)).toBe(true);
    // The job compares the other photos again just after it has stored the new baseline's analysis.
    const comparedWith = async (baselineId: string, checks: number): Promise<PhotoBody> => {
      const deadline = Date.now() + ANALYSIS_TIMEOUT_MS;
      for (;;) {
        const photo = (await clinician.get(`/api/photos/${retake.id}`)).json() as PhotoBody;
        if (photo.consistency?.baselinePhotoId === baselineId && photo.consistency.checks.length === checks) return photo;
        if (Date.now() > deadline) throw new Error(`still compared with ${JSON.stringify(photo.consistency)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const compared = await comparedWith(newBaseline.id, 4);
    expect(compared.consistency?.baselinePhotoId).toBe(newBaseline.id);
    expect(compared.consistency?.checks.find((c) => c.id === 'scale')).toMatchObject({ passed: false, message: expect.stringMatching(/^Further away than at baseline/) });
    const audit = async () => (await t.services.db.selectFrom('audit_event').select(['detail']).where('entity_id', '=', retake.id).where('event', '=', 'photo.consistency').execute()).map((a) => a.detail);
    expect(await audit()).toEqual([{ baselinePhotoId: newBaseline.id, consistent: false }]);

    // The baseline analysed again (its figures could have changed): the later photo is compared again too. Its stored
    // report is spoiled first, so the comparison shows; analysed again unchanged, nothing further is written.
    await t.services.db.updateTable('photo').set({ consistency: JSON.stringify({ ...compared.consistency, checks: [] }) }).where('id', '=', retake.id).execute();
    expect((await clinician.post(`/api/photos/${newBaseline.id}/analyse`, {})).statusCode).toBe(202);
    expect((await comparedWith(newBaseline.id, 4)).consistency).toEqual(compared.consistency);
    expect(await audit()).toHaveLength(2);
    expect((await clinician.post(`/api/photos/${newBaseline.id}/analyse`, {})).statusCode).toBe(202);
    await settled(newBaseline.id);
    // Another analysis of the same photo (which would compare the other photos again) ends before the next check.
    expect((await clinician.post(`/api/photos/${newBaseline.id}/analyse`, {})).statusCode).toBe(202);
    await settled(newBaseline.id);
    expect(await audit()).toHaveLength(2);
  });
});

describe('photo protocol', () => {
  it('is the default until the clinic sets its own, which owners and admins may change and clinicians may read', async () => {
    const own = await createTestClinic(t, 'Protocol Clinic');
    expect((await own.owner.get('/api/photo-protocol')).json()).toEqual(DEFAULT_PROTOCOL);
    const protocol: PhotoProtocol = structuredClone(DEFAULT_PROTOCOL);
    protocol.name = 'Injectables follow-up';
    protocol.views = protocol.views.filter((v) => ['frontal', 'smile', 'frown'].includes(v.id));
    protocol.thresholds.minSharpness = 30;
    const put = await own.owner.request('PUT', '/api/photo-protocol', protocol);
    expect(put.statusCode, put.body).toBe(200);
    const doctor = (await own.member('clinician')).client;
    expect((await doctor.get('/api/photo-protocol')).json()).toEqual(protocol);
    expect((await doctor.request('PUT', '/api/photo-protocol', protocol)).statusCode).toBe(403);
    expect((await (await own.member('staff')).client.get('/api/photo-protocol')).statusCode).toBe(403);
    // Sessions follow the clinic's protocol; a view it does not have is refused.
    const patientId = await newPatient(['clinical_photography'], own.owner, templatesOf(await own.owner.get('/api/consent-templates')));
    const session = (await doctor.post(`/api/patients/${patientId}/photo-sessions`, {})).json();
    expect(session.views.map((v: { view: { id: string } }) => v.view.id)).toEqual(['frontal', 'frown', 'smile']);
    expect((await upload(session.id, 'left_profile', neutral, 'image/jpeg', doctor)).statusCode).toBe(400);
    // Another clinic still has the default.
    expect((await clinic.owner.get('/api/photo-protocol')).json()).toEqual(DEFAULT_PROTOCOL);
  });

  it('refuses an invalid protocol with the fields at fault', async () => {
    const put = (body: unknown) => clinic.owner.request('PUT', '/api/photo-protocol', body);
    const duplicate = structuredClone(DEFAULT_PROTOCOL);
    (duplicate.views[1] as { id: string }).id = 'frontal';
    expect((await put(duplicate)).json()).toMatchObject({ status: 400, errors: [{ path: '/views/1/id' }] });
    const reversed = structuredClone(DEFAULT_PROTOCOL);
    reversed.thresholds.minEyeWhiteBrightness = 240;
    expect((await put(reversed)).json()).toMatchObject({ status: 400, errors: [{ path: '/thresholds/minEyeWhiteBrightness' }] });
    expect((await put({ ...DEFAULT_PROTOCOL, views: [{ ...DEFAULT_PROTOCOL.views[0], id: 'selfie' }] })).statusCode).toBe(400);
    expect((await put({ ...DEFAULT_PROTOCOL, extra: true })).statusCode).toBe(400);
    expect((await put({ ...DEFAULT_PROTOCOL, thresholds: { ...DEFAULT_PROTOCOL.thresholds, maxClippedShare: 5 } })).statusCode).toBe(400);
    const none = structuredClone(DEFAULT_PROTOCOL);
    for (const v of none.views) v.required = false;
    expect((await put(none)).json().errors).toEqual([{ path: '/views', message: 'at least one view must be required' }]);
    expect((await clinic.owner.get('/api/photo-protocol')).json()).toEqual(DEFAULT_PROTOCOL);
  });

  it('refuses an implausible visit date and an unknown location', async () => {
    const patientId = await newPatient([]);
    expect((await clinician.post(`/api/patients/${patientId}/photo-sessions`, { visitDate: '2999-01-01' })).statusCode).toBe(400);
    expect((await clinician.post(`/api/patients/${patientId}/photo-sessions`, { visitDate: '01/02/2024' })).statusCode).toBe(400);
    expect((await clinician.post(`/api/patients/${patientId}/photo-sessions`, { locationId: '00000000-0000-4000-8000-000000000000' })).statusCode).toBe(400);
    expect((await clinician.post(`/api/patients/${patientId}/photo-sessions`, { unknown: 1 })).statusCode).toBe(400);
  });
});

function templatesOf(response: { json(): unknown }): Map<string, string> {
  const items = (response.json() as { items: { id: string; type: string; current: boolean }[] }).items;
  return new Map(items.filter((tpl) => tpl.current).map((tpl) => [tpl.type, tpl.id]));
}

describe('compliance metric', () => {
  it('counts, per month, the patients photographed and those with every required view passing', async () => {
    const own = await createTestClinic(t, 'Compliance Clinic');
    const ownTemplates = templatesOf(await own.owner.get('/api/consent-templates'));
    const protocol: PhotoProtocol = structuredClone(DEFAULT_PROTOCOL);
    // The fixtures are frontal portraits: this clinic requires the frontal and smile views only.
    for (const v of protocol.views) v.required = v.id === 'frontal' || v.id === 'smile';
    expect((await own.owner.request('PUT', '/api/photo-protocol', protocol)).statusCode).toBe(200);
    const doctor = (await own.member('clinician')).client;
    const patient = () => newPatient(['clinical_photography', 'ai_analysis'], own.owner, ownTemplates);
    const session = (patientId: string, visitDate?: string) => newSession(patientId, visitDate ? { visitDate } : {}, doctor);
    const take = async (sessionId: string, view: string, bytes: Buffer) => settled((await uploaded(sessionId, view, bytes, doctor)).id, doctor);

    const now = new Date();
    const thisMonth = now.toISOString().slice(0, 7);
    const lastMonthDate = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15)).toISOString().slice(0, 10);

    // A: both required views pass → compliant.
    const a = await session(await patient());
    expect((await take(a, 'frontal', neutral)).quality?.passed).toBe(true);
    expect((await take(a, 'smile', smiling)).quality?.passed).toBe(true);
    expect((await doctor.get(`/api/photo-sessions/${a}`)).json().complete).toBe(true);
    // B: the smile view shows a neutral face → fails → not compliant.
    const b = await session(await patient());
    await take(b, 'frontal', neutral);
    expect((await take(b, 'smile', neutral)).quality?.passed).toBe(false);
    // C: a passing smile, then a failing retake: the passing photo is superseded → not compliant.
    const c = await session(await patient());
    await take(c, 'frontal', neutral);
    await take(c, 'smile', smiling);
    await take(c, 'smile', neutral);
    expect((await doctor.get(`/api/photo-sessions/${c}`)).json().complete).toBe(false);
    // D: complete, but last month; and a session with no photo at all does not count as photographed.
    const dPatient = await patient();
    const d = await session(dPatient, lastMonthDate);
    await take(d, 'frontal', neutral);
    await take(d, 'smile', smiling);
    await session(await patient());

    const analyst = (await own.member('analyst')).client;
    const response = await analyst.get('/api/stats/photo-compliance?months=3');
    expect(response.statusCode, response.body).toBe(200);
    const items = response.json().items as { month: string; patientsPhotographed: number; compliant: number; share: number }[];
    expect(items).toHaveLength(3);
    expect(items[2]).toEqual({ month: thisMonth, patientsPhotographed: 3, compliant: 1, share: 0.3333 });
    expect(items[1]).toEqual({ month: lastMonthDate.slice(0, 7), patientsPhotographed: 1, compliant: 1, share: 1 });
    expect(items[0]).toMatchObject({ patientsPhotographed: 0, compliant: 0, share: 0 });
    // Default window is 12 months; out-of-range requests are refused.
    expect((await analyst.get('/api/stats/photo-compliance')).json().items).toHaveLength(12);
    expect((await analyst.get('/api/stats/photo-compliance?months=0')).statusCode).toBe(400);
    // Aggregates only: no ids or names in the answer.
    expect(response.body).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
  });
});

describe('public assets for in-browser landmarks', () => {
  it('serves the four model families, the wasm binaries and Human\'s browser bundle, cacheable', async () => {
    for (const [url, type] of [
      ['/models/blazeface.json', 'application/json'],
      ['/models/facemesh.bin', 'application/octet-stream'],
      ['/models/iris.json', 'application/json'],
      ['/models/emotion.bin', 'application/octet-stream'],
      ['/vendor/tfjs-wasm/tfjs-backend-wasm-simd.wasm', 'application/wasm'],
      ['/vendor/tfjs-wasm/tfjs-backend-wasm.wasm', 'application/wasm'],
      ['/vendor/human.esm.js', 'text/javascript'],
    ] as const) {
      const response = await t.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type'], url).toContain(type);
      expect(response.headers['cache-control'], url).toMatch(/public, max-age=\d{6,}/);
      expect(Number(response.headers['content-length'])).toBe(response.rawPayload.length);
      const etag = response.headers.etag as string;
      expect((await t.app.inject({ method: 'GET', url, headers: { 'if-none-match': etag } })).statusCode).toBe(304);
    }
    const wasm = await t.app.inject({ method: 'GET', url: '/vendor/tfjs-wasm/tfjs-backend-wasm-simd.wasm' });
    expect(wasm.rawPayload.subarray(0, 4).toString('latin1')).toBe('\0asm');
  });

  it('serves nothing else: other models, other files, path traversal', async () => {
    for (const url of [
      '/models/faceres.json',
      '/models/antispoof.bin',
      '/models/models.json',
      '/models/README.md',
      '/models/..%2Fpackage.json',
      '/models/%2e%2e%2fpackage.json',
      '/models/..%2F..%2F..%2Fpackage.json',
      '/models/../package.json',
      '/models/..\\package.json',
      '/vendor/tfjs-wasm/..%2Fpackage.json',
      '/vendor/tfjs-wasm/../../package.json',
      '/vendor/tfjs-wasm/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fpackage.json',
      '/vendor/tfjs-wasm/tf-backend-wasm.node.js',
      '/vendor/human.node.js',
      '/vendor/human.esm.js.map',
      '/vendor/../package.json',
      '/node_modules/@vladmandic/human/package.json',
      '/models/blazeface.json%00.png',
    ]) {
      const response = await t.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.body, url).not.toMatch(/"version"|"dependencies"|"name": "@/);
    }
  });
});
