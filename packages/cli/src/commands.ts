/**
 * The `contour` commands. Each returns an exit code and writes only to the given output, so tests
 * can run them in-process.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AuditCheckpoints, AuditLog, checkpointStore, createBlobStore, loadConfig, loadOrCreateMasterKey, migrateToLatest, openDatabase, pgliteDirFor, startContour } from '@contour/server';

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export const consoleOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

async function withDatabase<T>(env: NodeJS.ProcessEnv, work: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<T>): Promise<T> {
  const config = loadConfig(env);
  const handle = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: pgliteDirFor(config.dataDir) });
  try {
    return await work(handle.db);
  } finally {
    await handle.close();
  }
}

export async function migrate(env: NodeJS.ProcessEnv, output: Output): Promise<number> {
  const result = await withDatabase(env, (db) => migrateToLatest(db));
  const applied = result.results?.filter((r) => r.status === 'Success').map((r) => r.migrationName) ?? [];
  output.out(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'The database is up to date.');
  return 0;
}

export async function auditVerify(env: NodeJS.ProcessEnv, output: Output, json: boolean): Promise<number> {
  const config = loadConfig(env);
  // The checkpoints are kept where the server keeps them (AUDIT_CHECKPOINT_URL, else with the patient files), signed
  // with the installation's master key. Verifying never makes a key: without one here (another CONTOUR_MASTER_KEY,
  // another data directory) the chains are re-hashed alone.
  const keyHere = config.masterKey !== null || existsSync(join(config.dataDir, 'master.key'));
  const checkpoints = keyHere ? new AuditCheckpoints(checkpointStore(config, createBlobStore(config.storageUrl, config.dataDir)), loadOrCreateMasterKey(config.dataDir, config.masterKey)) : null;
  const reports = await withDatabase(env, async (db) => {
    await migrateToLatest(db);
    const log = new AuditLog(db, checkpoints);
    return Promise.all((await log.chains()).map((chain) => log.verify(chain)));
  });
  const broken = reports.filter((r) => !r.ok);
  if (json) output.out(JSON.stringify({ ok: broken.length === 0, checkpointsChecked: keyHere, chains: reports }, null, 2));
  else {
    for (const report of reports) {
      output.out(
        report.ok
          ? `chain ${report.chain}: intact (${report.checked} entries${report.checkpoint ? `; reaches the checkpoint of ${report.checkpoint.recordedAt} at entry ${report.checkpoint.seq}` : '; no checkpoint yet'})`
          : `chain ${report.chain}: BROKEN at entry ${report.firstBreak?.seq}: ${report.firstBreak?.reason}`,
      );
    }
    if (reports.length === 0) output.out('The audit trail is empty.');
    if (!keyHere) output.out(`No master key here (CONTOUR_MASTER_KEY or ${join(config.dataDir, 'master.key')}): checked without the checkpoints kept outside the database.`);
    output.out(broken.length === 0 ? 'Audit trail verified: every chain is intact.' : `Audit trail verification FAILED in ${broken.length} chain(s).`);
  }
  return broken.length === 0 ? 0 : 1;
}

export async function serve(env: NodeJS.ProcessEnv, output: Output): Promise<number> {
  const contour = await startContour({}, env);
  const needsSetup = (await contour.services.db.selectFrom('organisation').select('id').limit(1).execute()).length === 0;
  output.out(`Contour is ready at ${contour.url}`);
  output.out(`  database: ${contour.services.dbKind === 'pglite' ? `PGlite in ${pgliteDirFor(contour.config.dataDir)}` : 'PostgreSQL (DATABASE_URL)'}`);
  output.out(`  files:    encrypted, ${contour.services.vault.storageKind === 'file' ? `in ${contour.config.dataDir}` : 'S3-compatible store (STORAGE_URL)'}`);
  if (needsSetup) output.out('  First run: open the address above to create your clinic and its owner account.');
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      output.out('Stopping Contour…');
      void contour.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}

export const USAGE = `Usage: contour <command>

Commands:
  serve                 start Contour (the default): web app and API on PORT (8080)
  migrate               bring the database schema up to date
  audit verify [--json] check every audit hash chain; exit 1 and name the first broken entry if not intact
  analyze IMAGE... [--view frontal] [--json]
                        run the photo protocol's checks (face landmarks, pose, quality) on image files, offline
  plan --intake intake.json [--analysis analysis.json] [--json]
                        suggest a treatment plan from a consultation intake and a facial analysis, offline,
                        with the reference catalogue (intake format: docs/intake-format.md)
  simulate IMAGE --plan plan.json --out out.jpg [--variant conservative|expected|upper] [--catalogue file] [--json]
                        render a plan's projected outcome on a frontal photo, offline, labelled "Simulated
                        projection, not a guaranteed outcome"; --json prints the intended change per measurement
  demo [--patients N] [--json] [--fixtures]
                        create "Contour Demo Clinic": fictional patients with photos, analyses and plans at every
                        stage, and its users (the password is printed once); does nothing if it exists

Environment: CONTOUR_DATA_DIR (./data), PORT, HOST, DATABASE_URL, STORAGE_URL, CONTOUR_MASTER_KEY, CONTOUR_VISION_WORKERS.`;
