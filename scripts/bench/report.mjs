// docs/benchmarks.md and the stdout summary, from one bench run.
import { fmt, fmtInt, ratio } from './util.mjs';

export const DB_LABEL = { pglite: 'PGlite', postgres: 'PostgreSQL' };

const AUDIT_STEP = 'audit append (lock + last entry + hash + INSERT, in a transaction)';
const SESSION_STEP = 'session lookup (sessions.resolve)';
const ROW_STEP = 'patient row (SELECT by id)';
const READ_STEP = 'GET /api/patients/:id (HTTP, whole request)';
const HEALTH_STEP = 'GET /api/health (HTTP, no DB)';

const table = (header, rows, align = header.map((_, i) => (i === 0 ? 'left' : 'right'))) =>
  [
    `| ${header.join(' | ')} |`,
    `|${align.map((a) => (a === 'left' ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

const ms = (value) => `${fmt(value, value < 10 ? 2 : 1)} ms`;
/** autocannon records latency in whole milliseconds. */
const acMs = (value) => `${fmtInt(value)} ms`;
const s = (value) => `${fmt(value, 2)} s`;
const oneIn = (part, whole) => (part > 0 && whole > 0 ? `1/${fmtInt(whole / part)}` : 'n/a');
const kindsOf = (run) => Object.keys(run.results);

/** Correctness checks a run must pass; an empty list means the figures can be trusted. */
export function findProblems(run) {
  const problems = [];
  for (const [kind, r] of Object.entries(run.results)) {
    const label = DB_LABEL[kind];
    if (!r.load || !r.search || !r.auditChain) {
      problems.push(`${label}: measurements incomplete`);
      continue;
    }
    for (const [route, result] of [['health', r.load.health], ['patient read', r.load.read]]) {
      if (result.non2xx) problems.push(`${label} ${route}: ${result.non2xx} non-2xx responses under load`);
      if (result.errors || result.timeouts) problems.push(`${label} ${route}: ${result.errors} errors, ${result.timeouts} timeouts under load`);
    }
    if (r.load.read.auditEntries < r.load.read.total2xx) {
      problems.push(`${label}: ${r.load.read.total2xx} patient reads answered 200 but only ${r.load.read.auditEntries} audit entries were written`);
    }
    if (r.search.mismatches.length) problems.push(`${label}: ${r.search.mismatches.length} searches where HTTP and raw SQL disagree on the total`);
    if (!r.auditChain.ok) problems.push(`${label}: audit chain broken at ${r.auditChain.firstBreak?.seq} (${r.auditChain.firstBreak?.reason})`);
  }
  return problems;
}

const phaseSum = (p) => p.bootMs + p.importMs + p.openMs + p.migrateMs;

function startupSection(run) {
  const kinds = kindsOf(run);
  const rows = kinds.map((kind) => {
    const st = run.results[kind].startup;
    return [
      DB_LABEL[kind],
      `**${s(st.cold.median)}**`,
      st.cold.runs.map((v) => fmt(v, 2)).join(' / '),
      `**${s(st.warm.median)}**`,
      st.warm.runs.map((v) => fmt(v, 2)).join(' / '),
      ratio(st.cold.median, st.warm.median),
    ];
  });
  const phase = (get) => kinds.flatMap((kind) => [ms(get(run.results[kind].startup.phases.cold)), ms(get(run.results[kind].startup.phases.warm))]);
  const remainder = (total, phases) => {
    const rest = total * 1000 - phaseSum(phases);
    return rest > 0 ? ms(rest) : '≈ 0 (noise)';
  };
  const phaseRows = [
    ['Node.js boot (until the first line of the script runs)', ...phase((p) => p.bootMs)],
    ['import `@contour/server` (Fastify, Kysely, pg, PGlite, argon2 …)', ...phase((p) => p.importMs)],
    ['open the database (PGlite: load the WASM build, then create or open the cluster; PostgreSQL: connect)', ...phase((p) => p.openMs)],
    ['migrations (all of them on a fresh database; a version check when warm)', ...phase((p) => p.migrateMs)],
    [
      'the rest of `contour serve`: spawn, master key, building the Fastify app, listen, health poll (median start − the phases above)',
      ...kinds.flatMap((kind) => {
        const st = run.results[kind].startup;
        return [remainder(st.cold.median, st.phases.cold), remainder(st.warm.median, st.phases.warm)];
      }),
    ],
  ];
  return [
    '## 1. Start to ready',
    '',
    '`node packages/cli/dist/main.js serve` as a child process; the time from spawn until `GET /api/health` first answers 200 (polled every 10 ms). ' +
      'Cold: a fresh `CONTOUR_DATA_DIR` (PGlite: the database cluster is created in it) or a freshly created, empty PostgreSQL database, so every migration runs. ' +
      `Warm: a second start on the same data directory / database. ${run.settings.startRepeats} runs each; the median is in bold.`,
    '',
    table(['Database', 'Cold start', 'cold runs (s)', 'Warm start', 'warm runs (s)', 'cold / warm'], rows),
    '',
    `Where the time goes: after each run above, \`scripts/bench/startup-probe.mjs\` does what \`contour serve\` does up to the migrations, in a fresh process on a fresh target, and times each phase (medians of ${run.settings.startRepeats}):`,
    '',
    table(['Phase', ...kinds.flatMap((k) => [`${DB_LABEL[k]} cold`, `${DB_LABEL[k]} warm`])], phaseRows),
  ].join('\n');
}

