import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AuditChainVerifier,
  GENESIS_HASH,
  auditEntryHash,
  canonicalJson,
  checkpointBreak,
  checkpointGenuine,
  signCheckpoint,
  type AuditAction,
  type AuditEntryContent,
  type AuditOutcome,
  type ChainBreak,
  type StoredAuditEntry,
} from './audit-chain.js';

const ORG = '5b0e8f8e-7c1d-4f0a-9d55-0c1f4a6e2b11';
const ACTIONS: AuditAction[] = ['C', 'R', 'U', 'D', 'E'];
const OUTCOMES: AuditOutcome[] = ['success', 'denied', 'failure'];
const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** A varied, realistic chain built the way the server builds it. */
function buildChain(length = 50): StoredAuditEntry[] {
  const entries: StoredAuditEntry[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= length; seq += 1) {
    const content: AuditEntryContent = {
      seq,
      recordedAt: new Date(Date.UTC(2025, 0, 1, 9, 0, seq)).toISOString(),
      organisationId: ORG,
      actorUserId: seq % 7 === 0 ? null : uuid(seq % 3),
      actorRole: seq % 7 === 0 ? null : (['owner', 'clinician', 'staff'] as const)[seq % 3]!,
      action: ACTIONS[seq % ACTIONS.length]!,
      event: ['patient.read', 'patient.create', 'consent.record', 'patientFile.upload', 'auth.login'][seq % 5]!,
      entityType: seq % 4 === 0 ? null : 'patient',
      entityId: seq % 4 === 0 ? null : uuid(1000 + seq),
      patientId: seq % 4 === 0 ? null : uuid(1000 + seq),
      outcome: OUTCOMES[seq % OUTCOMES.length]!,
      sourceIp: seq % 5 === 0 ? null : `192.0.2.${seq}`,
      detail: seq % 3 === 0 ? {} : { count: seq, fields: ['email', 'phone'], nested: { ok: seq % 2 === 0, at: [seq, { n: seq }] } },
    };
    const hash = auditEntryHash(prevHash, content);
    entries.push({ ...content, prevHash, hash });
    prevHash = hash;
  }
  return entries;
}

function verify(entries: StoredAuditEntry[]): { checked: number; firstBreak: ChainBreak | null } {
  const verifier = new AuditChainVerifier();
  for (const entry of entries) verifier.add(entry);
  return { checked: verifier.checked, firstBreak: verifier.firstBreak };
}

/** A deep copy, so each test tampers with its own chain. */
const copy = (entries: StoredAuditEntry[]): StoredAuditEntry[] => structuredClone(entries);

const CONTENT_CHANGED = 'its content does not match its hash (edited?)';
const LINK_BROKEN = 'its link to the previous entry does not match';

describe('canonicalJson', () => {
  it('is independent of key order at every level', () => {
    const a = { b: 1, a: { d: [3, { y: 1, x: 2 }], c: null }, e: 'x' };
    const b = { e: 'x', a: { c: null, d: [3, { x: 2, y: 1 }] }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"c":null,"d":[3,{"x":2,"y":1}]},"b":1,"e":"x"}');
  });

  it('keeps array order, which is meaningful', () => {
    expect(canonicalJson([1, 2, 3])).toBe('[1,2,3]');
    expect(canonicalJson([3, 2, 1])).not.toBe(canonicalJson([1, 2, 3]));
    expect(canonicalJson({ list: [{ b: 2, a: 1 }, { d: 4, c: 3 }] })).toBe('{"list":[{"a":1,"b":2},{"c":3,"d":4}]}');
  });

  it('is stable: the same value gives the same text every time, and is valid JSON of that value', () => {
    const value = { z: [{ q: 'ü "quoted" \n', p: -0.5 }, [true, false, null]], a: { '': 1, ' ': 2, A: 3, a: 4 } };
    const first = canonicalJson(value);
    for (let i = 0; i < 5; i += 1) expect(canonicalJson(structuredClone(value))).toBe(first);
    expect(JSON.parse(first)).toEqual(value);
  });

  it('survives a JSON storage round trip (as in a jsonb column, which reorders keys)', () => {
    const value = { patientIds: [uuid(3), uuid(1)], resultCount: 2, nested: { y: [1, { b: 1, a: 2 }], x: 'x' } };
    const stored = JSON.parse(JSON.stringify(value, Object.keys(value).reverse().concat('y', 'x', 'b', 'a'))) as unknown;
    expect(canonicalJson(stored)).toBe(canonicalJson(value));
  });

  it('encodes scalars as JSON does', () => {
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson('a"b')).toBe('"a\\"b"');
    expect(canonicalJson(42)).toBe('42');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson([])).toBe('[]');
  });

  it('leaves out undefined properties, as JSON storage does', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson(JSON.parse(JSON.stringify({ a: 1, b: undefined }))));
  });

  it('distinguishes values that differ only deep inside', () => {
    expect(canonicalJson({ a: { b: [1, { c: 1 }] } })).not.toBe(canonicalJson({ a: { b: [1, { c: 2 }] } }));
    expect(canonicalJson({ a: '1' })).not.toBe(canonicalJson({ a: 1 }));
    expect(canonicalJson({ a: null })).not.toBe(canonicalJson({}));
  });

  it('encodes a Date as JSON storage does, not as an empty object', () => {
    // The audit detail is hashed as given and stored with JSON.stringify; a Date must hash as the
    // string that is stored, or the entry fails verification forever and any two dates hash alike.
    const detail = { at: new Date('2025-01-02T03:04:05.000Z') };
    expect(canonicalJson(detail)).toBe('{"at":"2025-01-02T03:04:05.000Z"}');
    expect(canonicalJson(detail)).toBe(canonicalJson(JSON.parse(JSON.stringify(detail))));
    expect(canonicalJson({ at: new Date(0) })).not.toBe(canonicalJson({ at: new Date(1) }));
  });
});

