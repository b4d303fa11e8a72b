/**
 * The real start-up path: `openContour` starts the face model with the server (eagerly, so a missing wasm
 * backend fails start-up) and, at each start, queues again the analyses a previous run left unfinished.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClinic } from './data/clinics.js';
import { openContour } from './server.js';
import { openTestDatabase, type TestDatabase } from './test/database.js';
import { Client, PASSWORD, fixture, signatureDataUrl } from './test/harness.js';

describe('openContour', () => {
  let dataDir: string;
  let database: TestDatabase | null = null;
  const env: NodeJS.ProcessEnv = {};
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'contour-server-'));
    env.CONTOUR_DATA_DIR = dataDir;
    if (process.env.TEST_DATABASE_URL) {
      database = await openTestDatabase();
      env.DATABASE_URL = database.url as string;
    }
  });
  afterAll(async () => {
    await database?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const status = async (db: Awaited<ReturnType<typeof openContour>>['services']['db'], photoId: string) =>
    (await db.selectFrom('photo').select(['status', 'quality_passed']).where('id', '=', photoId).executeTakeFirstOrThrow());

  async function analysed(contour: Awaited<ReturnType<typeof openContour>>, photoId: string): Promise<void> {
    const deadline = Date.now() + 60_000;
    while ((await status(contour.services.db, photoId)).status !== 'analysed') {
      if (Date.now() > deadline) throw new Error('not analysed within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('starts the face model with the server and finishes, after a restart, an analysis a stop interrupted', async () => {
    const options = { logLevel: 'silent', webRoot: null, visionWorkers: 1 } as const;
    const first = await openContour(options, env);
    let photoId: string;
    try {
      expect(first.services.jobs.kind).toBe(database ? 'pg-boss' : 'in-process');
      // Already running: no start-up cost on the first photo.
      expect(await Promise.race([first.services.faces.get().then(() => 'ready'), new Promise((resolve) => setTimeout(() => resolve('starting'), 50))])).toBe('ready');
      await createClinic(
        first.services.db,
        first.services.auditLog,
        { clinicName: 'Restart Clinic', locationName: 'Main', owner: { email: 'restart-owner@clinic.test', displayName: 'Owner', password: PASSWORD } },
        { sourceIp: null, onlyIfFirst: false },
      );
      const owner = new Client(first.app);
      expect((await owner.signIn('restart-owner@clinic.test')).statusCode).toBe(200);
      const patient = (await owner.post('/api/patients', { givenName: 'Rita', familyName: 'Restart', sex: 'female', acquisitionChannel: 'referral' })).json();
      const templates = (await owner.get('/api/consent-templates')).json().items as { id: string; type: string }[];
      for (const type of ['clinical_photography', 'ai_analysis']) {
        const templateId = templates.find((tpl) => tpl.type === type)?.id;
        expect((await owner.post(`/api/patients/${patient.id}/consents`, { templateId, signedName: 'Rita Restart', signature: await signatureDataUrl() })).statusCode).toBe(201);
      }
      const session = (await owner.post(`/api/patients/${patient.id}/photo-sessions`, {})).json();
      const upload = await owner.request('POST', `/api/photo-sessions/${session.id}/photos?view=frontal`, await fixture('faces/london-002-neutral.jpg'), {
        'content-type': 'image/jpeg',
      });
      expect(upload.statusCode).toBe(202);
      photoId = upload.json().id;
      await analysed(first, photoId);
      // As if the process had stopped half-way through a new analysis.
      await first.services.db
        .updateTable('photo')
        .set({ status: 'analysing', analysis_token: '00000000-0000-4000-8000-00000000beef', quality_passed: null })
        .where('id', '=', photoId)
        .execute();
    } finally {
      await first.close();
    }

    const second = await openContour(options, env);
    try {
      await analysed(second, photoId);
      expect(await status(second.services.db, photoId)).toEqual({ status: 'analysed', quality_passed: true });
    } finally {
      await second.close();
    }
  }, 120_000);
});
