import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBlobStore } from '../storage/blob-store.js';
import { AuditCheckpoints } from './audit-checkpoints.js';
import { behindTheAuditGuard, createTestClinic, createTestContour, samplePatient, type TestClinic, type TestContour } from '../test/harness.js';

describe('audit trail', () => {
  let t: TestContour;
  let clinic: TestClinic;
  beforeAll(async () => {
    t = await createTestContour();
    clinic = await createTestClinic(t);
    for (let i = 0; i < 5; i += 1) await clinic.owner.post('/api/patients', { ...samplePatient, givenName: `Patient${i}` });
  });
  afterAll(async () => t.close());

  it('refuses UPDATE, DELETE and TRUNCATE in the database itself', async () => {
    const db = t.services.db;
    await expect(sql`UPDATE audit_event SET outcome = 'success' WHERE seq = 1`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_event WHERE seq = 1`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`TRUNCATE audit_event`.execute(db)).rejects.toThrow(/append-only/);
    expect((await t.services.auditLog.verify(clinic.organisationId)).ok).toBe(true);
  });

  it('keeps one gapless chain under concurrent writers', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => clinic.owner.post('/api/patients', { ...samplePatient, givenName: `Busy${i}` })));
    const report = await t.services.auditLog.verify(clinic.organisationId);
    expect(report).toMatchObject({ ok: true, firstBreak: null });
    expect(report.checked).toBeGreaterThan(25);
  });

  const tamper = (statement: ReturnType<typeof sql>): Promise<void> => behindTheAuditGuard(t.services.db, statement);

  it('detects an edited entry and names it', async () => {
    const chain = clinic.organisationId;
    await tamper(sql`UPDATE audit_event SET outcome = 'denied' WHERE chain = ${chain} AND seq = 4`);
    const report = await t.services.auditLog.verify(chain);
    expect(report.ok).toBe(false);
    expect(report.firstBreak).toMatchObject({ seq: 4, reason: expect.stringMatching(/edited/) });
  });

  it('detects a deleted entry as a gap', async () => {
    const other = await createTestClinic(t, 'Second clinic');
    await other.owner.post('/api/patients', samplePatient);
    await other.owner.post('/api/patients', samplePatient);
    await tamper(sql`DELETE FROM audit_event WHERE chain = ${other.organisationId} AND seq = 2`);
    const report = await t.services.auditLog.verify(other.organisationId);
    expect(report.firstBreak).toMatchObject({ seq: 2, reason: expect.stringMatching(/missing/) });
  });

  /** A clinic with a few entries in its chain, its head recorded outside the database; the chain's length. */
  async function checkpointed(name: string): Promise<{ chain: string; length: number; owner: TestClinic['owner'] }> {
    const other = await createTestClinic(t, name);
    for (let i = 0; i < 3; i += 1) await other.owner.post('/api/patients', samplePatient);
    expect(await t.services.auditLog.checkpoint(other.organisationId)).toBe(true);
    const report = await t.services.auditLog.verify(other.organisationId);
    expect(report).toMatchObject({ ok: true, checkpoint: { seq: report.checked, held: true } });
    return { chain: other.organisationId, length: report.checked, owner: other.owner };
  }

  it('finds the newest entries deleted, against the checkpoint kept outside the database, and keeps reporting it', async () => {
    const { chain, length } = await checkpointed('Third clinic');
    await tamper(sql`DELETE FROM audit_event WHERE chain = ${chain} AND seq >= ${length - 1}`);
    const report = await t.services.auditLog.verify(chain);
    expect(report).toMatchObject({ ok: false, checked: length - 2, checkpoint: { seq: length, held: false } });
    expect(report.firstBreak).toMatchObject({ seq: length - 1, reason: expect.stringMatching(new RegExp(`^entries ${length - 1}–${length} are missing: the checkpoint of .* recorded the chain up to entry ${length}`)) });
    // The next checkpoint does not record the shorter chain as the truth, and the chain's own entries written since
    // (the verification itself is audited) are not the ones recorded.
    expect(await t.services.auditLog.checkpoint(chain)).toBe(false);
    const later = await t.services.auditLog.verify(chain);
    expect(later.checkpoint).toMatchObject({ seq: length, held: false });
    expect(later.firstBreak?.reason).toMatch(/missing|not the entry the checkpoint/);
    expect(await t.services.auditLog.checkpointAll()).toContain(chain);
  });

  it('moves the checkpoint on as the chain grows, and refuses one not signed with the master key', async () => {
    const { chain, length, owner } = await checkpointed('Fourth clinic');
    await owner.post('/api/patients', samplePatient);
    const grown = await t.services.auditLog.verify(chain);
    expect(grown).toMatchObject({ ok: true, checkpoint: { seq: length, held: true } });
    expect(grown.checked).toBeGreaterThan(length);
    expect(await t.services.auditLog.checkpoint(chain)).toBe(true);
    expect((await t.services.auditLog.verify(chain)).checkpoint).toMatchObject({ seq: grown.checked, held: true });
    // Someone who can write to the file store but has no master key moves the checkpoint back to the first entry.
    const first = await t.services.db.selectFrom('audit_event').select('hash').where('chain', '=', chain).where('seq', '=', 1).executeTakeFirstOrThrow();
    await new AuditCheckpoints(new FileBlobStore(join(t.dataDir, 'files')), randomBytes(32)).record({ chain, seq: 1, hash: first.hash });
    const report = await t.services.auditLog.verify(chain);
    expect(report).toMatchObject({ ok: false, checkpoint: { seq: null, recordedAt: null, held: false } });
    expect(report.firstBreak?.reason).toMatch(/not genuine/);
    expect(await t.services.auditLog.checkpoint(chain)).toBe(false);
  });
});
