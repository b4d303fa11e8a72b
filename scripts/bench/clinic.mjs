// An in-process Contour on a fresh database, seeded with a synthetic clinic and signed in over HTTP.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createClinic, startContour } from '@contour/server';
import { createBenchDatabase } from './postgres.mjs';
import { syntheticPatients } from './synthetic.mjs';
import { HOST, HttpClient } from './util.mjs';

export const OWNER = { email: 'owner@bench.example.com', displayName: 'Bench Owner', password: 'bench-password-not-secret' };
const BATCH = 1000;

export async function startBenchContour(resources, kind) {
  const dataDir = await mkdtemp(join(tmpdir(), 'contour-bench-'));
  const removeDir = resources.defer(`directory ${dataDir}`, () => rm(dataDir, { recursive: true, force: true }));
  const env = { CONTOUR_DATA_DIR: dataDir };
  let dropDb = async () => {};
  if (kind === 'postgres') {
    const database = await createBenchDatabase(resources);
    env.DATABASE_URL = database.url;
    dropDb = database.drop;
  }
  // API only (no web bundle needed), loopback, any free port.
  const contour = await startContour({ port: 0, host: HOST, logLevel: 'warn', webRoot: null }, env);
  const closeServer = resources.defer('in-process Contour', () => contour.close());
  return {
    ...contour,
    async close() {
      await closeServer();
      await dropDb();
      await removeDir();
    },
  };
}

/** The clinic, its owner and `count` patients; returns the rows (for the query mix) and timings. */
export async function seedClinic(contour, count) {
  const { db, auditLog } = contour.services;
  const { organisationId, owner } = await createClinic(
    db,
    auditLog,
    { clinicName: 'Bench Aesthetics (synthetic)', locationName: 'Main clinic', timezone: 'Europe/London', owner: OWNER },
    { sourceIp: null, onlyIfFirst: false },
  );
  const location = await db.selectFrom('location').select('id').where('organisation_id', '=', organisationId).executeTakeFirstOrThrow();
  const rows = syntheticPatients({ count, organisationId, locationId: location.id, createdBy: owner.id });
  const started = performance.now();
  for (let i = 0; i < rows.length; i += BATCH) await db.insertInto('patient').values(rows.slice(i, i + BATCH)).execute();
  const insertSeconds = (performance.now() - started) / 1000;
  // Planner statistics, as autovacuum would have gathered on a clinic's long-running database.
  await sql`ANALYZE`.execute(db);
  const stored = await db
    .selectFrom('patient')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('organisation_id', '=', organisationId)
    .executeTakeFirstOrThrow();
  if (Number(stored.n) !== count) throw new Error(`seeded ${stored.n} patients, expected ${count}`);
  return { organisationId, owner, rows, insertSeconds };
}

/** Signs in as the browser does; returns a client carrying the session cookie, and the raw token. */
export async function signIn(url) {
  const client = new HttpClient(url);
  const res = await client.json('POST', '/api/auth/login', { email: OWNER.email, password: OWNER.password });
  if (res.status !== 200 || !res.data?.csrfToken) throw new Error(`sign-in failed: ${res.status} ${res.text}`);
  const setCookie = [res.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('contour_session='));
  if (!setCookie) throw new Error('sign-in answered without a contour_session cookie');
  client.cookie = setCookie.split(';')[0];
  return { client, cookie: client.cookie, token: decodeURIComponent(client.cookie.slice('contour_session='.length)) };
}
