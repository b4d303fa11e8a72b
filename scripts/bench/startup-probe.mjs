// Run as a child process by the bench: where a start's time goes, phase by phase, the way
// `contour serve` starts (import the server, open the database, migrate, start the face model's
// worker pool). Prints one JSON line.
const bootMs = performance.now();
const { loadConfig, migrateToLatest, openDatabase, pgliteDirFor } = await import('@contour/server');
const imported = performance.now();
const config = loadConfig(process.env);
const handle = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: pgliteDirFor(config.dataDir) });
// PostgreSQL connects lazily: the first query pays for the connection.
await handle.db.selectNoFrom((eb) => eb.val(1).as('one')).execute();
const opened = performance.now();
await migrateToLatest(handle.db);
const migrated = performance.now();
await handle.close();
// The server starts its face-model workers (packages/vision) eagerly, when it has them.
const vision = await import('@contour/vision').catch(() => null);
let facesMs = null;
if (vision?.LandmarkPool) {
  const started = performance.now();
  const pool = await vision.LandmarkPool.start(config.visionWorkers);
  facesMs = performance.now() - started;
  await pool.close();
}
process.stdout.write(
  `${JSON.stringify({ bootMs, importMs: imported - bootMs, openMs: opened - imported, migrateMs: migrated - opened, facesMs })}\n`,
);
