import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrateToLatest, openDatabase, type Db } from '../db/database.js';

export interface TestDatabase {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** The PostgreSQL database's URL (for pg-boss); null on PGlite. */
  url: string | null;
  migrate(): ReturnType<typeof migrateToLatest>;
  close(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a new database on
 * the PostgreSQL server named by TEST_DATABASE_URL (dropped again on close), so files never share state.
 */
export async function openTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const handle = await openDatabase({ databaseUrl: null, pgliteDir: null });
    await migrateToLatest(handle.db);
    return { ...handle, url: null, migrate: () => migrateToLatest(handle.db) };
  }
  const name = `contour_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ databaseUrl: url.toString(), pgliteDir: null });
  await migrateToLatest(handle.db);
  return {
    ...handle,
    url: url.toString(),
    migrate: () => migrateToLatest(handle.db),
    async close() {
      await handle.close();
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      // pg-pool's end() resolves before its clients' sockets have closed; forcing the drop while they
      // are still saying goodbye kills them and their 'error' events go unhandled. Wait for them first.
      for (let waited = 0; waited < 5000; waited += 50) {
        const { rows } = await dropper.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
        if (rows[0]?.n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}
