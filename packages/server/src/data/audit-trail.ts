import type { AuditOutcome } from '@contour/domain';
import type { AuditFilter, ChainReport } from './audit-log.js';
import type { Scope } from './scope.js';

export interface AuditEntryView {
  seq: number;
  recordedAt: string;
  actorUserId: string | null;
  actorEmail: string | null;
  actorRole: string | null;
  action: string;
  event: string;
  entityType: string | null;
  entityId: string | null;
  patientId: string | null;
  outcome: AuditOutcome;
  sourceIp: string | null;
  detail: Record<string, unknown>;
}

/** The owner's window on their own clinic's chain. Looking at the trail is itself audited. */
export class AuditTrail {
  constructor(private readonly scope: Scope) {}

  async search(filter: AuditFilter): Promise<{ items: AuditEntryView[]; nextBefore: number | null }> {
    const actor = await this.scope.authorize('audit.read', 'audit.search');
    const entries = await this.scope.auditLog.search(actor.organisationId, filter);
    const actorIds = [...new Set(entries.map((e) => e.actorUserId).filter((id): id is string => id !== null))];
    const emails = new Map<string, string>();
    if (actorIds.length > 0) {
      const users = await this.scope.db
        .selectFrom('app_user')
        .select(['id', 'email'])
        .where('organisation_id', '=', actor.organisationId)
        .where('id', 'in', actorIds)
        .execute();
      for (const user of users) emails.set(user.id, user.email);
    }
    await this.scope.record(actor, 'R', 'audit.search', { detail: { count: entries.length } });
    const items = entries.map(({ prevHash: _prev, hash: _hash, organisationId: _org, ...entry }) => ({
      ...entry,
      actorEmail: entry.actorUserId ? (emails.get(entry.actorUserId) ?? null) : null,
    }));
    const last = entries[entries.length - 1];
    return { items, nextBefore: entries.length === filter.limit && last ? last.seq : null };
  }

  /** The clinic's chain re-hashed and checked against its last checkpoint; then, if whole, a new checkpoint. */
  async verify(): Promise<Omit<ChainReport, 'chain'>> {
    const actor = await this.scope.authorize('audit.verify', 'audit.verify');
    const { chain: _chain, ...report } = await this.scope.auditLog.verify(actor.organisationId);
    await this.scope.record(actor, 'E', 'audit.verify', { detail: { ok: report.ok, checked: report.checked } });
    // Just checked whole: its head is recorded outside the database now rather than at the next round.
    if (report.ok) await this.scope.auditLog.checkpoint(actor.organisationId);
    return report;
  }
}
