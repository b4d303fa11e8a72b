// Throwaway databases on the local PostgreSQL server: created per measurement, always dropped again.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The local server the bench may use; loopback only. */
export const POSTGRES_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

async function withAdmin(work) {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** `{ ok: true, version }` when the server answers, otherwise `{ ok: false, error }`. */
export async function probePostgres() {
  try {
    return await withAdmin(async (client) => ({
      ok: true,
      version: (await client.query('SHOW server_version')).rows[0].server_version,
      synchronousCommit: (await client.query('SHOW synchronous_commit')).rows[0].synchronous_commit,
    }));
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Creates `contour_bench_<random>[_label]`; its drop is registered with `resources` and also returned. */
export async function createBenchDatabase(resources, label = '') {
  const name = `contour_bench_${randomBytes(5).toString('hex')}${label ? `_${label}` : ''}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${name}`));
  const drop = resources.defer(`database ${name}`, () => withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop };
}