function searchSection(run) {
  const kinds = kindsOf(run);
  const rows = kinds.map((kind) => {
    const o = run.results[kind].search.overall;
    return [DB_LABEL[kind], `**${ms(o.http.p50)}**`, `**${ms(o.http.p99)}**`, ms(o.raw.p50), ms(o.raw.p99), `**${ratio(o.http.p50, o.raw.p50)}**`, ratio(o.http.p99, o.raw.p99)];
  });
  const first = run.results[kinds[0]].search.byKind;
  const kindRows = Object.keys(first).map((name) => [
    `${name}, e.g. \`${first[name].example}\``,
    fmt(first[name].meanHits, 0),
    first[name].plan,
    ...kinds.flatMap((kind) => {
      const k = run.results[kind].search.byKind[name];
      return [ms(k.http.p50), ms(k.raw.p50), ratio(k.http.p50, k.raw.p50)];
    }),
  ]);
  const n = run.results[kinds[0]].search.overall.n;
  return [
    `## 2. Patient search at ${fmtInt(run.settings.patients)} patients`,
    '',
    `${n} sequential, signed-in \`GET /api/patients?q=…\` (the first page of 50 and the total), ${run.settings.searchPerKind} of each kind of query below, shuffled, ` +
      `after ${run.settings.searchWarmup} warm-up queries. The baseline runs the same SQL (the same \`LIKE '%word%'\` filters on \`search_text\`, ` +
      'the page query and `count(*)` in parallel, as the server does) directly through `services.db`, alternating with the HTTP request for the same query. ' +
      'Both run in the bench process, which is also the server\'s, so the HTTP figure includes the client\'s side of the loopback request.',
    '',
    table(['Database', 'HTTP p50', 'HTTP p99', 'raw SQL p50', 'raw SQL p99', 'HTTP / raw p50', 'HTTP / raw p99'], rows),
    '',
    'By kind of query (p50 of each kind; "hits" is the mean number of patients found; "plan" is how PostgreSQL reads the table for the example query):',
    '',
    table(
      ['Query', 'hits', 'plan', ...kinds.flatMap((k) => [`${DB_LABEL[k]} HTTP`, `${DB_LABEL[k]} raw`, 'ratio'])],
      kindRows,
      ['left', 'right', 'left', ...kinds.flatMap(() => ['right', 'right', 'right'])],
    ),
  ].join('\n');
}