describe('auditEntryHash', () => {
  const [entry] = buildChain(1);

  it('is the SHA-256 of the previous hash and the canonical content', () => {
    const { prevHash, hash, ...content } = entry!;
    const expected = createHash('sha256').update(`${prevHash}\n${canonicalJson(content)}`).digest('hex');
    expect(hash).toBe(expected);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores the stored prevHash/hash fields and extra properties, but not the previous hash given', () => {
    const { prevHash, hash, ...content } = entry!;
    expect(auditEntryHash(prevHash, entry!)).toBe(hash);
    expect(auditEntryHash(prevHash, { ...content, extra: 'ignored' } as AuditEntryContent)).toBe(hash);
    expect(auditEntryHash('f'.repeat(64), content)).not.toBe(hash);
  });

  it('does not depend on the key order of the content or its detail', () => {
    const { prevHash, hash, ...content } = entry!;
    const reversed = Object.fromEntries(Object.entries(content).reverse()) as unknown as AuditEntryContent;
    reversed.detail = Object.fromEntries(Object.entries(content.detail).reverse());
    expect(auditEntryHash(prevHash, reversed)).toBe(hash);
  });
});

describe('AuditChainVerifier', () => {
  const chain = buildChain(50);

  it('verifies an intact chain of 50 entries', () => {
    expect(chain).toHaveLength(50);
    expect(chain[0]!.prevHash).toBe(GENESIS_HASH);
    expect(new Set(chain.map((e) => e.hash)).size).toBe(50);
    expect(verify(chain)).toEqual({ checked: 50, firstBreak: null });
  });

  it('verifies an empty chain', () => {
    expect(verify([])).toEqual({ checked: 0, firstBreak: null });
  });

  it('verifies entries read back from JSON storage', () => {
    expect(verify(JSON.parse(JSON.stringify(chain)) as StoredAuditEntry[]).firstBreak).toBeNull();
  });

  // Every content field of one entry, changed to another plausible value.
  const edits: [string, (e: StoredAuditEntry) => void][] = [
    ['recordedAt', (e) => { e.recordedAt = '2025-01-01T09:00:00.001Z'; }],
    ['organisationId', (e) => { e.organisationId = uuid(999); }],
    ['organisationId → null', (e) => { e.organisationId = null; }],
    ['actorUserId', (e) => { e.actorUserId = uuid(99); }],
    ['actorRole', (e) => { e.actorRole = 'analyst'; }],
    ['action', (e) => { e.action = e.action === 'D' ? 'R' : 'D'; }],
    ['event', (e) => { e.event = 'patient.erase'; }],
    ['entityType', (e) => { e.entityType = 'patient_file'; }],
    ['entityId', (e) => { e.entityId = uuid(4242); }],
    ['patientId', (e) => { e.patientId = null; }],
    ['outcome', (e) => { e.outcome = e.outcome === 'success' ? 'denied' : 'success'; }],
    ['sourceIp', (e) => { e.sourceIp = '203.0.113.9'; }],
    ['detail: a nested value', (e) => { (e.detail.nested as { at: unknown[] }).at[0] = 0; }],
    ['detail: a key added', (e) => { e.detail.patientName = 'Amelia Hart'; }],
    ['detail: a key removed', (e) => { delete e.detail.count; }],
    ['detail: an array reordered', (e) => { (e.detail.fields as string[]).reverse(); }],
    ['hash', (e) => { e.hash = `${e.hash.slice(0, 63)}${e.hash.endsWith('0') ? '1' : '0'}`; }],
  ];

  it.each(edits)('detects a change to %s of one entry, at that entry', (_name, edit) => {
    const tampered = copy(chain);
    edit(tampered[16]!); // seq 17: has a non-empty detail
    expect(tampered[16], 'the edit must change something').not.toEqual(chain[16]);
    expect(verify(tampered)).toEqual({ checked: 17, firstBreak: { seq: 17, reason: CONTENT_CHANGED } });
  });

  it('detects a change to the stored link (prevHash) of one entry, at that entry', () => {
    const tampered = copy(chain);
    tampered[16]!.prevHash = chain[14]!.hash;
    expect(verify(tampered).firstBreak).toEqual({ seq: 17, reason: LINK_BROKEN });
  });

  it('detects an edit to the first and to the last entry', () => {
    const first = copy(chain);
    first[0]!.event = 'auth.logout';
    expect(verify(first).firstBreak).toEqual({ seq: 1, reason: CONTENT_CHANGED });
    const last = copy(chain);
    last[49]!.outcome = last[49]!.outcome === 'success' ? 'denied' : 'success';
    expect(verify(last)).toEqual({ checked: 50, firstBreak: { seq: 50, reason: CONTENT_CHANGED } });
  });

  it('detects a changed sequence number as a gap at the number expected', () => {
    const tampered = copy(chain);
    tampered[16]!.seq = 117;
    expect(verify(tampered).firstBreak).toEqual({ seq: 17, reason: 'entries 17–116 are missing (deleted?)' });
  });

  it('detects a deleted entry as a gap naming its sequence number', () => {
    const tampered = copy(chain);
    tampered.splice(29, 1); // seq 30
    expect(verify(tampered)).toEqual({ checked: 30, firstBreak: { seq: 30, reason: 'entries 30–30 are missing (deleted?)' } });
  });

  it('detects several deleted entries as one gap', () => {
    const tampered = copy(chain);
    tampered.splice(9, 5); // seq 10–14
    expect(verify(tampered).firstBreak).toEqual({ seq: 10, reason: 'entries 10–14 are missing (deleted?)' });
  });

  it('detects a deleted first entry', () => {
    expect(verify(copy(chain).slice(1)).firstBreak).toEqual({ seq: 1, reason: 'entries 1–1 are missing (deleted?)' });
  });

  it('detects a deleted entry whose successors were renumbered to close the gap, by the broken link', () => {
    const tampered = copy(chain);
    tampered.splice(29, 1);
    tampered.forEach((e, i) => { e.seq = i + 1; });
    expect(verify(tampered).firstBreak).toEqual({ seq: 30, reason: LINK_BROKEN });
  });

  it('detects two entries fed in swapped order, at the first displaced one', () => {
    const tampered = copy(chain);
    [tampered[29], tampered[30]] = [tampered[30]!, tampered[29]!];
    expect(verify(tampered)).toEqual({ checked: 30, firstBreak: { seq: 30, reason: 'entries 30–30 are missing (deleted?)' } });
  });

  it('detects two stored entries that swapped places (sequence numbers exchanged)', () => {
    const tampered = copy(chain);
    [tampered[29], tampered[30]] = [{ ...tampered[30]!, seq: 30 }, { ...tampered[29]!, seq: 31 }];
    expect(verify(tampered).firstBreak).toEqual({ seq: 30, reason: LINK_BROKEN });
  });

  it('detects a replayed (duplicated) entry as out of order', () => {
    const tampered = copy(chain);
    tampered.splice(20, 0, structuredClone(tampered[19]!)); // seq 20 twice
    expect(verify(tampered).firstBreak).toEqual({ seq: 21, reason: 'entry 20 is out of order' });
  });

  it('detects an edited entry whose own hash was recomputed (relinked), at the next entry', () => {
    const tampered = copy(chain);
    const edited = tampered[24]!; // seq 25
    edited.detail = { count: 0 };
    edited.hash = auditEntryHash(edited.prevHash, edited);
    expect(verify(tampered)).toEqual({ checked: 26, firstBreak: { seq: 26, reason: LINK_BROKEN } });
  });

  it('detects a relinked last-but-one entry, at the last entry', () => {
    const tampered = copy(chain);
    const edited = tampered[48]!;
    edited.actorUserId = uuid(77);
    edited.hash = auditEntryHash(edited.prevHash, edited);
    expect(verify(tampered).firstBreak).toEqual({ seq: 50, reason: LINK_BROKEN });
  });

  it('detects a chain that does not start from the genesis hash', () => {
    const tampered = copy(chain);
    tampered[0]!.prevHash = 'a'.repeat(64);
    tampered[0]!.hash = auditEntryHash(tampered[0]!.prevHash, tampered[0]!);
    expect(verify(tampered).firstBreak).toEqual({ seq: 1, reason: LINK_BROKEN });
  });

  it('keeps the first break and stops counting after it', () => {
    const tampered = copy(chain);
    tampered[9]!.event = 'x';
    tampered[39]!.event = 'y';
    const verifier = new AuditChainVerifier();
    for (const entry of tampered) verifier.add(entry);
    expect(verifier.firstBreak).toEqual({ seq: 10, reason: CONTENT_CHANGED });
    expect(verifier.checked).toBe(10);
  });

  it('verifies page by page exactly as in one go (as the server feeds it)', () => {
    const verifier = new AuditChainVerifier();
    for (let start = 0; start < chain.length; start += 7) for (const e of chain.slice(start, start + 7)) verifier.add(e);
    expect({ checked: verifier.checked, firstBreak: verifier.firstBreak }).toEqual(verify(chain));
  });

  it('leaves the original chain untouched by the tampering tests', () => {
    expect(verify(chain)).toEqual({ checked: 50, firstBreak: null });
  });
});

