/**
 * Tamper-evident audit trail: each entry's hash covers its content and the previous entry's hash,
 * so editing, deleting or reordering any stored entry breaks every hash after it.
 */
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** Medplum/FHIR AuditEvent action codes: Create, Read, Update, Delete, Execute. */
export type AuditAction = 'C' | 'R' | 'U' | 'D' | 'E';
export type AuditOutcome = 'success' | 'denied' | 'failure';

export interface AuditEntryContent {
  /** Gapless sequence number: a missing number is a deleted entry. */
  seq: number;
  recordedAt: string;
  organisationId: string | null;
  actorUserId: string | null;
  actorRole: string | null;
  action: AuditAction;
  event: string;
  entityType: string | null;
  entityId: string | null;
  patientId: string | null;
  outcome: AuditOutcome;
  sourceIp: string | null;
  detail: Record<string, unknown>;
}

export interface StoredAuditEntry extends AuditEntryContent {
  prevHash: string;
  hash: string;
}

/** JSON with object keys sorted at every level, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  // As JSON.stringify does (a Date becomes its ISO string), so the hash covers what is stored.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return canonicalJson((value as { toJSON(): unknown }).toJSON());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function auditEntryHash(prevHash: string, content: AuditEntryContent): string {
  const c: AuditEntryContent = {
    seq: content.seq,
    recordedAt: content.recordedAt,
    organisationId: content.organisationId,
    actorUserId: content.actorUserId,
    actorRole: content.actorRole,
    action: content.action,
    event: content.event,
    entityType: content.entityType,
    entityId: content.entityId,
    patientId: content.patientId,
    outcome: content.outcome,
    sourceIp: content.sourceIp,
    detail: content.detail,
  };
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(c)).digest('hex');
}

export interface ChainBreak {
  seq: number;
  reason: string;
}

/**
 * Incremental verifier, so the server can check millions of entries page by page.
 * Feed entries in ascending `seq`; the first break is kept.
 */
export class AuditChainVerifier {
  private expectedSeq = 1;
  private prevHash = GENESIS_HASH;
  checked = 0;
  firstBreak: ChainBreak | null = null;

  add(entry: StoredAuditEntry): void {
    if (this.firstBreak) return;
    this.checked += 1;
    if (entry.seq !== this.expectedSeq) {
      this.firstBreak = {
        seq: this.expectedSeq,
        reason: entry.seq > this.expectedSeq
          ? `entries ${this.expectedSeq}–${entry.seq - 1} are missing (deleted?)`
          : `entry ${entry.seq} is out of order`,
      };
      return;
    }
    if (entry.prevHash !== this.prevHash) {
      this.firstBreak = { seq: entry.seq, reason: 'its link to the previous entry does not match' };
      return;
    }
    if (auditEntryHash(entry.prevHash, entry) !== entry.hash) {
      this.firstBreak = { seq: entry.seq, reason: 'its content does not match its hash (edited?)' };
      return;
    }
    this.prevHash = entry.hash;
    this.expectedSeq += 1;
  }
}