function loadSection(run) {
  const kinds = kindsOf(run);
  const rows = kinds.flatMap((kind) => {
    const { health, read } = run.results[kind].load;
    const line = (route, r) => [
      DB_LABEL[kind],
      route,
      `**${fmtInt(r.reqPerSecMean)}**`,
      fmtInt(r.reqPerSecMedian),
      acMs(r.latencyP50),
      acMs(r.latencyP99),
      String(r.non2xx),
      String(r.errors + r.timeouts),
    ];
    return [
      line('`GET /api/patients/:id` (signed in)', read),
      line('`GET /api/health` (public, no DB)', health),
      [
        DB_LABEL[kind],
        '*read ÷ health*',
        `*${oneIn(read.reqPerSecMean, health.reqPerSecMean)}*`,
        `*${oneIn(read.reqPerSecMedian, health.reqPerSecMedian)}*`,
        `*${ratio(read.latencyP50, health.latencyP50, 0)}*`,
        `*${ratio(read.latencyP99, health.latencyP99, 0)}*`,
        '',
        '',
      ],
    ];
  });
  const names = Object.keys(run.results[kinds[0]].components);
  const componentRows = names.map((name) => [name, ...kinds.map((kind) => ms(run.results[kind].components[name]))]);
  const contentionRows = kinds.map((kind) => {
    const c = run.results[kind].contention;
    return [DB_LABEL[kind], fmtInt(c.oneChain), fmtInt(c.manyChains), ratio(c.manyChains, c.oneChain)];
  });
  const checks = kinds.map((kind) => {
    const r = run.results[kind];
    return (
      `${DB_LABEL[kind]}: ${fmtInt(r.load.read.total2xx)} reads answered 200 and ${fmtInt(r.load.read.auditEntries)} \`patient.read\` audit entries were written meanwhile ` +
      `(the difference is requests still in flight when autocannon stopped counting); the clinic's chain (${fmtInt(r.auditChain.checked)} entries) then verified ` +
      `${r.auditChain.ok ? 'intact' : '**BROKEN**'} in ${s(r.auditChain.seconds)}.`
    );
  });
  const c0 = run.results[kinds[0]].contention;
  return [
    `## 3. Sustained requests per second (${run.settings.connections} connections, ${run.settings.loadSeconds} s)`,
    '',
    `autocannon (programmatic API, in a worker thread so that the load generator does not share the server's event loop), ${run.settings.connections} connections, ` +
      `${run.settings.loadSeconds} s after a ${run.settings.loadWarmupSeconds} s warm-up, against the in-process server holding the seeded clinic. ` +
      'The read route sends the session cookie and asks for one fixed patient. req/s: the mean and the median of the per-second samples; latencies have 1 ms resolution.',
    '',
    table(['Database', 'Route', 'req/s (mean)', 'req/s (median)', 'p50', 'p99', 'non-2xx', 'errors'], rows, ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right']),
    '',
    `What one patient read is made of, each step timed on its own (median of ${run.settings.componentSamples} sequential calls, no concurrency):`,
    '',
    table(['Step', ...kinds.map((k) => DB_LABEL[k])], componentRows),
    '',
    `Audit appends per second with ${c0.writers} concurrent writers (${run.settings.contentionSeconds} s each), all on one chain (one clinic) or spread over ${c0.writers} chains:`,
    '',
    table(['Database', 'one chain', `${c0.writers} chains`, `${c0.writers} chains ÷ one`], contentionRows),
    '',
    ...checks.map((c) => `- ${c}`),
  ].join('\n');
}

/** The paragraphs on what dominates each figure, written from this run's numbers. */
function analysisSection(run) {
  const r = run.results;
  const pl = r.pglite;
  const pg = r.postgres;
  const kinds = kindsOf(run);
  const out = ['## What dominates each figure', ''];

  {
    const p = pl.startup.phases;
    let text =
      `**Start-up.** A PGlite cold start (${s(pl.startup.cold.median)}) is mostly the embedded database: opening it on an empty directory ` +
      `took ${ms(p.cold.openMs)}, against ${ms(p.warm.openMs)} for an existing cluster, so creating the cluster accounts for most of the cold/warm gap; ` +
      `running every migration adds only ${ms(p.cold.migrateMs)}. What a warm start (${s(pl.startup.warm.median)}) cannot avoid is loading the PGlite WASM build ` +
      `(inside the ${ms(p.warm.openMs)}) and importing the server's modules (${ms(p.warm.importMs)}).`;
    if (pg) {
      const q = pg.startup.phases;
      text +=
        ` On PostgreSQL there is no cluster to create: a cold start (${s(pg.startup.cold.median)}) is the module import (${ms(q.cold.importMs)}), ` +
        `${ms(q.cold.migrateMs)} of migrations on the empty database and building the app, and a warm start (${s(pg.startup.warm.median)}) differs only by the migrations.`;
    }
    out.push(text, '');
  }

  {
    const names = Object.keys(pl.search.byKind);
    const dob = names.find((n) => n.startsWith('date'));
    const seq = names.filter((n) => pl.search.byKind[n].plan.startsWith('Seq Scan'));
    const fixed = (res) => res.search.overall.http.p50 - res.search.overall.raw.p50;
    const both = (get, fmtFn = ms) => kinds.map((k) => `${fmtFn(get(r[k]))} on ${DB_LABEL[k]}`).join(', ');
    let text =
      `**Search.** Every query with a word in it is a sequential scan: \`LIKE '%word%'\` cannot use the (organisation, name) or (organisation, date of birth) indexes, ` +
      `so the page query and the \`count(*)\` each read all ${fmtInt(run.settings.patients)} rows (${seq.length} of the ${names.length} kinds; raw p50 ` +
      `${both((res) => res.search.overall.raw.p50)}), and the scan time grows linearly with the number of patients. `;
    if (dob) {
      text += `Only a query that is just a date of birth uses the \`patient_org_dob\` index (raw p50 ${both((res) => res.search.byKind[dob].raw.p50)}). `;
    }
    text +=
      `On top of the SQL, each HTTP search costs a roughly fixed ${both(fixed)} at the median: resolving the session ` +
      `(${both((res) => res.components[SESSION_STEP])}), appending a hash-chained audit entry that lists the ids of the patients shown ` +
      `(${both((res) => res.components[AUDIT_STEP])} per append, more with 50 ids to hash) and serialising up to 50 summaries. ` +
      `That is why the HTTP/raw ratio is ${both((res) => res.search.overall.http.p50 / res.search.overall.raw.p50, (v) => `${fmt(v, 1)}×`)} overall ` +
      `but largest for the index-backed date-of-birth query, whose SQL is cheap. The p99 figures are single slow outliers (GC pauses, other work on the shared machine) ` +
      'in 300 samples and move from run to run.';
    if (pg) text += ' PostgreSQL runs the page query and the count in parallel on two pooled connections; PGlite has a single connection and runs them one after the other.';
    out.push(text, '');
  }

  {
    const read = (res) => res.load.read;
    const health = (res) => res.load.health;
    const little = (res) => (run.settings.connections / read(res).reqPerSecMean) * 1000;
    let text =
      `**Throughput.** \`/api/health\` is Fastify and the app's hooks (cookie parsing, the auth hook building the per-request data scope, security headers) with no database work: ` +
      `${kinds.map((k) => `${fmtInt(health(r[k]).reqPerSecMean)} req/s on ${DB_LABEL[k]}`).join(', ')}, on the one core the server's event loop gets. ` +
      'A patient read adds seven SQL statements: the session lookup, the patient SELECT and, because every read of a patient record is audited, a write transaction ' +
      '(BEGIN, the clinic\'s audit-chain advisory lock, reading the chain\'s last entry, INSERT of the newly hashed entry, COMMIT). ' +
      `On PGlite all of it runs on the server's one thread: a read takes ${ms(pl.components[READ_STEP])} even alone, most of it inside PGlite, and ` +
      `${fmtInt(read(pl).reqPerSecMean)} req/s is one read every ${ms(1000 / read(pl).reqPerSecMean)}, so the ${run.settings.connections} connections gain nothing and only queue ` +
      `(${run.settings.connections} ÷ ${fmtInt(read(pl).reqPerSecMean)} req/s = ${ms(little(pl))} expected wait; p50 measured ${acMs(read(pl).latencyP50)}). ` +
      `The contention table agrees: PGlite appends at the same rate whether the writers share one chain or not (${ratio(pl.contention.manyChains, pl.contention.oneChain)}), because they are serialised anyway.`;
    if (pg) {
      text +=
        ` On PostgreSQL the SQL runs in other processes, and the limit is the per-clinic audit lock: it is held until COMMIT returns, which with ` +
        `\`synchronous_commit = ${run.postgres.synchronousCommit}\` includes flushing the WAL, so one clinic's audited requests are appended strictly one at a time ` +
        `(${fmtInt(pg.contention.oneChain)} appends/s on one chain, against ${fmtInt(pg.contention.manyChains)}/s when the same writers use ${pg.contention.writers} chains). ` +
        `${fmtInt(read(pg).reqPerSecMean)} reads/s is that ceiling plus the reads' other work; ${run.settings.connections} ÷ ${fmtInt(read(pg).reqPerSecMean)} req/s = ` +
        `${ms(little(pg))} expected wait, p50 measured ${acMs(read(pg).latencyP50)}. Both ceilings are far above what one clinic's staff generate, but they are per clinic, ` +
        'and adding connections, pool slots or cores does not raise them.';
    }
    out.push(text);
  }
  return out.join('\n');
}

function methodSection(run) {
  return [
    '## Method and caveats',
    '',
    '- `npm run bench` = `npm run build && node scripts/bench.mjs`; the bench measures `packages/*/dist`. `BENCH_JSON=/path/file.json` also writes every raw figure as JSON.',
    '- Measurements 2 and 3 use `startContour()` in the bench process (API only, no web bundle), on a fresh database: a temporary `CONTOUR_DATA_DIR` for PGlite, ' +
      'a new `contour_bench_…` database for PostgreSQL, both removed at the end (also on failure or Ctrl-C, as are all child processes).',
    `- Data: one clinic, its owner and ${fmtInt(run.settings.patients)} patients inserted straight into \`patient\` with \`services.db\`; names combined from lists of given and family names, ` +
      'dates of birth from 1946 to 2006, phone numbers from Ofcom\'s ranges reserved for drama, emails at example.com/.org/.net, weighted acquisition channels, 3 % archived. No real patient data.',
    '- Everything is on 127.0.0.1. The machine is shared (see the load average above): start-up times and p99 latencies are the figures most affected by other work; medians and req/s less so.',
  ].join('\n');
}

export function renderReport(run) {
  const { machine, postgres } = run;
  const databases = ['PGlite (embedded PostgreSQL in WASM, in the server process)'];
  if (postgres.ok) databases.push(`PostgreSQL ${postgres.version} on 127.0.0.1:5432 (pool of 10 connections, \`synchronous_commit = ${postgres.synchronousCommit}\`)`);
  else databases.push(`PostgreSQL: **not measured**, 127.0.0.1:5432 was not reachable (${postgres.error})`);
  const problems = findProblems(run);
  const load = (l) => l.map((v) => fmt(v, 2)).join(' / ');
  return [
    '# Contour benchmarks',
    '',
    'Written by `npm run bench` (`scripts/bench.mjs`) from one run; compare figures from the same machine only.',
    '',
    table(
      ['Run', ''],
      [
        ['Date', `${run.date.toISOString().replace('T', ' ').slice(0, 16)} UTC`],
        ['Machine', `${machine.cpu} × ${machine.cores} (\`os.cpus()\`), ${fmt(machine.memoryGiB, 1)} GiB RAM, ${machine.os}`],
        ['Load average', `${load(machine.loadAverage)} at the start, ${load(machine.loadAverageEnd)} at the end, 1-minute peak ${fmt(machine.loadMax, 2)} (1 / 5 / 15 min)`],
        ['Node.js', machine.node],
        ['Databases', databases.join('; ')],
        ['Data', `${fmtInt(run.settings.patients)} synthetic patients, inserted in batches of 1,000, then \`ANALYZE\``],
        ['Bench run time', `${fmt(run.seconds, 0)} s (after the build)`],
        [
          'Checks',
          problems.length
            ? `**FAILED**: ${problems.join('; ')}`
            : 'passed: no non-2xx responses or errors under load, HTTP and SQL found the same totals for every search, an audit entry for every read, audit chains intact',
        ],
      ],
      ['left', 'left'],
    ),
    '',
    startupSection(run),
    '',
    searchSection(run),
    '',
    loadSection(run),
    '',
    analysisSection(run),
    '',
    methodSection(run),
    '',
  ].join('\n');
}

export function renderSummary(run) {
  const lines = ['Summary'];
  for (const kind of kindsOf(run)) {
    const r = run.results[kind];
    lines.push(`  ${DB_LABEL[kind]}`);
    lines.push(`    start to ready   cold ${s(r.startup.cold.median)}, warm ${s(r.startup.warm.median)} (median of ${r.startup.cold.runs.length})`);
    if (r.search) {
      const o = r.search.overall;
      lines.push(
        `    search           HTTP p50 ${ms(o.http.p50)}, p99 ${ms(o.http.p99)}; raw SQL p50 ${ms(o.raw.p50)}, p99 ${ms(o.raw.p99)}; HTTP/raw p50 ${ratio(o.http.p50, o.raw.p50)}, p99 ${ratio(o.http.p99, o.raw.p99)}`,
      );
    }
    if (r.load) {
      const { read, health } = r.load;
      const line = (label, x) =>
        `    ${label} ${fmtInt(x.reqPerSecMean)} req/s mean, ${fmtInt(x.reqPerSecMedian)} median; p50 ${acMs(x.latencyP50)}, p99 ${acMs(x.latencyP99)}; non-2xx ${x.non2xx}, errors ${x.errors + x.timeouts}`;
      lines.push(line('patient read    ', read));
      lines.push(line('health          ', health));
      lines.push(`    read ÷ health    ${oneIn(read.reqPerSecMean, health.reqPerSecMean)} of the req/s`);
    }
    if (r.contention) lines.push(`    audit appends/s  ${fmtInt(r.contention.oneChain)} on one chain, ${fmtInt(r.contention.manyChains)} over ${r.contention.writers} chains`);
  }
  if (!run.postgres.ok) lines.push(`  PostgreSQL not measured: ${run.postgres.error}`);
  return lines.join('\n');
}
