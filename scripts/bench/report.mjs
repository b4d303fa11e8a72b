// docs/benchmarks.md and the stdout summary, from one bench run.
import { fmt, fmtInt, ratio } from './util.mjs';

export const DB_LABEL = { pglite: 'PGlite', postgres: 'PostgreSQL' };

const AUDIT_STEP = 'audit append (lock + last entry + hash + INSERT, in a transaction)';
const SESSION_STEP = 'session lookup (sessions.resolve)';
const READ_STEP = 'GET /api/patients/:id (HTTP, whole request)';

const table = (header, rows, align = header.map((_, i) => (i === 0 ? 'left' : 'right'))) =>
  [
    `| ${header.join(' | ')} |`,
    `|${align.map((a) => (a === 'left' ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

const ms = (value) => (value >= 1000 ? `${fmt(value / 1000, 2)} s` : `${fmt(value, value < 10 ? 2 : 1)} ms`);
/** autocannon records latency in whole milliseconds: 0 means under 1 ms. */
const acMs = (value) => (value === 0 ? '< 1 ms' : `${fmtInt(value)} ms`);
/** a ÷ b for autocannon latencies, where b may be "< 1 ms". */
const acRatio = (a, b) => (b === 0 ? (a > 0 ? `> ${fmtInt(a)}×` : 'n/a') : ratio(a, b, 0));
const s = (value) => `${fmt(value, 2)} s`;
const oneIn = (part, whole) => (part > 0 && whole > 0 ? `1/${fmtInt(whole / part)}` : 'n/a');
const kindsOf = (run) => Object.keys(run.results);

/** Correctness checks a run must pass; an empty list means the figures can be trusted. */
export function findProblems(run) {
  const problems = Object.entries(run.failed ?? {}).map(([kind, message]) => `${DB_LABEL[kind]} failed: ${message}`);
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

const phaseSum = (p) => p.bootMs + p.importMs + p.openMs + p.migrateMs + (p.facesMs ?? 0);

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
    ...(typeof run.results[kinds[0]].startup.phases.cold.facesMs === 'number'
      ? [['start the face model\'s worker pool (`@contour/vision` LandmarkPool, WASM)', ...phase((p) => p.facesMs)]]
      : []),
    [
      'the rest of `contour serve`: spawn, master key, job queue, building the Fastify app, listen, health poll (median start − the phases above)',
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
    `Where the time goes: after each run above, \`scripts/bench/startup-probe.mjs\` repeats the main steps of \`contour serve\` in a fresh process on a fresh target and times each (medians of ${run.settings.startRepeats}):`,
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
    'By kind of query (p50 of each kind; "hits" is the mean number of patients found; "plan" is how the planner reads the table for the example query (the same on both)):',
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
  const pct = (v) => `${fmt(v * 100, 0)} %`;
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
      pct(r.eventLoopBusy),
    ];
    return [
      line('`GET /api/patients/:id` (signed in)', read),
      line('`GET /api/health` (public, no DB)', health),
      [
        DB_LABEL[kind],
        '*read ÷ health*',
        `*${oneIn(read.reqPerSecMean, health.reqPerSecMean)}*`,
        `*${oneIn(read.reqPerSecMedian, health.reqPerSecMedian)}*`,
        `*${acRatio(read.latencyP50, health.latencyP50)}*`,
        `*${acRatio(read.latencyP99, health.latencyP99)}*`,
        '',
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
      `(the few more are requests still in flight when autocannon stopped counting); the clinic's chain (${fmtInt(r.auditChain.checked)} entries) then verified ` +
      `${r.auditChain.ok ? 'intact' : '**BROKEN**'} in ${s(r.auditChain.seconds)}.`
    );
  });
  const pgConnections = run.results.postgres?.load.read.connections;
  const c0 = run.results[kinds[0]].contention;
  return [
    `## 3. Sustained requests per second (${run.settings.connections} connections, ${run.settings.loadSeconds} s)`,
    '',
    `autocannon (programmatic API, in a worker thread so that the load generator does not share the server's event loop), ${run.settings.connections} connections, ` +
      `${run.settings.loadSeconds} s after a ${run.settings.loadWarmupSeconds} s warm-up, against the in-process server holding the seeded clinic. ` +
      'The read route sends the session cookie and asks for one fixed patient. req/s: the mean and the median of the per-second samples; latencies have 1 ms resolution; ' +
      '"event loop busy" is the server thread\'s event-loop utilisation during the run.',
    '',
    table(
      ['Database', 'Route', 'req/s (mean)', 'req/s (median)', 'p50', 'p99', 'non-2xx', 'errors', 'event loop busy'],
      rows,
      ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
    '',
    ...(pgConnections
      ? [
          `During the PostgreSQL read run, the server's request pool held ${fmt(pgConnections.connections, 1)} connections on average (${pgConnections.samples} samples of \`pg_stat_activity\`; ` +
            'the job queue\'s own connections are left out), and they were: ' +
            `**${fmt(pgConnections.lockWait, 1)} waiting for the audit-chain advisory lock**, ${fmt(pgConnections.running, 1)} running a statement, ` +
            `${fmt(pgConnections.ioWait, 1)} waiting on I/O (mostly the WAL flush of a COMMIT), ${fmt(pgConnections.idleInTransaction, 1)} idle in a transaction (waiting for Node to send the next statement) ` +
            `and ${fmt(pgConnections.idle, 1)} idle. The lock was held in ${pct(pgConnections.held)} of the samples (\`pg_locks\`); its holder was ` +
            `running a statement in ${pct(pgConnections.holderRunning)}, waiting on I/O in ${pct(pgConnections.holderIo)} and ` +
            `**waiting for Node to send its next statement in ${pct(pgConnections.holderWaitingForClient)}**.`,
          '',
        ]
      : []),
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
  const pct = (v) => `${fmt(v * 100, 0)} %`;

  {
    const p = pl.startup.phases;
    let text =
      `**Start-up.** A PGlite cold start (${s(pl.startup.cold.median)}) is mostly the embedded database: opening it on an empty directory ` +
      `took ${ms(p.cold.openMs)}, against ${ms(p.warm.openMs)} for an existing cluster` +
      ((p.cold.openMs - p.warm.openMs) / 1000 > 0.5 * (pl.startup.cold.median - pl.startup.warm.median)
        ? ', so creating the cluster accounts for most of the cold/warm gap; '
        : '; ') +
      `running every migration adds only ${ms(p.cold.migrateMs)}. A warm start (${s(pl.startup.warm.median)}) is the module import ` +
      `(${ms(p.warm.importMs)}), opening the existing cluster (${ms(p.warm.openMs)}, much of it loading the PGlite WASM build)` +
      (typeof p.warm.facesMs === 'number' ? `, starting the face model's workers (${ms(p.warm.facesMs)})` : '') +
      ' and the rest of the start listed above.';
    if (pg) {
      const q = pg.startup.phases;
      text +=
        ` On PostgreSQL there is no cluster to create: a cold start (${s(pg.startup.cold.median)}) is the same module import (${ms(q.cold.importMs)}), ` +
        `${ms(q.cold.migrateMs)} of migrations on the empty database` +
        (typeof q.cold.facesMs === 'number' ? `, the face model's workers (${ms(q.cold.facesMs)})` : '') +
        `, building the Fastify app and listening; a warm start (${s(pg.startup.warm.median)}) ` +
        'is slightly shorter because the migrations are only a version check.';
    }
    out.push(text, '');
  }

  {
    const names = Object.keys(pl.search.byKind);
    const dob = names.find((n) => n.startsWith('date'));
    const seq = names.filter((n) => pl.search.byKind[n].plan.startsWith('Seq Scan'));
    const fixed = (res) => res.search.overall.http.p50 - res.search.overall.raw.p50;
    const each = (get, fmtFn = ms) => kinds.map((k) => `${fmtFn(get(r[k]))} on ${DB_LABEL[k]}`).join(', ');
    const ratios = (get) => kinds.map((k) => fmt(get(r[k]), 1)).join(' / ');
    let text =
      `**Search.** ${seq.length} of the ${names.length} kinds of query are sequential scans: \`LIKE '%word%'\` cannot use the (organisation, name) or ` +
      `(organisation, date of birth) indexes, so the page query and the \`count(*)\` each read all ${fmtInt(run.settings.patients)} rows ` +
      `(raw p50 ${each((res) => res.search.overall.raw.p50)}), and that time grows linearly with the number of patients. `;
    if (dob) text += `Only a query that is just a date of birth uses the \`patient_org_dob\` index (raw p50 ${each((res) => res.search.byKind[dob].raw.p50)}). `;
    text +=
      `On top of the SQL, an HTTP search costs a roughly fixed ${each(fixed)} at the median: resolving the session ` +
      `(${each((res) => res.components[SESSION_STEP])}), appending a hash-chained audit entry that lists the ids of the patients shown ` +
      `(${each((res) => res.components[AUDIT_STEP])} for a one-id entry) and serialising up to 50 summaries over loopback HTTP. ` +
      `So the HTTP/raw ratio is modest for the scans (${ratios((res) => res.search.overall.http.p50 / res.search.overall.raw.p50)}× overall, ${kinds.map((k) => DB_LABEL[k]).join(' / ')})` +
      (dob ? ` and largest for the date-of-birth query, whose SQL is cheap (${ratios((res) => res.search.byKind[dob].http.p50 / res.search.byKind[dob].raw.p50)}×).` : '.') +
      ' The p99 (the 3rd-slowest of 300) is the figure most moved by GC pauses and by other work on the shared machine.';
    if (pg) text += ' PostgreSQL runs the page query and the count in parallel on two pooled connections; PGlite has one connection and runs them one after the other.';
    out.push(text, '');
  }

  {
    const read = (res) => res.load.read;
    const wait = (res) => (run.settings.connections / read(res).reqPerSecMean) * 1000;
    let text =
      `**Throughput.** \`/api/health\` is Fastify and the app's hooks (cookie parsing, the auth hook building the per-request data scope, security headers) without any database work; ` +
      `the server's thread was busy ${kinds.map((k) => pct(r[k].load.health.eventLoopBusy)).join(' / ')} of the run, so this is what one core does with Fastify alone. ` +
      (kinds.length > 1 ? 'It runs the same code on both databases: any difference between its two figures is how busy the shared machine was at the time. ' : '') +
      'A patient read adds seven SQL statements: the session lookup, the patient SELECT and, because every read of a patient record is audited, a write transaction ' +
      "(BEGIN, the clinic's audit-chain advisory lock, reading the chain's last entry, INSERT of the newly hashed entry, COMMIT). ";
    const plBusy = read(pl).eventLoopBusy;
    text +=
      `On PGlite all of it runs on the server's one thread, which was busy ${pct(plBusy)} of the read run: a read takes ${ms(pl.components[READ_STEP])} even alone, ` +
      `and ${fmtInt(read(pl).reqPerSecMean)} req/s is one read every ${ms(1000 / read(pl).reqPerSecMean)}, ` +
      (plBusy > 0.9 ? 'so the thread is saturated and the extra connections only queue ' : 'and the extra connections mostly queue ') +
      `(${run.settings.connections} ÷ ${fmtInt(read(pl).reqPerSecMean)} req/s = ${ms(wait(pl))} expected wait; p50 measured ${acMs(read(pl).latencyP50)}). ` +
      (Math.abs(Math.log(pl.contention.manyChains / pl.contention.oneChain)) < Math.log(1.33)
        ? `PGlite appends about as fast on one chain as on ${pl.contention.writers} (${fmtInt(pl.contention.oneChain)} vs ${fmtInt(pl.contention.manyChains)}/s): it serialises everything anyway.`
        : `PGlite appended ${fmtInt(pl.contention.oneChain)}/s on one chain and ${fmtInt(pl.contention.manyChains)}/s on ${pl.contention.writers}.`);
    if (pg) {
      const c = read(pg).connections;
      const lockBound = c && c.lockWait >= 5;
      const holder = c
        ? [
            [c.holderWaitingForClient, 'waiting for Node to send its next statement', ' (every statement of its transaction is a round trip through the Node process, which is serving the other requests on CPUs it shares with PostgreSQL and the load generator)'],
            [c.holderIo, 'flushing the WAL on COMMIT', ` (\`synchronous_commit = ${run.postgres.synchronousCommit}\`)`],
            [c.holderRunning, 'running SQL', ''],
          ]
            .sort((a, b) => b[0] - a[0])
            .map(([share, what, why]) => `${what} in ${pct(share)} of the samples${why}`)
        : [];
      text +=
        ` On PostgreSQL the server's thread was busy only ${pct(read(pg).eventLoopBusy)} of the read run. ` +
        (lockBound
          ? `It was waiting on the audit lock: on average ${fmt(c.lockWait, 1)} of the request pool's ${fmt(c.connections, 0)} connections were queued on the clinic's advisory lock, ` +
            `which was held in ${pct(c.held)} of the samples; its holder was ${holder[0]}, ${holder[1]} and ${holder[2]}. `
          : `The pool's connections were ${fmt(c?.lockWait ?? NaN, 1)} waiting on the audit lock on average. `) +
        `One clinic's audited requests are appended strictly one at a time: ${fmtInt(pg.contention.oneChain)} appends/s on one chain, against ${fmtInt(pg.contention.manyChains)}/s ` +
        `when the same ${pg.contention.writers} writers use ${pg.contention.writers} chains; ` +
        (read(pg).reqPerSecMean < pg.contention.oneChain
          ? `${fmtInt(read(pg).reqPerSecMean)} reads/s is below that ceiling because the lock holder's statements also wait for the busy Node process `
          : `${fmtInt(read(pg).reqPerSecMean)} reads/s is at that ceiling `) +
        `(${run.settings.connections} ÷ ${fmtInt(read(pg).reqPerSecMean)} req/s = ${ms(wait(pg))} expected wait; p50 measured ${acMs(read(pg).latencyP50)}). ` +
        'The same serialisation makes this the figure that varies most from run to run on a shared machine: whenever the lock holder\'s backend or the Node thread is not scheduled, every read waits. ' +
        (lockBound
          ? 'And because the waiting happens inside pooled transactions, the lock queue also holds the pool: statements that need no lock (the next request\'s session lookup, or any other clinic\'s requests on the same server) wait for a free connection too. '
          : '');
    }
    text +=
      (text.endsWith(' ') ? '' : ' ') +
      'These ceilings are far above what one clinic\'s staff generate, but they are per clinic and more connections, pool slots or cores do not raise them.';
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
  if (run.failed?.postgres) databases.push(`PostgreSQL ${postgres.version}: **the measurement failed** (${run.failed.postgres}); only PGlite figures below`);
  else if (postgres.ok) databases.push(`PostgreSQL ${postgres.version} on 127.0.0.1:5432 (pool of 10 connections, \`synchronous_commit = ${postgres.synchronousCommit}\`)`);
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
  if (run.failed?.postgres) lines.push(`  PostgreSQL failed: ${run.failed.postgres}`);
  return lines.join('\n');
}
