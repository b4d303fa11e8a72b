import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';

/** Everything Contour reads from the environment, in one place, with the embedded defaults. */
export interface Config {
  dataDir: string;
  port: number;
  host: string;
  /** postgres://… when set; otherwise PGlite in `<dataDir>/db`. */
  databaseUrl: string | null;
  /** s3://bucket/prefix?endpoint=…; otherwise encrypted files under `<dataDir>/files`. */
  storageUrl: string | null;
  /**
   * file:/path or s3://…: where each audit chain's checkpoint is kept; otherwise in the patient files' store. Apart
   * from the database and the files (another disk, another bucket, one with object lock), someone who can rewrite
   * the data directory cannot also move a checkpoint back.
   */
  auditCheckpointUrl: string | null;
  /** Base64 of 32 bytes; otherwise created at first run in `<dataDir>/master.key`. */
  masterKey: string | null;
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  trustProxy: boolean;
  /** Sign-in attempts per minute from one address before 429. */
  loginAttemptsPerMinute: number;
  logLevel: string;
  /** Where the built web app lives; null when the server runs API-only (tests). */
  webRoot: string | null;
  /** Worker threads running the face model, and photo analyses at a time; default: all cores but one. */
  visionWorkers: number;
}

function positiveNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${value}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const dataDir = resolve(env.CONTOUR_DATA_DIR || 'data');
  return {
    dataDir,
    port: positiveNumber('PORT', env.PORT, 8080),
    // Loopback by default: a tablet on the clinic network needs HTTPS for its camera anyway,
    // so LAN access goes through a TLS reverse proxy (see README).
    host: env.HOST || '127.0.0.1',
    databaseUrl: env.DATABASE_URL || null,
    storageUrl: env.STORAGE_URL || null,
    auditCheckpointUrl: env.AUDIT_CHECKPOINT_URL || null,
    masterKey: env.CONTOUR_MASTER_KEY || null,
    sessionIdleMinutes: positiveNumber('CONTOUR_SESSION_IDLE_MINUTES', env.CONTOUR_SESSION_IDLE_MINUTES, 30),
    sessionMaxHours: positiveNumber('CONTOUR_SESSION_MAX_HOURS', env.CONTOUR_SESSION_MAX_HOURS, 12),
    trustProxy: env.CONTOUR_TRUST_PROXY === 'true',
    loginAttemptsPerMinute: positiveNumber('CONTOUR_LOGIN_ATTEMPTS_PER_MINUTE', env.CONTOUR_LOGIN_ATTEMPTS_PER_MINUTE, 10),
    logLevel: env.LOG_LEVEL || 'warn',
    webRoot: null,
    visionWorkers: Math.floor(positiveNumber('CONTOUR_VISION_WORKERS', env.CONTOUR_VISION_WORKERS, Math.max(1, availableParallelism() - 1))),
    ...overrides,
  };
}
