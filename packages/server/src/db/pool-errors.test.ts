import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';

const serverUrl = process.env.TEST_DATABASE_URL;

describe.skipIf(!serverUrl)('PostgreSQL connection loss', () => {
  it('survives the server ending an idle connection, and keeps answering', async () => {
    const handle = await openDatabase({ databaseUrl: serverUrl as string, pgliteDir: null });
    try {
      const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(handle.db);
      const pid = rows[0]?.pid;
      const warned = new Promise<string>((resolve) => process.once('warning', (w) => resolve(w.message)));
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      await admin.end();
      expect(await warned).toMatch(/PostgreSQL connection lost/);
      const again = await sql<{ one: number }>`SELECT 1 AS one`.execute(handle.db);
      expect(again.rows[0]?.one).toBe(1);
    } finally {
      await handle.close();
    }
  });
});
