/**
 * The audit checkpoints' schedule: every chain's head recorded outside the database (`AuditLog.checkpoint`) at
 * start, every few minutes and at stop, so that deleting the newest entries shows at the next verification.
 */
import type { AuditLog } from '../data/audit-log.js';
import type { JobLog } from './queue.js';

/** How often each audit chain's head is recorded outside the database, besides at start and stop. */
export const AUDIT_CHECKPOINT_MS = 10 * 60_000;

/**
 * Every audit chain's head recorded outside the database, at start, every `AUDIT_CHECKPOINT_MS` and at stop. A chain
 * that no longer holds its last checkpoint is logged (by its clinic's id) and keeps it, so `verify` reports the break.
 */
export class CheckpointSchedule {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly auditLog: AuditLog,
    private readonly log: JobLog,
  ) {}

  /** One round; never throws (a failed round is logged and the next one tries again). */
  run(): Promise<void> {
    this.running = this.running.then(async () => {
      try {
        const broken = await this.auditLog.checkpointAll();
        for (const chain of broken) this.log.error({ chain }, 'the audit chain does not hold its last checkpoint (its newest entries deleted, or the checkpoint altered): run "contour audit verify"');
      } catch (error) {
        this.log.error({ error: (error as Error).message }, 'could not record the audit checkpoints; trying again later');
      }
    });
    return this.running;
  }

  start(): Promise<void> {
    this.timer ??= setInterval(() => void this.run(), AUDIT_CHECKPOINT_MS).unref();
    return this.run();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.run();
  }
}
