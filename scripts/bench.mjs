#!/usr/bin/env node
// `npm run bench`: start-up time, patient search latency and authenticated read throughput, on PGlite
// and on the local PostgreSQL (when reachable), written to docs/benchmarks.md and summarised here.
// Run after `npm run build`: it measures the compiled server. Everything it starts (child processes,
// servers, databases, temporary directories) is stopped and removed again, also on failure or Ctrl-C.
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { signIn, seedClinic, startBenchContour } from './bench/clinic.mjs';
import { CONNECTIONS, measureAuditContention, measureComponents, measureLoad } from './bench/load.mjs';
import { probePostgres } from './bench/postgres.mjs';
import { DB_LABEL, findProblems, renderReport, renderSummary } from './bench/report.mjs';
import { measurePhotos, renderPhotos } from './bench/photos.mjs';
import { measureSimulation, renderSimulation } from './bench/simulate.mjs';
import { measureSearch } from './bench/search.mjs';
import { measureStartup } from './bench/startup.mjs';
import { Resources, sleep } from './bench/util.mjs';

const SETTINGS = {
  patients: 10_000,
  startRepeats: 3,
  searchPerKind: 60, // × 5 kinds = 300 sequential searches
  searchWarmup: 25,
  loadSeconds: 10,
  loadWarmupSeconds: 2,
  connections: CONNECTIONS,
  componentSamples: 200,
  contentionSeconds: 3,
};
const REPORT = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));
const WATCHDOG_MS = 8 * 60_000;

const began = performance.now();
const resources = new Resources();
const log = (line) => process.stdout.write(`${line}\n`);
const stamp = () => `[${((performance.now() - began) / 1000).toFixed(0).padStart(3)} s]`;

let stopping = null;
let running = Promise.resolve();
function abort(reason, code) {
  stopping ??= stop(reason, code);
  return stopping;
}
async function stop(reason, code) {
  log(`\n${reason}: stopping everything the bench started…`);
  const failures = await resources.releaseAll();
  // The measurement under way now fails fast (its server, children and databases are gone); anything
  // it still manages to create is released as it registers, and a second pass catches the rest.
  await Promise.race([running.catch(() => {}), sleep(15_000)]);
  failures.push(...(await resources.releaseAll()));
  for (const failure of failures) log(`  cleanup failed: ${failure}`);
  process.exit(code);
}
process.on('SIGINT', () => void abort('Interrupted', 130));
process.on('SIGTERM', () => void abort('Terminated', 143));
setTimeout(() => void abort(`The bench ran longer than ${WATCHDOG_MS / 60_000} minutes`, 1), WATCHDOG_MS).unref();

async function benchDatabase(kind, results) {
  log(`${stamp()} ${DB_LABEL[kind]}: in-process server, seeding ${SETTINGS.patients.toLocaleString('en-GB')} synthetic patients`);
  const contour = await startBenchContour(resources, kind);
  let client;
  try {
    const { services } = contour;
    const seed = await seedClinic(contour, SETTINGS.patients);
    results.seed = { patients: SETTINGS.patients, insertSeconds: seed.insertSeconds };
    const session = await signIn(contour.url);
    client = session.client;

    log(`${stamp()} ${DB_LABEL[kind]}: ${SETTINGS.searchPerKind * 5} sequential searches, HTTP and raw SQL`);
    results.search = await measureSearch({
      client,
      db: services.db,
      organisationId: seed.organisationId,
      rows: seed.rows,
      perKind: SETTINGS.searchPerKind,
      warmup: SETTINGS.searchWarmup,
    });

    // A fixed, active patient for the read route.
    const patientId = seed.rows.find((r) => !r.archived_at).id;
    log(`${stamp()} ${DB_LABEL[kind]}: step costs of a patient read (${SETTINGS.componentSamples} sequential calls each)`);
    results.components = await measureComponents({
      client,
      services,
      token: session.token,
      organisationId: seed.organisationId,
      ownerId: seed.owner.id,
      patientId,
      n: SETTINGS.componentSamples,
    });

    log(`${stamp()} ${DB_LABEL[kind]}: ${SETTINGS.connections} connections × ${SETTINGS.loadSeconds} s, health then patient read`);
    results.load = await measureLoad({
      url: contour.url,
      cookie: session.cookie,
      db: services.db,
      databaseUrl: contour.config.databaseUrl,
      organisationId: seed.organisationId,
      patientId,
      duration: SETTINGS.loadSeconds,
      warmup: SETTINGS.loadWarmupSeconds,
      log,
    });

    const verifyStarted = performance.now();
    const chain = await services.auditLog.verify(seed.organisationId);
    results.auditChain = { ...chain, seconds: (performance.now() - verifyStarted) / 1000 };

    log(`${stamp()} ${DB_LABEL[kind]}: audit appends/s, 10 concurrent writers on one chain vs ten chains`);
    results.contention = await measureAuditContention({ auditLog: services.auditLog, seconds: SETTINGS.contentionSeconds });
  } finally {
    client?.close();
    await contour.close();
  }
}

