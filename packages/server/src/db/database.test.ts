import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../test/database.js';

describe('database', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase();
  });
  afterAll(async () => t.close());

  it('runs the migrations and is idempotent on a second run', async () => {
    const { rows } = await sql<{ name: string }>`SELECT name FROM contour_migration ORDER BY name`.execute(t.db);
    expect(rows.map((r) => r.name)).toEqual(['0001-foundation', '0002-photography', '0003-facial-analysis', '0004-treatment-planning', '0005-simulation', '0006-plan-analysis-method']);
    const again = await t.migrate();
    expect(again.results).toEqual([]);
  });

  it('keeps dates as ISO text', async () => {
    const { rows } = await sql<{ d: string }>`SELECT '1990-02-03'::date AS d`.execute(t.db);
    expect(rows[0]?.d).toBe('1990-02-03');
  });
});
