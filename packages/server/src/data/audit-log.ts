/**
 * The audit trail's only writer and reader. Appends take a per-chain advisory lock so that concurrent
 * writers (several processes on one PostgreSQL) still produce one gapless, correctly linked chain.
 */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import {
  AuditChainVerifier,
  GENESIS_HASH,
  auditEntryHash,
  type AuditAction,
  type AuditEntryContent,
  type AuditOutcome,
  type ChainBreak,
  type StoredAuditEntry,
} from '@contour/domain';
import type { AuditEventTable, Database } from '../db/schema.js';

export const SYSTEM_CHAIN = 'system';

/** What a caller says happened; sequence, time and hashes are filled in here. */
export interface AuditDraft {
  organisationId: string | null;
  actorUserId: string | null;
  actorRole: string | null;
  action: AuditAction;
  event: string;
  entityType?: string | null;
  entityId?: string | null;
  patientId?: string | null;
  outcome: AuditOutcome;
  sourceIp: string | null;
  /** Ids, counts and reasons only: never names, contact details or image bytes. */
  detail?: Record<string, unknown>;
}

export interface AuditFilter {
  actorUserId?: string;
  patientId?: string;
  eventPrefix?: string;
  outcome?: AuditOutcome;
  from?: string;
  to?: string;
  beforeSeq?: number;
  limit: number;
}

export interface ChainReport {
  chain: string;
  ok: boolean;
  checked: number;
  firstBreak: ChainBreak | null;
}

type Executor = Kysely<Database> | Transaction<Database>;

function rowToEntry(row: Selectable<AuditEventTable>): StoredAuditEntry {
  return {
    seq: Number(row.seq),
    recordedAt: row.recorded_at,
    organisationId: row.organisation_id,
    actorUserId: row.actor_user_id,
    actorRole: row.actor_role,
    action: row.action as AuditAction,
    event: row.event,
    entityType: row.entity_type,
    entityId: row.entity_id,
    patientId: row.patient_id,
    outcome: row.outcome as AuditOutcome,
    sourceIp: row.source_ip,
    detail: row.detail,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export class AuditLog {
  constructor(private readonly db: Kysely<Database>) {}

  /** Appends inside the caller's transaction when given one, so a write and its audit entry commit together. */
  async append(drafts: AuditDraft[], trx?: Transaction<Database>): Promise<void> {
    if (drafts.length === 0) return;
    const byChain = new Map<string, AuditDraft[]>();
    for (const draft of drafts) {
      const chain = draft.organisationId ?? SYSTEM_CHAIN;
      byChain.set(chain, [...(byChain.get(chain) ?? []), draft]);
    }
    const run = async (t: Transaction<Database>): Promise<void> => {
      for (const [chain, entries] of byChain) await this.appendToChain(t, chain, entries);
    };
    if (trx) await run(trx);
    else await this.db.transaction().execute(run);
  }

  private async appendToChain(trx: Transaction<Database>, chain: string, drafts: AuditDraft[]): Promise<void> {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`contour-audit:${chain}`}))`.execute(trx);
    const last = await trx
      .selectFrom('audit_event')
      .select(['seq', 'hash'])
      .where('chain', '=', chain)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    let seq = last ? Number(last.seq) : 0;
    let prevHash = last?.hash ?? GENESIS_HASH;
    const rows = drafts.map((draft) => {
      seq += 1;
      const content: AuditEntryContent = {
        seq,
        recordedAt: new Date().toISOString(),
        organisationId: draft.organisationId,
        actorUserId: draft.actorUserId,
        actorRole: draft.actorRole,
        action: draft.action,
        event: draft.event,
        entityType: draft.entityType ?? null,
        entityId: draft.entityId ?? null,
        patientId: draft.patientId ?? null,
        outcome: draft.outcome,
        sourceIp: draft.sourceIp,
        detail: draft.detail ?? {},
      };
      const hash = auditEntryHash(prevHash, content);
      const row = {
        chain,
        seq,
        recorded_at: content.recordedAt,
        organisation_id: content.organisationId,
        actor_user_id: content.actorUserId,
        actor_role: content.actorRole,
        action: content.action,
        event: content.event,
        entity_type: content.entityType,
        entity_id: content.entityId,
        patient_id: content.patientId,
        outcome: content.outcome,
        source_ip: content.sourceIp,
        detail: JSON.stringify(content.detail),
        prev_hash: prevHash,
        hash,
      };
      prevHash = hash;
      return row;
    });
    await trx.insertInto('audit_event').values(rows).execute();
  }

  /** Newest first, for the owner's audit browser. */
  async search(organisationId: string, filter: AuditFilter, executor: Executor = this.db): Promise<StoredAuditEntry[]> {
    let query = executor.selectFrom('audit_event').selectAll().where('chain', '=', organisationId);
    if (filter.actorUserId) query = query.where('actor_user_id', '=', filter.actorUserId);
    if (filter.patientId) query = query.where('patient_id', '=', filter.patientId);
    if (filter.eventPrefix) query = query.where('event', 'like', `${filter.eventPrefix.replace(/[\\%_]/g, '\\$&')}%`);
    if (filter.outcome) query = query.where('outcome', '=', filter.outcome);
    if (filter.from) query = query.where('recorded_at', '>=', filter.from);
    if (filter.to) query = query.where('recorded_at', '<', filter.to);
    if (filter.beforeSeq) query = query.where('seq', '<', filter.beforeSeq);
    const rows = await query.orderBy('seq', 'desc').limit(filter.limit).execute();
    return rows.map(rowToEntry);
  }

  async chains(): Promise<string[]> {
    const rows = await this.db.selectFrom('audit_event').select('chain').distinct().orderBy('chain').execute();
    return rows.map((row) => row.chain);
  }

  /** Re-hashes a whole chain page by page and names the first entry that does not hold. */
  async verify(chain: string, pageSize = 2000): Promise<ChainReport> {
    const verifier = new AuditChainVerifier();
    let after = 0;
    for (;;) {
      const rows = await this.db
        .selectFrom('audit_event')
        .selectAll()
        .where('chain', '=', chain)
        .where('seq', '>', after)
        .orderBy('seq', 'asc')
        .limit(pageSize)
        .execute();
      for (const row of rows) verifier.add(rowToEntry(row));
      if (rows.length < pageSize || verifier.firstBreak) break;
      after = Number(rows[rows.length - 1]?.seq);
    }
    return { chain, ok: verifier.firstBreak === null, checked: verifier.checked, firstBreak: verifier.firstBreak };
  }
}
