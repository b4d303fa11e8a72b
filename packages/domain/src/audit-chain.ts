/**
 * Tamper-evident audit trail: each entry's hash covers its content and the previous entry's hash,
 * so editing, deleting or reordering any stored entry breaks every hash after it. Deleting the newest entries
 * leaves a shorter chain that still holds; a checkpoint of the chain's head kept outside the database shows that.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

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

/**
 * A chain's head as recorded outside the database, signed (HMAC-SHA256) so that whoever can write where it is kept
 * but does not hold the key cannot move it back. A chain that still holds it has, at `seq`, the entry hashed `hash`.
 */
export interface AuditCheckpoint {
  chain: string;
  seq: number;
  hash: string;
  recordedAt: string;
  mac: string;
}

const checkpointMac = (key: Buffer, c: Omit<AuditCheckpoint, 'mac'>): string =>
  createHmac('sha256', key).update(canonicalJson({ chain: c.chain, seq: c.seq, hash: c.hash, recordedAt: c.recordedAt })).digest('hex');

export function signCheckpoint(key: Buffer, checkpoint: Omit<AuditCheckpoint, 'mac'>): AuditCheckpoint {
  return { chain: checkpoint.chain, seq: checkpoint.seq, hash: checkpoint.hash, recordedAt: checkpoint.recordedAt, mac: checkpointMac(key, checkpoint) };
}

/** Whether `value` is a checkpoint of `chain` signed with `key` (anything else, e.g. a damaged file, is not). */
export function checkpointGenuine(key: Buffer, value: unknown, chain: string): value is AuditCheckpoint {
  const c = value as Partial<AuditCheckpoint> | null;
  if (!c || typeof c !== 'object' || c.chain !== chain || !Number.isInteger(c.seq) || typeof c.hash !== 'string' || typeof c.recordedAt !== 'string' || typeof c.mac !== 'string') return false;
  const expected = Buffer.from(checkpointMac(key, c as AuditCheckpoint), 'hex');
  const given = Buffer.from(c.mac, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * What a checkpoint says of the chain as stored, null while the chain holds it. `atSeq` is the hash of the stored
 * entry numbered `checkpoint.seq` (null when there is none), `lastSeq` the chain's newest entry's number.
 */
export function checkpointBreak(checkpoint: AuditCheckpoint, atSeq: string | null, lastSeq: number): ChainBreak | null {
  if (atSeq === checkpoint.hash) return null;
  if (atSeq === null) {
    const missing = lastSeq + 1 === checkpoint.seq ? `entry ${checkpoint.seq} is` : `entries ${lastSeq + 1}–${checkpoint.seq} are`;
    return { seq: lastSeq + 1, reason: `${missing} missing: the checkpoint of ${checkpoint.recordedAt} recorded the chain up to entry ${checkpoint.seq} (the newest entries deleted?)` };
  }
  return { seq: checkpoint.seq, reason: `it is not the entry the checkpoint of ${checkpoint.recordedAt} recorded (entries deleted and others written in their place?)` };
}
