/**
 * The request's view of the database: who is asking, from where, and what they may do.
 * Every repository method starts with `authorize`, so access is decided here, in the data layer,
 * by the one policy in @contour/domain, and every decision (allowed or denied) is audited.
 */
import type { Transaction } from 'kysely';
import { isAllowed, type Action, type Actor, type AuditAction, type AuditOutcome } from '@contour/domain';
import type { Db } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { forbidden, unauthorized } from '../errors.js';
import type { AuditDraft, AuditLog } from './audit-log.js';
import type { PatientVault } from './patient-vault.js';

export interface Caller {
  actor: Actor | null;
  sourceIp: string | null;
}

export interface AuditTarget {
  entityType?: string;
  entityId?: string;
  patientId?: string | null;
  detail?: Record<string, unknown>;
}

export type Trx = Transaction<Database>;

export class Scope {
  constructor(
    readonly db: Db,
    readonly auditLog: AuditLog,
    readonly vault: PatientVault,
    readonly caller: Caller,
  ) {}

  /** The actor, if the policy allows them this action; otherwise 401/403 and a 'denied' audit entry. */
  async authorize(action: Action, event: string, target: AuditTarget = {}): Promise<Actor> {
    const actor = this.caller.actor;
    if (!actor) throw unauthorized();
    if (!isAllowed(actor.role, action)) {
      await this.auditLog.append([this.draft(actor, 'E', event, target, 'denied', { action })]);
      throw forbidden();
    }
    return actor;
  }

  draft(
    actor: Actor | null,
    action: AuditAction,
    event: string,
    target: AuditTarget = {},
    outcome: AuditOutcome = 'success',
    extra: Record<string, unknown> = {},
  ): AuditDraft {
    return {
      organisationId: actor?.organisationId ?? null,
      actorUserId: actor?.userId ?? null,
      actorRole: actor?.role ?? null,
      action,
      event,
      entityType: target.entityType ?? null,
      entityId: target.entityId ?? null,
      patientId: target.patientId ?? null,
      outcome,
      sourceIp: this.caller.sourceIp,
      detail: { ...target.detail, ...extra },
    };
  }

  /** Records an event outside any write, e.g. a read. */
  async record(actor: Actor, action: AuditAction, event: string, target: AuditTarget = {}, outcome: AuditOutcome = 'success'): Promise<void> {
    await this.auditLog.append([this.draft(actor, action, event, target, outcome)]);
  }

  /** Runs a write and its audit entry in one transaction: both land or neither does. */
  async write<T>(actor: Actor, action: AuditAction, event: string, work: (trx: Trx) => Promise<{ result: T; target: AuditTarget }>): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      const { result, target } = await work(trx);
      await this.auditLog.append([this.draft(actor, action, event, target)], trx);
      return result;
    });
  }
}