describe('checkpoints of a chain kept outside the database', () => {
  const key = createHash('sha256').update('a test key').digest();
  const chain = buildChain(10);
  const head = chain[9]!;
  const checkpoint = signCheckpoint(key, { chain: ORG, seq: head.seq, hash: head.hash, recordedAt: '2025-01-02T09:00:00.000Z' });

  it('are genuine only as signed, for their own chain and with the same key', () => {
    expect(checkpointGenuine(key, checkpoint, ORG)).toBe(true);
    expect(checkpointGenuine(key, JSON.parse(JSON.stringify(checkpoint)), ORG)).toBe(true);
    // Moved back to an earlier head, with the signature left as it was.
    expect(checkpointGenuine(key, { ...checkpoint, seq: 8, hash: chain[7]!.hash }, ORG)).toBe(false);
    expect(checkpointGenuine(key, { ...checkpoint, recordedAt: '2025-01-01T09:00:00.000Z' }, ORG)).toBe(false);
    expect(checkpointGenuine(key, checkpoint, uuid(99))).toBe(false);
    expect(checkpointGenuine(createHash('sha256').update('another key').digest(), checkpoint, ORG)).toBe(false);
    for (const damaged of [null, 'text', {}, { ...checkpoint, mac: 'zz' }, { ...checkpoint, seq: '10' }]) expect(checkpointGenuine(key, damaged, ORG)).toBe(false);
  });

  it('hold while the chain has the recorded entry, also with newer ones after it', () => {
    expect(checkpointBreak(checkpoint, head.hash, 10)).toBeNull();
    expect(checkpointBreak(checkpoint, head.hash, 25)).toBeNull();
  });

  it('name the newest entries deleted, and entries written in their place', () => {
    expect(checkpointBreak(checkpoint, null, 7)).toMatchObject({ seq: 8, reason: expect.stringMatching(/^entries 8–10 are missing: the checkpoint of 2025-01-02T09:00:00.000Z recorded the chain up to entry 10/) });
    expect(checkpointBreak(checkpoint, null, 9)).toMatchObject({ seq: 10, reason: expect.stringMatching(/^entry 10 is missing/) });
    expect(checkpointBreak(checkpoint, null, 0)).toMatchObject({ seq: 1 });
    expect(checkpointBreak(checkpoint, 'f'.repeat(64), 12)).toMatchObject({ seq: 10, reason: expect.stringMatching(/not the entry the checkpoint/) });
  });
});
