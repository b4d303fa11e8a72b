import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { behindTheAuditGuard, createTestClinic, createTestContour, samplePatient, type TestContour } from '../test/harness.js';
import { CheckpointSchedule } from './audit-checkpoints.js';

describe('the audit checkpoints schedule', () => {
  let t: TestContour;
  beforeAll(async () => {
    t = await createTestContour();
  });
  afterAll(async () => t.close());

  it('records every chain at start, and logs (by clinic id only) a chain whose newest entries were deleted since', async () => {
    const clinic = await createTestClinic(t, 'Scheduled clinic');
    await clinic.owner.post('/api/patients', samplePatient);
    const logged: { details: Record<string, unknown>; message: string }[] = [];
    const schedule = new CheckpointSchedule(t.services.auditLog, { error: (details, message) => logged.push({ details, message }) });
    await schedule.start();
    const recorded = await t.services.auditLog.verify(clinic.organisationId);
    expect(recorded.checkpoint).toEqual({ seq: recorded.checked, recordedAt: expect.any(String), held: true });

    await behindTheAuditGuard(t.services.db, sql`DELETE FROM audit_event WHERE chain = ${clinic.organisationId} AND seq = ${recorded.checked}`);
    await schedule.stop();
    expect(logged).toEqual([{ details: { chain: clinic.organisationId }, message: expect.stringMatching(/does not hold its last checkpoint/) }]);
    // The checkpoint was kept, so the deletion stays on record.
    expect((await t.services.auditLog.verify(clinic.organisationId)).checkpoint).toMatchObject({ seq: recorded.checked, held: false });
  });
});
