/**
 * The job queue on PostgreSQL, with pg-boss: jobs are rows in its own `pgboss` schema, so they survive
 * restarts and any Contour process on the database can take them (SKIP LOCKED). Each queue uses the
 * 'short' policy: one waiting job per key, so asking twice for the same work sends it once.
 */
import { randomUUID } from 'node:crypto';
import PgBoss from 'pg-boss';
import type { EnqueueOptions, JobHandler, JobLog, JobPayload, JobQueue } from './queue.js';

export class PgBossQueue implements JobQueue {
  readonly kind = 'pg-boss' as const;
  private readonly boss: PgBoss;
  private readonly queues = new Set<string>();
  private readonly workers = new Map<string, string[]>();

  constructor(
    connectionString: string,
    private readonly concurrency: number,
    log: JobLog,
  ) {
    this.boss = new PgBoss({
      connectionString,
      application_name: 'contour-jobs',
      max: Math.max(2, concurrency + 1),
      // No cron schedules are used; maintenance (expiry, archiving) stays on.
      schedule: false,
    });
    this.boss.on('error', (error: Error) => log.error({ error: error.message }, 'job queue error'));
  }

  async start(): Promise<void> {
    await this.boss.start();
  }

  private async queue(name: string): Promise<void> {
    if (this.queues.has(name)) return;
    // Idempotent: pg-boss ignores a queue that already exists.
    await this.boss.createQueue(name, { name, policy: 'short', retryLimit: 2, retryDelay: 30, expireInSeconds: 15 * 60 });
    this.queues.add(name);
  }

  async enqueue(name: string, payload: JobPayload, options: EnqueueOptions = {}): Promise<void> {
    await this.queue(name);
    // 'short' queues allow one waiting job per key, keyless ones included: give every job a key.
    await this.boss.send(name, payload, { singletonKey: options.key ?? randomUUID() });
    // Wake this process's workers now rather than at their next poll.
    for (const id of this.workers.get(name) ?? []) this.boss.notifyWorker(id);
  }

  async work(name: string, handler: JobHandler): Promise<void> {
    await this.queue(name);
    const ids: string[] = [];
    for (let i = 0; i < this.concurrency; i++) {
      ids.push(
        await this.boss.work<JobPayload>(name, { batchSize: 1, pollingIntervalSeconds: 2 }, async (jobs) => {
          for (const job of jobs) await handler(job.data);
        }),
      );
    }
    this.workers.set(name, ids);
  }

  async close(): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, timeout: 30_000 });
  }
}
