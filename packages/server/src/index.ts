export { buildApp } from './app.js';
export { loadConfig, type Config } from './config.js';
export { migrateToLatest, openDatabase, pgliteDirFor, type Db } from './db/database.js';
export { AuditLog, type ChainReport } from './data/audit-log.js';
export { AuditCheckpoints } from './data/audit-checkpoints.js';
export { checkpointStore, createBlobStore } from './storage/blob-store.js';
export { loadOrCreateMasterKey } from './storage/envelope.js';
export { createClinic, type NewClinic } from './data/clinics.js';
export { openContour, startContour, DEFAULT_WEB_ROOT, type Contour, type RunningContour } from './server.js';
