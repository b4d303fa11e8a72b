import { LoginThrottle } from './auth/login-throttle.js';
import { SessionStore } from './auth/sessions.js';
import type { Config } from './config.js';
import { AuditLog } from './data/audit-log.js';
import { PatientVault } from './data/patient-vault.js';
import type { Db } from './db/database.js';
import type { AuthDeps } from './plugins/auth.js';
import type { BlobStore } from './storage/blob-store.js';

/** The long-lived pieces one Contour process shares between requests. */
export interface Services {
  config: Config;
  db: Db;
  dbKind: 'pglite' | 'postgres';
  auditLog: AuditLog;
  vault: PatientVault;
  sessions: SessionStore;
  loginThrottle: LoginThrottle;
  auth: AuthDeps;
}

export function createServices(config: Config, db: Db, dbKind: Services['dbKind'], blobs: BlobStore, masterKey: Buffer): Services {
  const auditLog = new AuditLog(db);
  const vault = new PatientVault(db, blobs, masterKey);
  const sessions = new SessionStore(db, config.sessionIdleMinutes * 60_000, config.sessionMaxHours * 3_600_000);
  return {
    config,
    db,
    dbKind,
    auditLog,
    vault,
    sessions,
    loginThrottle: new LoginThrottle(),
    auth: { db, auditLog, vault, sessions, secureCookies: 'auto', sessionMaxSeconds: config.sessionMaxHours * 3600 },
  };
}