async function main() {
  const cpus = os.cpus();
  const machine = {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: os.totalmem() / 1024 ** 3,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    node: process.version,
    loadAverage: os.loadavg(),
  };
  const loadSamples = [];
  const sampler = setInterval(() => loadSamples.push(os.loadavg()[0]), 5000).unref();
  log(`Contour bench: ${machine.cpu} × ${machine.cores}, ${machine.memoryGiB.toFixed(1)} GiB, Node ${machine.node}`);

  const postgres = await probePostgres();
  if (!postgres.ok) log(`PostgreSQL on 127.0.0.1:5432 is not reachable (${postgres.error}); measuring PGlite only.`);
  const kinds = ['pglite', ...(postgres.ok ? ['postgres'] : [])];
  const results = Object.fromEntries(kinds.map((kind) => [kind, {}]));
  // PGlite is the default database: if it fails, the bench fails. If PostgreSQL fails, the report
  // says so and keeps the PGlite figures.
  const failed = {};
  const attempt = async (kind, work) => {
    if (failed[kind]) return;
    try {
      await work(results[kind]);
    } catch (error) {
      if (kind === 'pglite' || stopping) throw error;
      failed[kind] = error instanceof Error ? error.message : String(error);
      log(`${DB_LABEL[kind]} FAILED, continuing without it: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  };

  // Start-ups first, while nothing else of the bench is running.
  for (const kind of kinds) {
    await attempt(kind, async (r) => {
      log(`${stamp()} ${DB_LABEL[kind]}: ${SETTINGS.startRepeats} × cold + warm start of \`contour serve\``);
      r.startup = await measureStartup(resources, kind, SETTINGS.startRepeats, log);
    });
  }
  for (const kind of kinds) await attempt(kind, (r) => benchDatabase(kind, r));

  log(`${stamp()} Photo analysis: latency, worker throughput, server reads while 50 photos are analysed`);
  const photoContour = await startBenchContour(resources, 'pglite');
  let photos;
  try {
    photos = await measurePhotos({ contour: photoContour, log });
  } finally {
    await photoContour.close();
  }

  log(`${stamp()} Outcome simulation: full-face plan and single item, against the landmark call`);
  const simulation = await measureSimulation({ log });

  const run = {
    date: new Date(),
    machine,
    postgres,
    failed,
    settings: SETTINGS,
    seconds: (performance.now() - began) / 1000,
    results: Object.fromEntries(Object.entries(results).filter(([kind]) => !failed[kind])),
    photos,
    simulation,
  };
  clearInterval(sampler);
  machine.loadAverageEnd = os.loadavg();
  machine.loadMax = Math.max(...loadSamples, machine.loadAverage[0], machine.loadAverageEnd[0]);
  await writeFile(REPORT, renderReport(run) + renderPhotos(run.photos) + renderSimulation(run.simulation));
  // The raw figures, for comparing runs: BENCH_JSON=/some/file.json npm run bench
  if (process.env.BENCH_JSON) await writeFile(process.env.BENCH_JSON, `${JSON.stringify(run, null, 2)}\n`);
  log(`\n${renderSummary(run)}`);
  log(`Report written to docs/benchmarks.md (${run.seconds.toFixed(0)} s).`);
  return run;
}

let exitCode = 0;
try {
  running = main();
  const run = await running;
  const problems = findProblems(run);
  if (problems.length) {
    exitCode = 1;
    log(`\nChecks that FAILED:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
} catch (error) {
  exitCode = 1;
  if (!stopping) log(`\nThe bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  // On a signal or the watchdog, abort() cleans up and exits; otherwise clean up here.
  if (stopping) await stopping;
  const failures = await resources.releaseAll();
  for (const failure of failures) log(`  cleanup failed: ${failure}`);
}
process.exit(exitCode);
