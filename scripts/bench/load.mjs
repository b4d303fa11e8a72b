// Measurement 3: sustained throughput under 50 concurrent connections (autocannon in a worker thread,
// so the load generator does not share the server's event loop), and the cost of each step of an
// authenticated patient read measured on its own, sequentially.
import autocannon from 'autocannon';
import { sampleActivity } from './postgres.mjs';
import { median, sleep } from './util.mjs';

export const CONNECTIONS = 50;

function cannon(url, headers, duration) {
  return autocannon({ url, connections: CONNECTIONS, duration, headers, workers: 1, timeout: 10 });
}

/** A measured run, with how busy the server's event loop (this process's main thread) was meanwhile. */
async function measured(url, headers, duration) {
  const before = performance.eventLoopUtilization();
  const result = await cannon(url, headers, duration);
  return { ...summarise(result), eventLoopBusy: performance.eventLoopUtilization(before).utilization };
}

function summarise(result) {
  return {
    reqPerSecMean: result.requests.average,
    reqPerSecMedian: result.requests.p50,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    latencyMax: result.latency.max,
    total2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
  };
}

async function auditCount(db, organisationId) {
  const row = await db
    .selectFrom('audit_event')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('chain', '=', organisationId)
    .where('event', '=', 'patient.read')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function measureLoad({ url, cookie, db, databaseUrl, organisationId, patientId, duration, warmup, log }) {
  const health = `${url}/api/health`;
  const read = `${url}/api/patients/${patientId}`;

  await cannon(health, {}, warmup);
  const healthResult = await measured(health, {}, duration);
  log(`  health: ${Math.round(healthResult.reqPerSecMean)} req/s`);

  await cannon(read, { cookie }, warmup);
  await sleep(300); // let the warm-up's last in-flight reads land before counting audit entries
  const before = await auditCount(db, organisationId);
  // On PostgreSQL, also what the pooled connections spend the run doing.
  const activity = databaseUrl ? await sampleActivity(databaseUrl) : null;
  const readResult = await measured(read, { cookie }, duration);
  const connections = activity ? await activity.stop() : null;
  await sleep(300);
  const auditEntries = (await auditCount(db, organisationId)) - before;
  log(`  patient read: ${Math.round(readResult.reqPerSecMean)} req/s`);
  return { health: healthResult, read: { ...readResult, auditEntries, connections } };
}

/** Median ms of `n` sequential calls of each step, after a short warm-up. */
export async function measureComponents({ client, services, token, organisationId, ownerId, patientId, n }) {
  const { db, sessions, auditLog } = services;
  const steps = {
    'GET /api/health (HTTP, no DB)': async () => {
      const res = await client.request('GET', '/api/health');
      if (res.status !== 200) throw new Error(`health answered ${res.status}`);
    },
    'GET /api/patients/:id (HTTP, whole request)': async () => {
      const res = await client.request('GET', `/api/patients/${patientId}`);
      if (res.status !== 200) throw new Error(`patient read answered ${res.status}`);
    },
    'session lookup (sessions.resolve)': async () => {
      if (!(await sessions.resolve(token))) throw new Error('session did not resolve');
    },
    'patient row (SELECT by id)': async () => {
      await db.selectFrom('patient').selectAll().where('organisation_id', '=', organisationId).where('id', '=', patientId).executeTakeFirstOrThrow();
    },
    'audit append (lock + last entry + hash + INSERT, in a transaction)': () =>
      auditLog.append([
        {
          organisationId,
          actorUserId: ownerId,
          actorRole: 'owner',
          action: 'R',
          event: 'patient.read',
          entityType: 'patient',
          entityId: patientId,
          patientId,
          outcome: 'success',
          sourceIp: '127.0.0.1',
        },
      ]),
  };
  const result = {};
  for (const [name, step] of Object.entries(steps)) {
    for (let i = 0; i < Math.min(30, n); i++) await step();
    const times = [];
    for (let i = 0; i < n; i++) {
      const started = performance.now();
      await step();
      times.push(performance.now() - started);
    }
    result[name] = median(times);
  }
  return result;
}

/**
 * Appends per second with `writers` concurrent appenders, all on one audit chain (one clinic) and spread
 * over `writers` chains: how much the per-chain advisory lock, rather than the database, limits audited
 * requests. The chains are synthetic ids of no clinic, so the clinic's own chain is left alone.
 */
export async function measureAuditContention({ auditLog, seconds, writers = 10 }) {
  const chains = Array.from({ length: writers }, () => crypto.randomUUID());
  const draft = (organisationId) => ({ organisationId, actorUserId: null, actorRole: null, action: 'E', event: 'bench.append', outcome: 'success', sourceIp: null });
  const rate = async (chainCount) => {
    let appended = 0;
    const started = performance.now();
    const end = started + seconds * 1000;
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        while (performance.now() < end) {
          await auditLog.append([draft(chains[w % chainCount])]);
          appended += 1;
        }
      }),
    );
    return appended / ((performance.now() - started) / 1000);
  };
  const oneChain = await rate(1);
  const manyChains = await rate(writers);
  return { writers, oneChain, manyChains };
}
