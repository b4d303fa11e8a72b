import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../test/database.js';
import { PgBossQueue } from './pg-boss-queue.js';
import { InProcessQueue, type JobPayload } from './queue.js';

const silent = { error: () => undefined };
const until = async (condition: () => boolean, ms = 15_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('InProcessQueue', () => {
  it('runs handlers after the caller returns, at most `concurrency` at a time, in order', async () => {
    const queue = new InProcessQueue(2, silent);
    const started: string[] = [];
    let running = 0;
    let most = 0;
    await queue.work('job', async ({ n }) => {
      started.push(n as string);
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running -= 1;
    });
    for (let i = 0; i < 6; i++) await queue.enqueue('job', { n: String(i) });
    expect(started).toEqual([]); // nothing ran inside enqueue
    await queue.idle();
    expect(started).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(most).toBe(2);
    await queue.close();
  });

  it('sends a waiting job once per key, keeps jobs until a handler exists, and survives a failing handler', async () => {
    const errors: string[] = [];
    const queue = new InProcessQueue(1, { error: (details) => errors.push(String(details.error)) });
    const seen: JobPayload[] = [];
    await queue.enqueue('job', { n: 'a' }, { key: 'k' });
    await queue.enqueue('job', { n: 'a again' }, { key: 'k' });
    await queue.enqueue('job', { n: 'boom' });
    await queue.enqueue('job', { n: 'b' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await queue.work('job', async (payload) => {
      if (payload.n === 'boom') throw new Error('handler failed');
      seen.push(payload);
    });
    await queue.idle();
    expect(seen.map((p) => p.n)).toEqual(['a', 'b']);
    expect(errors).toEqual(['handler failed']);
    await queue.close();
    await expect(queue.enqueue('job', { n: 'late' })).rejects.toThrow(/closed/);
  });

  it('close waits for running jobs and drops waiting ones', async () => {
    const queue = new InProcessQueue(1, silent);
    const done: string[] = [];
    await queue.work('job', async ({ n }) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      done.push(n as string);
    });
    await queue.enqueue('job', { n: '1' });
    await queue.enqueue('job', { n: '2' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    await queue.close();
    expect(done).toEqual(['1']);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('PgBossQueue (PostgreSQL)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => database?.close());

  it('delivers jobs to a worker, once per waiting key, and the jobs outlive the queue object', async () => {
    const producer = new PgBossQueue(database.url as string, 1, silent);
    await producer.start();
    await producer.enqueue('contour-test', { n: '1' }, { key: 'same' });
    await producer.enqueue('contour-test', { n: '1 again' }, { key: 'same' });
    await producer.enqueue('contour-test', { n: '2' });
    await producer.close();
    // Another process (here: another queue object) picks the stored jobs up.
    const consumer = new PgBossQueue(database.url as string, 1, silent);
    await consumer.start();
    const seen: string[] = [];
    await consumer.work('contour-test', async ({ n }) => {
      seen.push(n as string);
    });
    await until(() => seen.length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen.sort()).toEqual(['1', '2']);
    await consumer.close();
  });
});
