import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestClinic, createTestContour, samplePatient, type TestClinic, type TestContour } from '../test/harness.js';
import { clinicDate, localDate } from './locations.js';

describe("the clinic's date", () => {
  let t: TestContour;
  let clinic: TestClinic;
  beforeAll(async () => {
    t = await createTestContour();
    clinic = await createTestClinic(t);
  });
  afterAll(async () => t.close());

  const at = (iso: string): Date => new Date(iso);

  it('is the calendar date where the patient is seen, not in UTC', async () => {
    const location = async (name: string, timezone: string): Promise<string> => {
      const created = await clinic.owner.post('/api/locations', { name, timezone });
      expect(created.statusCode, created.body).toBe(201);
      return created.json().id as string;
    };
    const patientAt = async (locationId: string | null): Promise<string> => {
      const created = await clinic.owner.post('/api/patients', { ...samplePatient, ...(locationId ? { locationId } : {}) });
      expect(created.statusCode, created.body).toBe(201);
      return created.json().id as string;
    };
    const kiritimati = await patientAt(await location('Line Islands', 'Pacific/Kiritimati'));
    const pagoPago = await patientAt(await location('Tutuila', 'Pacific/Pago_Pago'));
    const main = await patientAt(null);
    const org = clinic.organisationId;
    // 20:00 UTC on 1 March is already 2 March at UTC+14, and still 1 March at UTC−11.
    expect(await clinicDate(t.services.db, org, kiritimati, at('2026-03-01T20:00:00Z'))).toBe('2026-03-02');
    expect(await clinicDate(t.services.db, org, pagoPago, at('2026-03-01T20:00:00Z'))).toBe('2026-03-01');
    // 05:00 UTC on 1 March is still 28 February at UTC−11.
    expect(await clinicDate(t.services.db, org, pagoPago, at('2026-03-01T05:00:00Z'))).toBe('2026-02-28');
    // Without a location of their own: the clinic's first location (the set-up's, in UTC here).
    expect(await clinicDate(t.services.db, org, main, at('2026-03-01T20:00:00Z'))).toBe('2026-03-01');
    expect(await clinicDate(t.services.db, org, null, at('2026-03-01T23:59:59Z'))).toBe('2026-03-01');
  });

  it('falls back to UTC for a zone it does not know', () => {
    expect(localDate('Mars/Olympus_Mons', at('2026-03-01T23:30:00Z'))).toBe('2026-03-01');
    expect(localDate('Asia/Kolkata', at('2026-03-01T23:30:00Z'))).toBe('2026-03-02');
  });
});
