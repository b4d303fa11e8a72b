/**
 * Background jobs, off the request path. One interface, two implementations: an in-memory queue in this
 * process (PGlite: one Contour process per data directory, so nothing else could take the work) and pg-boss
 * on PostgreSQL (durable, shared by every Contour process on the database). Payloads carry ids only.
 */
export type JobPayload = Record<string, string>;
export type JobHandler = (payload: JobPayload) => Promise<void>;

export interface EnqueueOptions {
  /** Jobs with the same key that are still waiting are sent once. */
  key?: string;
}

export interface JobQueue {
  readonly kind: 'in-process' | 'pg-boss';
  start(): Promise<void>;
  enqueue(name: string, payload: JobPayload, options?: EnqueueOptions): Promise<void>;
  /** Runs `handler` for every job of `name`, up to the queue's concurrency at a time. */
  work(name: string, handler: JobHandler): Promise<void>;
  /** Stops taking jobs and waits (bounded) for running ones; waiting in-process jobs are dropped, not lost (see callers). */
  close(): Promise<void>;
}

/** Where job errors go: the app's logger once it exists. Messages only, never payloads beyond ids. */
export interface JobLog {
  error(details: Record<string, unknown>, message: string): void;
}

export class DeferredLog implements JobLog {
  target: JobLog | null = null;
  error(details: Record<string, unknown>, message: string): void {
    this.target?.error(details, message);
  }
}

const CLOSE_TIMEOUT_MS = 30_000;

interface Pending {
  name: string;
  payload: JobPayload;
  key: string | null;
}

/** A small in-memory queue: handlers run asynchronously, `concurrency` at a time, in arrival order. */
export class InProcessQueue implements JobQueue {
  readonly kind = 'in-process' as const;
  private readonly handlers = new Map<string, JobHandler>();
  private readonly pending: Pending[] = [];
  private readonly waitingKeys = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private closed = false;
  private scheduled = false;

  constructor(
    private readonly concurrency: number,
    private readonly log: JobLog,
  ) {}

  async start(): Promise<void> {}

  async enqueue(name: string, payload: JobPayload, options: EnqueueOptions = {}): Promise<void> {
    if (this.closed) throw new Error('the job queue is closed');
    const key = options.key ? `${name}\u0000${options.key}` : null;
    if (key && this.waitingKeys.has(key)) return;
    if (key) this.waitingKeys.add(key);
    this.pending.push({ name, payload, key });
    this.schedule();
  }

  async work(name: string, handler: JobHandler): Promise<void> {
    this.handlers.set(name, handler);
    this.schedule();
  }

  /** Resolves once nothing is waiting or running (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0 || (this.pending.some((job) => this.handlers.has(job.name)) && !this.closed)) {
      await Promise.race([...this.running, new Promise((resolve) => setTimeout(resolve, 10))]);
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Never run a handler inside the caller's call stack: the request that enqueued answers first.
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    while (!this.closed && this.running.size < this.concurrency) {
      const index = this.pending.findIndex((job) => this.handlers.has(job.name));
      if (index < 0) return;
      const [job] = this.pending.splice(index, 1) as [Pending];
      if (job.key) this.waitingKeys.delete(job.key);
      const handler = this.handlers.get(job.name) as JobHandler;
      const run = (async () => {
        try {
          await handler(job.payload);
        } catch (error) {
          this.log.error({ job: job.name, error: (error as Error).message }, 'background job failed');
        }
      })();
      this.running.add(run);
      void run.finally(() => {
        this.running.delete(run);
        this.schedule();
      });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.pending.length = 0;
    this.waitingKeys.clear();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.running]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
      }),
    ]);
    clearTimeout(timer);
  }
}
