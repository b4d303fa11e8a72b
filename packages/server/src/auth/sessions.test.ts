import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, PASSWORD, createTestClinic, createTestContour, samplePatient, type TestClinic, type TestContour } from '../test/harness.js';
import { LoginThrottle } from './login-throttle.js';

describe('sessions', () => {
  let t: TestContour;
  let clinic: TestClinic;
  beforeAll(async () => {
    t = await createTestContour();
    clinic = await createTestClinic(t);
  });
  afterAll(async () => t.close());

  const sessionCookie = async (email: string) => {
    const client = new Client(t.app);
    const response = await client.signIn(email);
    expect(response.statusCode).toBe(200);
    return { client, cookie: response.cookies.find((c) => c.name === 'contour_session') };
  };

  it('sets an HttpOnly, SameSite=Strict cookie and stores only a hash of the token', async () => {
    const { cookie } = await sessionCookie(clinic.ownerEmail);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    const token = cookie?.value as string;
    const rows = await t.services.db.selectFrom('user_session').select('token_hash').execute();
    expect(rows.some((r) => r.token_hash === token)).toBe(false);
    expect(rows.some((r) => r.token_hash === createHash('sha256').update(token).digest('hex'))).toBe(true);
  });

  it('ends a session after the idle timeout', async () => {
    const { client } = await sessionCookie(clinic.ownerEmail);
    expect((await client.get('/api/auth/session')).statusCode).toBe(200);
    const idle = new Date(Date.now() - (t.services.config.sessionIdleMinutes + 1) * 60_000);
    await t.services.db.updateTable('user_session').set({ last_seen_at: idle }).where('csrf_token', '=', client.csrfToken as string).execute();
    const response = await client.get('/api/patients');
    expect(response.statusCode).toBe(401);
    expect(response.json().detail).toMatch(/session has ended/);
    expect(response.headers['set-cookie']).toMatch(/contour_session=;/);
  });

  it('ends a session at its absolute lifetime even while in use', async () => {
    const { client } = await sessionCookie(clinic.ownerEmail);
    await t.services.db.updateTable('user_session').set({ expires_at: new Date(Date.now() - 1000) }).where('csrf_token', '=', client.csrfToken as string).execute();
    expect((await client.get('/api/auth/session')).statusCode).toBe(401);
  });

  it('refuses cookie-authenticated writes without the right CSRF token, or from another site', async () => {
    const { client } = await sessionCookie(clinic.ownerEmail);
    const count = async () => Number((await t.services.db.selectFrom('patient').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    const noToken = new Client(t.app, client.cookie, null);
    expect((await noToken.post('/api/patients', samplePatient)).statusCode).toBe(403);
    const wrongToken = new Client(t.app, client.cookie, 'x'.repeat(32));
    expect((await wrongToken.post('/api/patients', samplePatient)).statusCode).toBe(403);
    const crossSite = await client.post('/api/patients', samplePatient, { origin: 'https://evil.example' });
    expect(crossSite.statusCode).toBe(403);
    expect(await count()).toBe(before);
    expect((await client.post('/api/patients', samplePatient, { origin: 'http://localhost:80' })).statusCode).toBe(201);
  });

  it('revokes the sessions of a deactivated account at once', async () => {
    const member = await clinic.member('staff');
    expect((await member.client.get('/api/patients')).statusCode).toBe(200);
    expect((await clinic.owner.patch(`/api/users/${member.userId}`, { active: false })).statusCode).toBe(200);
    expect((await member.client.get('/api/patients')).statusCode).toBe(401);
    expect((await new Client(t.app).signIn(member.email)).statusCode).toBe(401);
  });

  it('audits failed and successful sign-ins without the password', async () => {
    const client = new Client(t.app);
    expect((await client.signIn(clinic.ownerEmail, 'not the password')).statusCode).toBe(401);
    expect((await client.signIn('nobody@nowhere.test', PASSWORD)).statusCode).toBe(401);
    const rows = await t.services.db.selectFrom('audit_event').selectAll().where('event', '=', 'auth.login').where('outcome', '=', 'failure').execute();
    const reasons = rows.map((r) => r.detail.reason);
    expect(reasons).toEqual(expect.arrayContaining(['wrong_password', 'unknown_account']));
    expect(JSON.stringify(rows)).not.toContain('not the password');
  });
});

describe('sign-in rate limits', () => {
  it('answers 429 problem+json after 10 attempts a minute from one address', async () => {
    const t = await createTestContour({ loginAttemptsPerMinute: 10 });
    try {
      const client = new Client(t.app);
      const statuses: number[] = [];
      for (let i = 0; i < 11; i += 1) statuses.push((await client.signIn('someone@clinic.test', 'guess')).statusCode);
      expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
      const limited = await client.signIn('someone@clinic.test', 'guess');
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['content-type']).toContain('application/problem+json');
    } finally {
      await t.close();
    }
  });

  it('brakes guessing on one account whatever the address, and forgets after the window', () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now);
    for (let i = 0; i < 9; i += 1) throttle.recordFailure('a@b.test');
    expect(throttle.isBlocked('a@b.test')).toBe(false);
    throttle.recordFailure('a@b.test');
    expect(throttle.isBlocked('a@b.test')).toBe(true);
    expect(throttle.isBlocked('other@b.test')).toBe(false);
    now += 15 * 60_000 + 1;
    expect(throttle.isBlocked('a@b.test')).toBe(false);
    throttle.recordFailure('c@b.test');
    throttle.recordSuccess('c@b.test');
    expect(throttle.isBlocked('c@b.test')).toBe(false);
  });
});
