/**
 * The audit trail's only writer and reader. Appends take a per-chain advisory lock so that concurrent
 * writers (several processes on one PostgreSQL) still produce one gapless, correctly linked chain. Each chain's
 * head is also recorded outside the database from time to time (`checkpoint`, audit-checkpoints.ts), and `verify`
 * checks the chain still reaches it: deleting the newest entries leaves a shorter chain that re-hashing alone
 * cannot tell from an intact one.
 */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import {
  AuditChainVerifier,
  GENESIS_HASH,
  auditEntryHash,
  checkpointBreak,
  type AuditAction,
  type AuditEntryContent,
  type AuditOutcome,
  type ChainBreak,
  type StoredAuditEntry,
} from '@contour/domain';
import type { AuditEventTable, Database } from '../db/schema.js';
import type { AuditCheckpoints } from './audit-checkpoints.js';

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
  /**
   * The last checkpoint kept outside the database (null: none yet) and whether the chain still holds it; `seq` and
   * `recordedAt` are null when what is kept is not a genuine checkpoint.
   */
  checkpoint: { seq: number | null; recordedAt: string | null; held: boolean } | null;
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
  constructor(
    private readonly db: Kysely<Database>,
    /** Without them (tools that only read the database), `verify` re-hashes the chain alone. */
    private readonly checkpoints: AuditCheckpoints | null = null,
  ) {}

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

  /**
   * Re-hashes a whole chain page by page and names the first entry that does not hold; then checks the chain still
   * holds its last checkpoint.
   */
  async verify(chain: string, pageSize = 2000): Promise<ChainReport> {
    const recorded = this.checkpoints ? await this.checkpoints.latest(chain) : null;
    const verifier = new AuditChainVerifier();
    let after = 0;
    let atCheckpoint: string | null = null;
    for (;;) {
      const rows = await this.db
        .selectFrom('audit_event')
        .selectAll()
        .where('chain', '=', chain)
        .where('seq', '>', after)
        .orderBy('seq', 'asc')
        .limit(pageSize)
        .execute();
      for (const row of rows) {
        verifier.add(rowToEntry(row));
        if (recorded && recorded !== 'not genuine' && Number(row.seq) === recorded.seq) atCheckpoint = row.hash;
      }
      if (rows.length < pageSize || verifier.firstBreak) break;
      after = Number(rows[rows.length - 1]?.seq);
    }
    let firstBreak = verifier.firstBreak;
    let checkpoint: ChainReport['checkpoint'] = null;
    if (recorded === 'not genuine') {
      firstBreak ??= { seq: verifier.checked, reason: 'the checkpoint kept outside the database is not genuine (altered, or signed with another master key)' };
      checkpoint = { seq: null, recordedAt: null, held: false };
    } else if (recorded) {
      // Intact up to `checked`: that is the chain's newest entry.
      const missing = verifier.firstBreak ? null : checkpointBreak(recorded, atCheckpoint, verifier.checked);
      firstBreak ??= missing;
      checkpoint = { seq: recorded.seq, recordedAt: recorded.recordedAt, held: !verifier.firstBreak && !missing };
    }
    return { chain, ok: firstBreak === null, checked: verifier.checked, firstBreak, checkpoint };
  }

  /**
   * Records the chain's head outside the database, where the chain still holds its last checkpoint (a chain that
   * does not keeps that checkpoint, so `verify` goes on reporting it). False when it does not hold.
   */
  async checkpoint(chain: string): Promise<boolean> {
    if (!this.checkpoints) return true;
    const recorded = await this.checkpoints.latest(chain);
    if (recorded === 'not genuine') return false;
    const head = await this.db.selectFrom('audit_event').select(['seq', 'hash']).where('chain', '=', chain).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    const lastSeq = head ? Number(head.seq) : 0;
    if (recorded) {
      const at = await this.db.selectFrom('audit_event').select('hash').where('chain', '=', chain).where('seq', '=', recorded.seq).executeTakeFirst();
      if (checkpointBreak(recorded, at?.hash ?? null, lastSeq)) return false;
      if (recorded.seq === lastSeq) return true;
    }
    if (head) await this.checkpoints.record({ chain, seq: lastSeq, hash: head.hash });
    return true;
  }

  /** `checkpoint` for every chain; the chains that no longer hold their last checkpoint. */
  async checkpointAll(): Promise<string[]> {
    const broken: string[] = [];
    for (const chain of await this.chains()) if (!(await this.checkpoint(chain))) broken.push(chain);
    return broken;
  }
}
