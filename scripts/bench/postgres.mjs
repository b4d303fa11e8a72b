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

// The server's job queue (pg-boss) has its own connections and advisory locks; only the request pool counts here.
const JOB_QUEUE_APP = 'contour-jobs';

const ACTIVITY = `
  SELECT count(*) FILTER (WHERE wait_event_type = 'Lock' AND wait_event = 'advisory') AS "lockWait",
         count(*) FILTER (WHERE state = 'active' AND wait_event_type = 'IO') AS "ioWait",
         count(*) FILTER (WHERE state = 'active' AND wait_event_type IS DISTINCT FROM 'IO'
                          AND NOT (wait_event_type IS NOT DISTINCT FROM 'Lock' AND wait_event IS NOT DISTINCT FROM 'advisory')) AS "running",
         count(*) FILTER (WHERE state = 'idle in transaction') AS "idleInTransaction",
         count(*) FILTER (WHERE state = 'idle') AS "idle",
         count(*) AS "connections"
    FROM pg_stat_activity
   WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
     AND application_name IS DISTINCT FROM '${JOB_QUEUE_APP}'`;

// Who holds an advisory lock (the audit chain's) in this database, and what that connection is doing.
const HOLDER = `
  SELECT count(*) AS "held",
         count(*) FILTER (WHERE a.state = 'active' AND a.wait_event_type IS DISTINCT FROM 'IO') AS "holderRunning",
         count(*) FILTER (WHERE a.state = 'active' AND a.wait_event_type = 'IO') AS "holderIo",
         count(*) FILTER (WHERE a.state = 'idle in transaction') AS "holderWaitingForClient"
    FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
   WHERE l.locktype = 'advisory' AND l.granted AND a.application_name IS DISTINCT FROM '${JOB_QUEUE_APP}'
     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

/**
 * Samples what the server's pooled connections are doing (pg_stat_activity) every `intervalMs` until
 * stopped; `stop()` resolves to the mean number of connections in each state, and how often the audit
 * lock was held and by a connection doing what (means of 0/1, i.e. fractions of the samples).
 */
export async function sampleActivity(databaseUrl, intervalMs = 50) {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  await client.connect();
  const samples = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const activity = (await client.query(ACTIVITY)).rows[0];
      const holder = (await client.query(HOLDER)).rows[0];
      samples.push(Object.fromEntries(Object.entries({ ...activity, ...holder }).map(([k, v]) => [k, Number(v)])));
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop.finally(() => client.end());
      const keys = Object.keys(samples[0] ?? {});
      return { samples: samples.length, ...Object.fromEntries(keys.map((k) => [k, samples.reduce((sum, s) => sum + s[k], 0) / samples.length])) };
    },
  };
}
