/**
 * Builds a real Contour app for a test file: a fresh migrated database (PGlite, or PostgreSQL when
 * TEST_DATABASE_URL is set), an encrypted file store in a temporary directory, and clients that sign
 * in over HTTP exactly as the browser does (cookie + CSRF header).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import type { Role } from '@contour/domain';
import { buildApp } from '../app.js';
import { loadConfig, type Config } from '../config.js';
import { createClinic } from '../data/clinics.js';
import { lazyFaceFinder } from '../jobs/face-finder.js';
import { createServices, startServices, stopServices, type Services } from '../services.js';
import type { Db } from '../db/database.js';
import { FileBlobStore } from '../storage/blob-store.js';
import { openTestDatabase } from './database.js';

export const PASSWORD = 'correct horse battery staple';

export interface TestContour {
  app: FastifyInstance;
  services: Services;
  dataDir: string;
  close(): Promise<void>;
}

export async function createTestContour(overrides: Partial<Config> = {}): Promise<TestContour> {
  const database = await openTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'contour-test-'));
  // Every test client signs in from the same address; the rate limit has a test of its own.
  // One face-model worker, started only if the file analyses a photo; pg-boss on the test's own database.
  const config = loadConfig(
    {},
    { dataDir, webRoot: null, logLevel: 'silent', loginAttemptsPerMinute: 1000, databaseUrl: database.url, visionWorkers: 1, ...overrides },
  );
  const services = createServices(config, database.db, database.kind, new FileBlobStore(join(dataDir, 'files')), randomBytes(32), lazyFaceFinder(1));
  const app = await buildApp(services);
  await startServices(services, app.log);
  return {
    app,
    services,
    dataDir,
    async close() {
      await app.close();
      await stopServices(services);
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export class Client {
  constructor(
    private readonly app: FastifyInstance,
    public cookie: string | null = null,
    public csrfToken: string | null = null,
  ) {}

  async request(method: Method, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const isBuffer = Buffer.isBuffer(body);
    return this.app.inject({
      method,
      url,
      headers: {
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(this.csrfToken && method !== 'GET' ? { 'x-csrf-token': this.csrfToken } : {}),
        ...(body !== undefined && !isBuffer ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { payload: isBuffer ? body : JSON.stringify(body) } : {}),
    });
  }

  get = (url: string) => this.request('GET', url);
  post = (url: string, body?: unknown, headers?: Record<string, string>) => this.request('POST', url, body ?? {}, headers);
  patch = (url: string, body: unknown) => this.request('PATCH', url, body);

  /** Signs in and keeps the session cookie and CSRF token, as the web app does. */
  async signIn(email: string, password = PASSWORD): Promise<LightMyRequestResponse> {
    const response = await this.request('POST', '/api/auth/login', { email, password });
    if (response.statusCode === 200) this.adopt(response);
    return response;
  }

  adopt(response: LightMyRequestResponse): void {
    const cookie = response.cookies.find((c) => c.name === 'contour_session');
    if (cookie) this.cookie = `contour_session=${cookie.value}`;
    this.csrfToken = (response.json() as { csrfToken: string }).csrfToken;
  }
}

export interface TestClinic {
  organisationId: string;
  owner: Client;
  ownerId: string;
  ownerEmail: string;
  /** Signs in a new team member of this clinic with the given role. */
  member(role: Role, name?: string): Promise<{ client: Client; userId: string; email: string }>;
}

let clinicCounter = 0;

export async function createTestClinic(t: TestContour, name = 'Harley Aesthetics'): Promise<TestClinic> {
  clinicCounter += 1;
  const tag = `${clinicCounter}-${randomBytes(3).toString('hex')}`;
  const ownerEmail = `owner-${tag}@clinic.test`;
  const { organisationId, owner } = await createClinic(
    t.services.db,
    t.services.auditLog,
    { clinicName: name, locationName: 'Main', owner: { email: ownerEmail, displayName: 'Olivia Owner', password: PASSWORD } },
    { sourceIp: null, onlyIfFirst: false },
  );
  const ownerClient = new Client(t.app);
  const signedIn = await ownerClient.signIn(ownerEmail);
  if (signedIn.statusCode !== 200) throw new Error(`owner sign-in failed: ${signedIn.body}`);
  let members = 0;
  return {
    organisationId,
    owner: ownerClient,
    ownerId: owner.id,
    ownerEmail,
    async member(role, displayName = `Test ${role}`) {
      members += 1;
      const email = `${role}-${members}-${tag}@clinic.test`;
      const created = await ownerClient.post('/api/users', {
        email,
        displayName,
        role,
        password: PASSWORD,
        ...(role === 'clinician' ? { registrationNumber: `GMC-${tag}-${members}` } : {}),
      });
      if (created.statusCode !== 201) throw new Error(`could not add ${role}: ${created.body}`);
      const client = new Client(t.app);
      const response = await client.signIn(email);
      if (response.statusCode !== 200) throw new Error(`${role} sign-in failed: ${response.body}`);
      return { client, userId: (created.json() as { id: string }).id, email };
    },
  };
}

export const fixture = (path: string): Promise<Buffer> => readFile(new URL(`../../../../fixtures/${path}`, import.meta.url));

export async function signatureDataUrl(): Promise<string> {
  return `data:image/png;base64,${(await fixture('signature.png')).toString('base64')}`;
}

export const samplePatient = {
  givenName: 'Amelia',
  familyName: 'Hart',
  dateOfBirth: '1988-04-12',
  sex: 'female',
  email: 'amelia.hart@example.test',
  phone: '+44 20 7946 0011',
  acquisitionChannel: 'instagram',
} as const;

/** What someone with superuser access to the database could do: switch the audit table's guard off and change it. */
export async function behindTheAuditGuard(db: Db, statement: ReturnType<typeof sql>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update`.execute(trx);
    await statement.execute(trx);
    await sql`ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update`.execute(trx);
  });
}
