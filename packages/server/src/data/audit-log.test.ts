import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestClinic, createTestContour, samplePatient, type TestClinic, type TestContour } from '../test/harness.js';

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

  /** What someone with superuser access to the database could do: switch the guard off and edit. */
  async function tamper(statement: ReturnType<typeof sql>): Promise<void> {
    await t.services.db.transaction().execute(async (trx) => {
      await sql`ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update`.execute(trx);
      await statement.execute(trx);
      await sql`ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update`.execute(trx);
    });
  }

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
});
