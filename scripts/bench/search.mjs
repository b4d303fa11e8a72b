// Measurement 2: patient search over HTTP (session, policy, audit entry, JSON) against the same SQL run
// directly through services.db, query by query, in the same process.
import { CompiledQuery } from 'kysely';
import { parsePatientSearch } from '@contour/domain';
import { mean, percentile } from './util.mjs';
import { searchMix } from './synthetic.mjs';

const escapeLike = (text) => text.replace(/[\\%_]/g, '\\$&');

/** The server's search queries (packages/server/src/data/patients.ts): the first page and the count. */
function searchQueries(db, organisationId, q, limit = 50) {
  const { words, dateOfBirth } = parsePatientSearch(q);
  let base = db.selectFrom('patient').where('organisation_id', '=', organisationId).where('erased_at', 'is', null).where('archived_at', 'is', null);
  for (const word of words) base = base.where('search_text', 'like', `%${escapeLike(word)}%`);
  if (dateOfBirth) base = base.where('date_of_birth', '=', dateOfBirth);
  return {
    page: base.selectAll().orderBy('family_name').orderBy('given_name').orderBy('id').limit(limit).offset(0),
    count: base.select((eb) => eb.fn.countAll().as('n')),
  };
}

/** The same SQL as the server's search, without HTTP, session, policy or audit. */
export async function rawSearch(db, organisationId, q) {
  const { page, count } = searchQueries(db, organisationId, q);
  const [rows, counted] = await Promise.all([page.execute(), count.executeTakeFirstOrThrow()]);
  return { items: rows.length, total: Number(counted.n) };
}

/** How PostgreSQL reads the patient table for this query: the scan nodes of its plan. */
async function scanOf(db, organisationId, q) {
  const compiled = searchQueries(db, organisationId, q).page.compile();
  const { rows } = await db.executeQuery(CompiledQuery.raw(`EXPLAIN ${compiled.sql}`, [...compiled.parameters]));
  const scans = rows.map((r) => r['QUERY PLAN'].trim().replace(/^->\s*/, '')).filter((line) => / Scan /.test(` ${line}`));
  return scans.map((line) => line.replace(/\s+\(cost=.*$/, '').replace(/ on patient$/, '')).join(' + ') || 'n/a';
}

async function httpSearch(client, q) {
  const res = await client.json('GET', `/api/patients?q=${encodeURIComponent(q)}`);
  if (res.status !== 200) throw new Error(`GET /api/patients?q=… answered ${res.status}: ${res.text.slice(0, 200)}`);
  return { items: res.data.items.length, total: res.data.total };
}

export async function measureSearch({ client, db, organisationId, rows, perKind, warmup }) {
  const timed = async (fn) => {
    const started = performance.now();
    const result = await fn();
    return { ms: performance.now() - started, ...result };
  };
  const run = (q, which) => (which === 'http' ? timed(() => httpSearch(client, q)) : timed(() => rawSearch(db, organisationId, q)));

  // Warm-up on a different mix: JIT, plan caches, the table in the buffer cache.
  for (const { q } of searchMix(rows, Math.ceil(warmup / 5), 99).queries) {
    await run(q, 'raw');
    await run(q, 'http');
  }

  const { kinds, queries } = searchMix(rows, perKind);
  const samples = [];
  const mismatches = [];
  for (const [i, { kind, q }] of queries.entries()) {
    // Alternate which goes first, so neither always finds the caches warmer.
    const order = i % 2 === 0 ? ['raw', 'http'] : ['http', 'raw'];
    const result = {};
    for (const which of order) result[which] = await run(q, which);
    if (result.http.total !== result.raw.total) mismatches.push({ q, http: result.http.total, raw: result.raw.total });
    samples.push({ kind, q, http: result.http.ms, raw: result.raw.ms, total: result.raw.total });
  }

  const summarise = (list) => ({
    n: list.length,
    http: { p50: percentile(list.map((s) => s.http), 50), p99: percentile(list.map((s) => s.http), 99) },
    raw: { p50: percentile(list.map((s) => s.raw), 50), p99: percentile(list.map((s) => s.raw), 99) },
    meanHits: mean(list.map((s) => s.total)),
  });
  return {
    overall: summarise(samples),
    byKind: Object.fromEntries(
      await Promise.all(
        kinds.map(async (kind) => {
          const example = samples.find((s) => s.kind === kind).q;
          return [kind, { ...summarise(samples.filter((s) => s.kind === kind)), example, plan: await scanOf(db, organisationId, example) }];
        }),
      ),
    ),
    mismatches,
  };
}
