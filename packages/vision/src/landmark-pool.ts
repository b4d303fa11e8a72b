/**
 * Face landmarks and whole photo analyses on worker threads, so a busy analysis queue never blocks the
 * server's event loop. Requests queue here and go to the first idle worker; each worker handles one image at a time.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { DEFAULT_PROTOCOL, type PhotoProtocol } from '@contour/domain';
import type { FaceFinder, PhotoAnalysis } from './analyze.js';
import type { DetectedFace, RgbImage } from './face-result.js';
import type { FaceAnalysisResult } from './facial-analysis.js';
import type { WorkerReply, WorkerRequest, WorkerResult } from './landmark-worker.js';

type Task = { kind: 'detect' } | { kind: 'analyze' | 'analyzeFace'; viewId: string; protocol: PhotoProtocol };

interface Job {
  image: RgbImage;
  task: Task;
  resolve(result: WorkerResult): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  busy: Job | null;
}

// Running from TypeScript sources (tests), the worker needs a TypeScript loader; built code runs as is.
const fromSource = import.meta.url.endsWith('.ts');
const workerUrl = new URL(fromSource ? './landmark-worker.source.mjs' : './landmark-worker.js', import.meta.url);

export class LandmarkPool implements FaceFinder {
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  private constructor(private readonly slots: Slot[]) {
    for (const slot of slots) {
      slot.worker.on('message', (message: WorkerReply) => this.settle(slot, message));
      slot.worker.on('error', (error) => this.fail(slot, error));
    }
  }

  /** Starts `size` workers and waits until every one has its model loaded on the wasm backend. */
  static async start(size = Math.max(1, availableParallelism() - 1)): Promise<LandmarkPool> {
    const workers = Array.from({ length: size }, () => new Worker(workerUrl));
    try {
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve, reject) => {
              worker.once('message', (message: WorkerReply) => {
                if (message.type === 'ready') resolve();
                else reject(new Error(message.type === 'failed' ? message.error : `unexpected ${message.type} from a starting worker`));
              });
              worker.once('error', reject);
            }),
        ),
      );
    } catch (error) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw new Error(`The face model workers could not start: ${(error as Error).message}`, { cause: error });
    }
    return new LandmarkPool(workers.map((worker) => ({ worker, busy: null })));
  }

  get size(): number {
    return this.slots.length;
  }

  detect(image: RgbImage): Promise<DetectedFace[]> {
    return this.submit(image, { kind: 'detect' }) as Promise<DetectedFace[]>;
  }

  /** The whole analysis of one photo (landmarks, measurements, checks) inside a worker. */
  analyze(image: RgbImage, viewId: string, protocol: PhotoProtocol = DEFAULT_PROTOCOL): Promise<PhotoAnalysis> {
    return this.submit(image, { kind: 'analyze', viewId, protocol }) as Promise<PhotoAnalysis>;
  }

  /**
   * The whole analysis and, for a frontal photo, its facial findings (scale, measurements, zone findings with
   * the default severity table) inside a worker: the extra mirror-image detection and the zones' pixel work
   * stay off the caller's event loop too.
   */
  analyzeFace(image: RgbImage, viewId: string, protocol: PhotoProtocol = DEFAULT_PROTOCOL): Promise<FaceAnalysisResult> {
    return this.submit(image, { kind: 'analyzeFace', viewId, protocol }) as Promise<FaceAnalysisResult>;
  }

  private submit(image: RgbImage, task: Task): Promise<WorkerResult> {
    if (this.closed) return Promise.reject(new Error('the landmark pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ image, task, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const job = this.queue.shift();
      if (!job) return;
      slot.busy = job;
      // Transfer a private copy of the pixels: the caller's buffer stays usable and nothing is copied twice.
      const data = job.image.data.slice();
      const request: WorkerRequest = { id: this.nextId++, ...job.task, image: { data, width: job.image.width, height: job.image.height } };
      slot.worker.postMessage(request, [data.buffer]);
    }
  }

  private settle(slot: Slot, message: WorkerReply): void {
    const job = slot.busy;
    slot.busy = null;
    if (job && message.type === 'result') job.resolve(message.result);
    else if (job && message.type === 'error') job.reject(new Error(message.error));
    this.dispatch();
  }

  private fail(slot: Slot, error: Error): void {
    slot.busy?.reject(error);
    slot.busy = null;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('the landmark pool closed'));
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }
}
