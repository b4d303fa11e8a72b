/**
 * Server-side sessions. The cookie carries a random token; the database keeps only its SHA-256, so a
 * copy of the database cannot be replayed as a login. Sessions end on logout, after an idle period,
 * at an absolute lifetime, and when the account is deactivated or changed.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { isRole, type Actor } from '@contour/domain';
import type { Db } from '../db/database.js';

export interface SessionUser {
  id: string;
  email: string;
  displayName: string;
  role: Actor['role'];
  registrationNumber: string | null;
  organisation: { id: string; name: string };
}

export interface ActiveSession {
  sessionId: string;
  csrfToken: string;
  user: SessionUser;
  actor: Actor;
}

const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

// Writing last_seen on every request would turn each read into a write; a minute's precision is enough.
const TOUCH_INTERVAL_MS = 60_000;

export class SessionStore {
  constructor(
    private readonly db: Db,
    private readonly idleMs: number,
    private readonly maxMs: number,
  ) {}

  async create(userId: string, organisationId: string, sourceIp: string | null): Promise<{ token: string; csrfToken: string }> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const now = new Date();
    await this.db
      .insertInto('user_session')
      .values({
        id: randomUUID(),
        token_hash: tokenHash(token),
        user_id: userId,
        organisation_id: organisationId,
        csrf_token: csrfToken,
        source_ip: sourceIp,
        created_at: now,
        last_seen_at: now,
        expires_at: new Date(now.getTime() + this.maxMs),
      })
      .execute();
    return { token, csrfToken };
  }

  /** The live session for a cookie token, or null if it is unknown, revoked, idle too long or expired. */
  async resolve(token: string): Promise<ActiveSession | null> {
    const row = await this.db
      .selectFrom('user_session')
      .innerJoin('app_user', 'app_user.id', 'user_session.user_id')
      .innerJoin('organisation', 'organisation.id', 'user_session.organisation_id')
      .select([
        'user_session.id as sessionId',
        'user_session.csrf_token',
        'user_session.last_seen_at',
        'user_session.expires_at',
        'user_session.revoked_at',
        'app_user.id as userId',
        'app_user.email',
        'app_user.display_name',
        'app_user.role',
        'app_user.registration_number',
        'app_user.active',
        'organisation.id as organisationId',
        'organisation.name as organisationName',
      ])
      .where('user_session.token_hash', '=', tokenHash(token))
      .executeTakeFirst();
    if (!row || row.revoked_at || !row.active || !isRole(row.role)) return null;
    const now = Date.now();
    if (row.expires_at.getTime() <= now || row.last_seen_at.getTime() + this.idleMs <= now) return null;
    if (now - row.last_seen_at.getTime() > TOUCH_INTERVAL_MS) {
      await this.db.updateTable('user_session').set({ last_seen_at: new Date(now) }).where('id', '=', row.sessionId).execute();
    }
    return {
      sessionId: row.sessionId,
      csrfToken: row.csrf_token,
      actor: { userId: row.userId, organisationId: row.organisationId, role: row.role },
      user: {
        id: row.userId,
        email: row.email,
        displayName: row.display_name,
        role: row.role,
        registrationNumber: row.registration_number,
        organisation: { id: row.organisationId, name: row.organisationName },
      },
    };
  }

  async revoke(sessionId: string): Promise<void> {
    await this.db.updateTable('user_session').set({ revoked_at: new Date() }).where('id', '=', sessionId).execute();
  }
}
