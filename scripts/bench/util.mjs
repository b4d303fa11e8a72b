// Small helpers for the benchmark: statistics, a keep-alive HTTP client, free ports, and a registry of
// everything the bench starts (child processes, servers, databases, directories) so it can all be
// stopped again, in reverse order, whatever happens.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

export const HOST = '127.0.0.1';

// ---------------------------------------------------------------------------------------------
// Statistics

/** Nearest-rank percentile of an unsorted sample (p in 0..100). */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export const median = (values) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export const mean = (values) => values.reduce((sum, v) => sum + v, 0) / values.length;

/** A deterministic PRNG (mulberry32), so every run seeds the same synthetic clinic. */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
    shuffle(list) {
      const copy = [...list];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [copy[i], copy[j]] = [copy[j], copy[i]];
      }
      return copy;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Formatting

export const fmt = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
export const fmtInt = (value) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-GB') : 'n/a');
export const ratio = (a, b, digits = 1) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(digits)}×` : 'n/a');

// ---------------------------------------------------------------------------------------------
// HTTP: one keep-alive connection, sequential requests (latency measurements).

export class HttpClient {
  constructor(baseUrl, { cookie = null } = {}) {
    this.base = new URL(baseUrl);
    this.cookie = cookie;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  request(method, path, body) {
    const payload = body === undefined ? null : Buffer.from(JSON.stringify(body));
    const headers = { accept: 'application/json' };
    if (this.cookie) headers.cookie = this.cookie;
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: this.base.hostname, port: this.base.port, path, method, headers, agent: this.agent, timeout: 30_000 },
        (res) => {
          const chunks = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(payload ?? undefined);
    });
  }

  async json(method, path, body) {
    const res = await this.request(method, path, body);
    let data;
    try {
      data = res.text ? JSON.parse(res.text) : null;
    } catch {
      data = res.text;
    }
    return { ...res, data };
  }

  close() {
    this.agent.destroy();
  }
}

/** One GET on a fresh connection; resolves to the status, or null if nothing answers yet. */
export function probe(url, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
      res.on('error', () => resolve(null));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}

/** A port that was free a moment ago, on loopback. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Everything the bench starts, so that everything is stopped again.

export class Resources {
  constructor() {
    this.stack = [];
    this.running = new Set();
    this.children = new Set();
    this.closing = false;
    // Last resort if the process exits without running cleanup: no child outlives the bench.
    process.on('exit', () => {
      for (const child of this.children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
  }

  /**
   * Registers a cleanup; returns a function that runs it early (once) and unregisters it. Once the bench
   * is shutting down, whatever is registered is released at once and the caller is stopped.
   */
  defer(label, fn) {
    const entry = { label, fn, promise: null };
    this.stack.push(entry);
    if (this.closing) {
      void this.release(entry).catch(() => {});
      throw new Error(`the bench is stopping (${label} released)`);
    }
    return () => this.release(entry);
  }

  release(entry) {
    if (!entry.promise) {
      const index = this.stack.indexOf(entry);
      if (index >= 0) this.stack.splice(index, 1);
      entry.promise = Promise.resolve().then(entry.fn);
      this.running.add(entry.promise);
      void entry.promise.finally(() => this.running.delete(entry.promise)).catch(() => {});
    }
    return entry.promise;
  }

  /** Spawns a tracked child process. */
  spawn(command, args, options) {
    const child = spawn(command, args, { ...options, detached: false });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    const stop = this.defer(`child ${child.pid}`, () => stopChild(child));
    return { child, stop };
  }

  /**
   * Runs every pending cleanup, newest first, and waits for those already running; failures are
   * reported, never thrown. With `closing`, anything registered afterwards is released immediately.
   */
  async releaseAll({ closing = true } = {}) {
    if (closing) this.closing = true;
    const failures = [];
    const settle = async (label, promise) => {
      try {
        await withTimeout(promise, 20_000, `cleanup of ${label}`);
      } catch (error) {
        failures.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    while (this.stack.length) {
      const entry = this.stack.at(-1);
      await settle(entry.label, this.release(entry));
    }
    for (const promise of [...this.running]) await settle('a cleanup already under way', promise);
    return failures;
  }
}

export async function withTimeout(promise, ms, what) {
  let timer;
  try {
    return await Promise.race([
      promise,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** SIGTERM (Contour closes its database cleanly on it), then SIGKILL if it does not exit in time. */
export async function stopChild(child, graceMs = 10_000) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}
