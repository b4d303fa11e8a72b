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
import type { PooledSimulation, WorkerReply, WorkerRequest, WorkerResult, WorkerSimulateOptions } from './landmark-worker.js';
import { SimulationRefused, type SimulationPlan } from './simulate/simulate.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Task = DistributiveOmit<WorkerRequest, 'id'>;

interface Job {
  task: Task;
  resolve(result: WorkerResult): void;
  reject(error: Error): void;
}

/** A private copy of the task's pixels or bytes, to transfer: the caller's buffer stays usable and nothing is copied twice. */
function transferable(task: Task): { task: Task; transfer: ArrayBuffer[] } {
  if (task.kind === 'simulate') {
    const bytes = task.bytes.slice();
    return { task: { ...task, bytes }, transfer: [bytes.buffer as ArrayBuffer] };
  }
  const data = task.image.data.slice();
  return { task: { ...task, image: { data, width: task.image.width, height: task.image.height } }, transfer: [data.buffer as ArrayBuffer] };
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
    return this.submit({ kind: 'detect', image }) as Promise<DetectedFace[]>;
  }

  /** The whole analysis of one photo (landmarks, measurements, checks) inside a worker. */
  analyze(image: RgbImage, viewId: string, protocol: PhotoProtocol = DEFAULT_PROTOCOL): Promise<PhotoAnalysis> {
    return this.submit({ kind: 'analyze', image, viewId, protocol }) as Promise<PhotoAnalysis>;
  }

  /**
   * The whole analysis and, for a frontal photo, its facial findings (scale, measurements, zone findings with
   * the default severity table) inside a worker: the extra mirror-image detection and the zones' pixel work
   * stay off the caller's event loop too.
   */
  analyzeFace(image: RgbImage, viewId: string, protocol: PhotoProtocol = DEFAULT_PROTOCOL): Promise<FaceAnalysisResult> {
    return this.submit({ kind: 'analyzeFace', image, viewId, protocol }) as Promise<FaceAnalysisResult>;
  }

  /**
   * An outcome simulation (decode, landmarks on the photo and its mirror image, rendering, label) inside a worker.
   * Rejects with `SimulationRefused` when the photo cannot carry one (no single face, unknown scale).
   */
  simulate(bytes: Uint8Array, plan: SimulationPlan, options: WorkerSimulateOptions = {}): Promise<PooledSimulation> {
    return this.submit({ kind: 'simulate', bytes, plan, options }) as Promise<PooledSimulation>;
  }

  private submit(task: Task): Promise<WorkerResult> {
    if (this.closed) return Promise.reject(new Error('the landmark pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const job = this.queue.shift();
      if (!job) return;
      slot.busy = job;
      const { task, transfer } = transferable(job.task);
      const request = { id: this.nextId++, ...task } as WorkerRequest;
      slot.worker.postMessage(request, transfer);
    }
  }

  private settle(slot: Slot, message: WorkerReply): void {
    const job = slot.busy;
    slot.busy = null;
    if (job && message.type === 'result') job.resolve(message.result);
    else if (job && message.type === 'error') job.reject(message.refused ? new SimulationRefused(message.error) : new Error(message.error));
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
