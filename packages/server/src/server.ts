import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { loadConfig, type Config } from './config.js';
import { migrateToLatest, openDatabase, pgliteDirFor } from './db/database.js';
import { startFaceFinder, type FaceFinderProvider } from './jobs/face-finder.js';
import { createServices, startServices, stopServices, type Services } from './services.js';
import { checkpointStore, createBlobStore } from './storage/blob-store.js';
import { loadOrCreateMasterKey } from './storage/envelope.js';

/** Where `npm run build` puts the web app, relative to this package. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web/dist/', import.meta.url));

export interface Contour {
  app: FastifyInstance;
  services: Services;
  config: Config;
  close(): Promise<void>;
}

/**
 * Opens the database (migrating it), the encrypted file store, the face model and the app, without
 * listening. Start-up fails loudly if the face model cannot run on its WebAssembly backend.
 */
export async function openContour(overrides: Partial<Config> = {}, env: NodeJS.ProcessEnv = process.env): Promise<Contour> {
  const config = loadConfig(env, { webRoot: DEFAULT_WEB_ROOT, ...overrides });
  // Patient data lives here: readable by the service account only.
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const handle = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: pgliteDirFor(config.dataDir) });
  let faces: FaceFinderProvider | null = null;
  let services: Services | null = null;
  try {
    await migrateToLatest(handle.db);
    const masterKey = loadOrCreateMasterKey(config.dataDir, config.masterKey);
    faces = await startFaceFinder(config.visionWorkers);
    const files = createBlobStore(config.storageUrl, config.dataDir);
    services = createServices(config, handle.db, handle.kind, files, masterKey, faces, checkpointStore(config, files));
    const app = await buildApp(services);
    await startServices(services, app.log);
    const started = services;
    return {
      app,
      services: started,
      config,
      async close() {
        await app.close();
        await stopServices(started);
        await handle.close();
      },
    };
  } catch (error) {
    if (services) await stopServices(services).catch(() => undefined);
    else await faces?.close();
    await handle.close();
    throw error;
  }
}

export interface RunningContour extends Contour {
  url: string;
}

/** Starts Contour and listens; `port: 0` picks a free port (tests). */
export async function startContour(overrides: Partial<Config> = {}, env: NodeJS.ProcessEnv = process.env): Promise<RunningContour> {
  const contour = await openContour(overrides, env);
  try {
    await contour.app.listen({ port: contour.config.port, host: contour.config.host });
  } catch (error) {
    await contour.close();
    throw error;
  }
  const address = contour.app.server.address();
  const port = typeof address === 'object' && address ? address.port : contour.config.port;
  const host = contour.config.host === '0.0.0.0' || contour.config.host === '::' ? 'localhost' : contour.config.host;
  return { ...contour, url: `http://${host}:${port}` };
}
