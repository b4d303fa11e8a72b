import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { assignableRoles, type Actor, type Role } from '@contour/domain';
import type { UserTable } from '../db/schema.js';
import { badRequest, conflict, forbidden, notFound } from '../errors.js';
import { hashPassword } from '../auth/passwords.js';
import type { Scope, Trx } from './scope.js';

export interface User {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  registrationNumber: string | null;
  active: boolean;
  createdAt: Date;
}

export interface NewUser {
  email: string;
  displayName: string;
  role: Role;
  registrationNumber?: string | null;
  password: string;
}

export interface UserChanges {
  displayName?: string;
  role?: Role;
  registrationNumber?: string | null;
  active?: boolean;
  password?: string;
}

const toUser = (row: Selectable<UserTable>): User => ({
  id: row.id,
  email: row.email,
  displayName: row.display_name,
  role: row.role as Role,
  registrationNumber: row.registration_number,
  active: row.active,
  createdAt: row.created_at,
});

function requireRegistration(role: Role, registrationNumber: string | null | undefined): void {
  if (role === 'clinician' && !registrationNumber?.trim()) {
    throw badRequest('Clinicians need their professional registration number.', [
      { path: '/registrationNumber', message: 'required for clinicians' },
    ]);
  }
}

/** Inserts a user; used by the users page and by clinic setup (whose actor does not exist yet). */
export async function insertUser(trx: Trx, organisationId: string, input: NewUser): Promise<User> {
  requireRegistration(input.role, input.registrationNumber);
  const email = input.email.trim().toLowerCase();
  const taken = await trx.selectFrom('app_user').select('id').where((eb) => eb(eb.fn('lower', ['email']), '=', email)).executeTakeFirst();
  if (taken) throw conflict('An account with this email already exists.');
  const row = await trx
    .insertInto('app_user')
    .values({
      id: randomUUID(),
      organisation_id: organisationId,
      email,
      display_name: input.displayName.trim(),
      role: input.role,
      registration_number: input.registrationNumber?.trim() || null,
      password_hash: await hashPassword(input.password),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toUser(row);
}

export class Users {
  constructor(private readonly scope: Scope) {}

  async list(): Promise<User[]> {
    const actor = await this.scope.authorize('user.read', 'user.list');
    const rows = await this.scope.db
      .selectFrom('app_user')
      .selectAll()
      .where('organisation_id', '=', actor.organisationId)
      .orderBy('display_name')
      .execute();
    return rows.map(toUser);
  }

  private assertMayAssign(actor: Actor, role: Role): void {
    if (!assignableRoles(actor.role).includes(role)) throw forbidden(`Your role may not manage ${role} accounts.`);
  }

  async create(input: NewUser): Promise<User> {
    const actor = await this.scope.authorize('user.manage', 'user.create', { entityType: 'user' });
    this.assertMayAssign(actor, input.role);
    return this.scope.write(actor, 'C', 'user.create', async (trx) => {
      const user = await insertUser(trx, actor.organisationId, input);
      return { result: user, target: { entityType: 'user', entityId: user.id, detail: { role: user.role } } };
    });
  }

  async update(userId: string, changes: UserChanges): Promise<User> {
    const target = { entityType: 'user', entityId: userId };
    const actor = await this.scope.authorize('user.manage', 'user.update', target);
    return this.scope.write(actor, 'U', 'user.update', async (trx) => {
      const current = await trx
        .selectFrom('app_user')
        .selectAll()
        .where('organisation_id', '=', actor.organisationId)
        .where('id', '=', userId)
        .executeTakeFirst();
      if (!current) throw notFound('The account');
      this.assertMayAssign(actor, current.role as Role);
      const role = changes.role ?? (current.role as Role);
      this.assertMayAssign(actor, role);
      requireRegistration(role, changes.registrationNumber !== undefined ? changes.registrationNumber : current.registration_number);
      const active = changes.active ?? current.active;
      if (userId === actor.userId && (!active || role !== current.role)) {
        throw conflict('You cannot deactivate your own account or change your own role.');
      }
      if (current.role === 'owner' && (role !== 'owner' || !active)) {
        const owners = await trx
          .selectFrom('app_user')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('organisation_id', '=', actor.organisationId)
          .where('role', '=', 'owner')
          .where('active', '=', true)
          .executeTakeFirstOrThrow();
        if (Number(owners.n) <= 1) throw conflict('A clinic needs at least one active owner.');
      }
      const row = await trx
        .updateTable('app_user')
        .set({
          ...(changes.displayName !== undefined ? { display_name: changes.displayName.trim() } : {}),
          ...(changes.registrationNumber !== undefined ? { registration_number: changes.registrationNumber?.trim() || null } : {}),
          ...(changes.password !== undefined ? { password_hash: await hashPassword(changes.password) } : {}),
          role,
          active,
          updated_at: new Date(),
        })
        .where('id', '=', userId)
        .returningAll()
        .executeTakeFirstOrThrow();
      // A deactivated account, a new role or a reset password ends the user's open sessions.
      if (!active || role !== current.role || changes.password !== undefined) {
        await trx.updateTable('user_session').set({ revoked_at: new Date() }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
      }
      const changed = Object.keys(changes).sort();
      return { result: toUser(row), target: { ...target, detail: { fields: changed, role } } };
    });
  }
}
