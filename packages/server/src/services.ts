import { LoginThrottle } from './auth/login-throttle.js';
import { SessionStore } from './auth/sessions.js';
import type { Config } from './config.js';
import { AuditCheckpoints } from './data/audit-checkpoints.js';
import { AuditLog } from './data/audit-log.js';
import { CheckpointSchedule } from './jobs/audit-checkpoints.js';
import { PatientVault } from './data/patient-vault.js';
import { PhotoAnalysisJobs } from './data/photo-analysis.js';
import type { Db } from './db/database.js';
import type { FaceFinderProvider } from './jobs/face-finder.js';
import { PgBossQueue } from './jobs/pg-boss-queue.js';
import { DeferredLog, InProcessQueue, type JobLog, type JobQueue } from './jobs/queue.js';
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
  /** Background jobs: in this process on PGlite, pg-boss on PostgreSQL. */
  jobs: JobQueue;
  /** The face model's worker pool (shared by every analysis). */
  faces: FaceFinderProvider;
  photoAnalysis: PhotoAnalysisJobs;
  /** Where background errors are logged once the app's logger exists. */
  jobLog: DeferredLog;
  /** Records every audit chain's head outside the database now and then (`AuditLog.checkpoint`). */
  auditCheckpoints: CheckpointSchedule;
}

export function createServices(
  config: Config,
  db: Db,
  dbKind: Services['dbKind'],
  blobs: BlobStore,
  masterKey: Buffer,
  faces: FaceFinderProvider,
  checkpointBlobs: BlobStore = blobs,
): Services {
  const auditLog = new AuditLog(db, new AuditCheckpoints(checkpointBlobs, masterKey));
  const vault = new PatientVault(db, blobs, masterKey);
  const sessions = new SessionStore(db, config.sessionIdleMinutes * 60_000, config.sessionMaxHours * 3_600_000);
  const jobLog = new DeferredLog();
  let jobs: JobQueue;
  if (dbKind === 'postgres') {
    if (!config.databaseUrl) throw new Error('The PostgreSQL job queue needs the database URL (DATABASE_URL).');
    jobs = new PgBossQueue(config.databaseUrl, config.visionWorkers, jobLog);
  } else {
    jobs = new InProcessQueue(config.visionWorkers, jobLog);
  }
  const photoAnalysis = new PhotoAnalysisJobs(db, auditLog, vault, jobs, faces, jobLog);
  return {
    config,
    db,
    dbKind,
    auditLog,
    vault,
    sessions,
    loginThrottle: new LoginThrottle(),
    auth: { db, auditLog, vault, photoAnalysis, sessions, secureCookies: 'auto', sessionMaxSeconds: config.sessionMaxHours * 3600 },
    jobs,
    faces,
    photoAnalysis,
    jobLog,
    auditCheckpoints: new CheckpointSchedule(auditLog, jobLog),
  };
}

/** Starts the background work: the job queue, the photo-analysis worker, and whatever a previous run left queued. */
export async function startServices(services: Services, log: JobLog): Promise<void> {
  services.jobLog.target = log;
  await services.jobs.start();
  await services.photoAnalysis.start();
  await services.auditCheckpoints.start();
}

/** Stops taking jobs, lets running ones finish (bounded), then stops the face model; a last audit checkpoint. */
export async function stopServices(services: Services): Promise<void> {
  await services.jobs.close();
  services.photoAnalysis.stop();
  await services.faces.close();
  await services.auditCheckpoints.stop();
}
