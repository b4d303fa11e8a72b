/**
 * The face model, shared by every analysis job: a pool of worker threads (packages/vision LandmarkPool).
 * A server starts it eagerly, so start-up fails loudly if the wasm backend is missing; tests start it
 * lazily, on the first photo they analyse.
 */
import { availableParallelism } from 'node:os';
import { LandmarkPool } from '@contour/vision';

export interface FaceFinderProvider {
  get(): Promise<LandmarkPool>;
  close(): Promise<void>;
}

export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** Starts the pool now; rejects if any worker cannot load the model on the wasm backend. */
export async function startFaceFinder(size = defaultWorkerCount()): Promise<FaceFinderProvider> {
  const pool = await LandmarkPool.start(size);
  return { get: async () => pool, close: () => pool.close() };
}

/** Starts the pool on first use (tests that never analyse a photo never pay for it). */
export function lazyFaceFinder(size = 1): FaceFinderProvider {
  let starting: Promise<LandmarkPool> | null = null;
  let closed = false;
  return {
    get() {
      if (closed) return Promise.reject(new Error('the face model is closed'));
      starting ??= LandmarkPool.start(size).catch((error: unknown) => {
        starting = null;
        throw error;
      });
      return starting;
    },
    async close() {
      closed = true;
      const pool = await starting?.catch(() => null);
      await pool?.close();
    },
  };
}
