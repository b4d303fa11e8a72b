// Measurement 1: `contour serve` as a child process, from spawn to the first 200 from /api/health.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBenchDatabase } from './postgres.mjs';
import { HOST, freePort, median, probe, sleep } from './util.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI_MAIN = join(ROOT, 'packages/cli/dist/main.js');
const PROBE = fileURLToPath(new URL('./startup-probe.mjs', import.meta.url));
const READY_TIMEOUT_MS = 90_000;

/** The parent's environment without anything that would point Contour somewhere else. */
function childEnv(extra) {
  const dropped = (key) => key.startsWith('CONTOUR_') || ['DATABASE_URL', 'STORAGE_URL', 'PORT', 'HOST', 'LOG_LEVEL', 'NODE_OPTIONS'].includes(key);
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !dropped(key)));
  return { ...env, HOST, LOG_LEVEL: 'warn', ...extra };
}

/** Seconds from spawn until /api/health answers 200; the server is stopped (SIGTERM) before returning. */
async function timeServe(resources, extraEnv) {
  const port = await freePort();
  const output = [];
  const started = performance.now();
  const { child, stop } = resources.spawn(process.execPath, [CLI_MAIN, 'serve'], {
    cwd: ROOT,
    env: childEnv({ ...extraEnv, PORT: String(port) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk) => output.push(chunk));
  child.stderr.on('data', (chunk) => output.push(chunk));
  let exited = null;
  child.once('exit', (code, signal) => {
    exited = { code, signal };
  });
  try {
    for (;;) {
      if (exited) throw new Error(`contour serve exited (${exited.code ?? exited.signal}) before it was ready:\n${Buffer.concat(output)}`);
      if ((await probe(`http://${HOST}:${port}/api/health`)) === 200) break;
      if (performance.now() - started > READY_TIMEOUT_MS) throw new Error(`contour serve was not ready after ${READY_TIMEOUT_MS / 1000} s`);
      await sleep(10);
    }
    return (performance.now() - started) / 1000;
  } finally {
    await stop();
    if (exited && exited.code !== 0) {
      process.stderr.write(`  note: contour serve ended with ${exited.code ?? exited.signal} after SIGTERM\n${Buffer.concat(output)}`);
    }
  }
}

/** One run of the phase probe (import / open / migrate), in a fresh process like a real start. */
async function phaseProbe(resources, extraEnv) {
  const output = [];
  const { child, stop } = resources.spawn(process.execPath, [PROBE], { cwd: ROOT, env: childEnv(extraEnv), stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (chunk) => output.push(chunk));
  child.stderr.on('data', (chunk) => output.push(chunk));
  const code = await new Promise((resolve) => child.once('exit', (c) => resolve(c)));
  await stop();
  const text = Buffer.concat(output).toString();
  if (code !== 0) throw new Error(`startup probe failed (${code}):\n${text}`);
  return JSON.parse(text.trim().split('\n').pop());
}

/**
 * `repeats` × (cold start on a fresh data dir / database, then a warm start on the same one), each
 * followed by a cold and a warm phase probe on another fresh target, so that background load on a
 * shared machine falls on both alike. Returns seconds (medians and every run) and median phases in ms.
 */
export async function measureStartup(resources, kind, repeats, log) {
  const fresh = async (label) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'contour-bench-start-'));
    const removeDir = resources.defer(`directory ${dataDir}`, () => rm(dataDir, { recursive: true, force: true }));
    const env = { CONTOUR_DATA_DIR: dataDir };
    let dropDb = async () => {};
    if (kind === 'postgres') {
      const database = await createBenchDatabase(resources, label);
      env.DATABASE_URL = database.url;
      dropDb = database.drop;
    }
    return { env, release: async () => (await dropDb(), await removeDir()) };
  };
  const twice = async (label, measure) => {
    const target = await fresh(label);
    try {
      return [await measure(target.env), await measure(target.env)];
    } finally {
      await target.release();
    }
  };

  const cold = [];
  const warm = [];
  const probes = { cold: [], warm: [] };
  for (let i = 0; i < repeats; i++) {
    const [c, w] = await twice(`start${i + 1}`, (env) => timeServe(resources, env));
    cold.push(c);
    warm.push(w);
    const [pc, pw] = await twice(`phases${i + 1}`, (env) => phaseProbe(resources, env));
    probes.cold.push(pc);
    probes.warm.push(pw);
    log(`  run ${i + 1}: cold ${c.toFixed(2)} s, warm ${w.toFixed(2)} s`);
  }
  const medianPhases = (list) =>
    Object.fromEntries(Object.keys(list[0]).map((key) => [key, list.every((p) => typeof p[key] === 'number') ? median(list.map((p) => p[key])) : null]));
  return {
    cold: { median: median(cold), runs: cold },
    warm: { median: median(warm), runs: warm },
    phases: { cold: medianPhases(probes.cold), warm: medianPhases(probes.warm) },
  };
}
