// Photography figures: per-photo analysis latency against the raw landmark call, photos per second on
// one and two worker threads, and the server's read latency while a batch of 50 uploads is analysed.
import http from 'node:http';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { severityEstimator } from '@contour/domain';
import { FaceLandmarker, LandmarkPool, addFacialGeometry, analyzeImage, decodePhoto, interPupilDistance, zoneFindings } from '@contour/vision';
import { seedClinic, signIn } from './clinic.mjs';
import { fmt, median, percentile, ratio } from './util.mjs';

const LONDON = fileURLToPath(new URL('../../../shared/datasets/london/neutral/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../fixtures/faces/', import.meta.url));
const SIGNATURE = fileURLToPath(new URL('../../fixtures/signature.png', import.meta.url));

async function photoFiles(count) {
  if (existsSync(LONDON)) {
    const names = (await readdir(LONDON)).filter((f) => f.endsWith('.jpg')).sort().slice(0, count);
    return { source: `London set, first ${names.length} neutral portraits (1350×1350)`, files: names.map((n) => LONDON + n) };
  }
  const names = (await readdir(FIXTURES)).filter((f) => f.endsWith('.jpg'));
  const files = Array.from({ length: count }, (_, i) => FIXTURES + names[i % names.length]);
  return { source: `committed fixtures (1000×1000), ${names.length} repeated`, files };
}

/** A request with the session cookie and CSRF header, over a fresh loopback connection. */
function send(base, session, method, path, body, contentType = 'application/json') {
  const payload = body === undefined ? null : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        headers: {
          cookie: session.cookie,
          ...(method !== 'GET' ? { 'x-csrf-token': session.csrfToken } : {}),
          ...(payload ? { 'content-type': contentType, 'content-length': String(payload.length) } : {}),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode, data: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text });
        });
      },
    );
    req.on('error', reject);
    req.end(payload ?? undefined);
  });
}

async function timedReads(base, session, path, until) {
  const times = [];
  while (!(await until())) {
    const started = performance.now();
    const res = await send(base, session, 'GET', path);
    if (res.status !== 200) throw new Error(`read during analysis answered ${res.status}`);
    times.push(performance.now() - started);
  }
  return times;
}

export async function measurePhotos({ contour, log }) {
  const { source, files } = await photoFiles(40);
  const results = { source, photos: files.length };

  // 1. One thread, sequential: decode + landmarks + measurements + checks, against the landmark call alone.
  const landmarker = await FaceLandmarker.load();
  const full = [];
  const raw = [];
  const decode = [];
  for (const [i, file] of files.entries()) {
    const bytes = await readFile(file);
    const t0 = performance.now();
    const image = await decodePhoto(bytes);
    const t1 = performance.now();
    await analyzeImage(image, 'frontal', landmarker);
    const t2 = performance.now();
    await landmarker.detect(image);
    const t3 = performance.now();
    if (i < 3) continue; // warm-up
    decode.push(t1 - t0);
    full.push(t2 - t0);
    raw.push(t3 - t2);
  }
  results.latency = {
    fullP50: percentile(full, 50),
    fullP95: percentile(full, 95),
    rawP50: percentile(raw, 50),
    rawP95: percentile(raw, 95),
    decodeP50: percentile(decode, 50),
  };
  log(`  analysis p50 ${fmt(results.latency.fullP50)} ms vs landmarks alone ${fmt(results.latency.rawP50)} ms`);

  // 1b. Facial analysis of a frontal photo: quality analysis + geometry on Contour's own landmarks + zone findings,
  // against the landmark call alone; memory as the growth of heap + buffers over one job.
  const facial = [];
  const facialRaw = [];
  const memory = [];
  for (const [i, file] of files.slice(0, 23).entries()) {
    const image = await decodePhoto(await readFile(file));
    const before = process.memoryUsage();
    const t0 = performance.now();
    const analysis = await analyzeImage(image, 'frontal', landmarker);
    const { geometry } = await addFacialGeometry(analysis, image, landmarker);
    zoneFindings(image, geometry.zones, interPupilDistance(analysis.face.landmarks), 'frontal', 'rest', severityEstimator());
    const t1 = performance.now();
    const after = process.memoryUsage();
    await landmarker.detect(image);
    const t2 = performance.now();
    if (i < 3) continue;
    facial.push(t1 - t0);
    facialRaw.push(t2 - t1);
    memory.push((after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 1024 / 1024);
  }
  results.facial = {
    p50: percentile(facial, 50),
    p95: percentile(facial, 95),
    rawP50: percentile(facialRaw, 50),
    rawP95: percentile(facialRaw, 95),
    memoryP50: percentile(memory, 50),
    memoryP95: percentile(memory, 95),
    imageMiB: (1350 * 1350 * 3) / 1024 / 1024,
  };
  log(`  facial analysis p50 ${fmt(results.facial.p50)} ms vs landmarks alone ${fmt(results.facial.rawP50)} ms`);

  // 2. Throughput on worker threads: every photo submitted at once.
  results.throughput = {};
  for (const workers of [1, 2]) {
    const pool = await LandmarkPool.start(workers);
    try {
      const images = await Promise.all(files.map(async (f) => decodePhoto(await readFile(f))));
      await Promise.all(images.slice(0, workers * 2).map((img) => pool.analyze(img, 'frontal')));
      const started = performance.now();
      await Promise.all(images.map((img) => pool.analyze(img, 'frontal')));
      results.throughput[workers] = images.length / ((performance.now() - started) / 1000);
    } finally {
      await pool.close();
    }
    log(`  ${workers} worker(s): ${fmt(results.throughput[workers])} photos/s`);
  }

  // 3. The server while it analyses 50 uploads: signed-in reads, idle and busy.
  const seed = await seedClinic(contour, 10);
  const login = await signIn(contour.url);
  const session = { cookie: login.cookie, csrfToken: (await send(contour.url, { cookie: login.cookie }, 'GET', '/api/auth/session')).data.csrfToken };
  const patientId = seed.rows[0].id;
  const patient = seed.rows[0];
  const templates = (await send(contour.url, session, 'GET', '/api/consent-templates')).data.items;
  const signature = `data:image/png;base64,${(await readFile(SIGNATURE)).toString('base64')}`;
  for (const type of ['clinical_photography', 'ai_analysis']) {
    const template = templates.find((t) => t.type === type && t.current);
    const signed = await send(contour.url, session, 'POST', `/api/patients/${patientId}/consents`, {
      templateId: template.id,
      signedName: `${patient.given_name} ${patient.family_name}`,
      signature,
    });
    if (signed.status !== 201) throw new Error(`consent for the bench patient failed: ${signed.status} ${JSON.stringify(signed.data)}`);
  }
  const readPath = `/api/patients/${patientId}`;
  let idleCount = 0;
  const idle = await timedReads(contour.url, session, readPath, async () => ++idleCount > 200);

  const views = ['frontal', 'right_oblique', 'left_oblique', 'right_profile', 'left_profile', 'frown', 'brow_raise', 'smile'];
  const photoIds = [];
  const uploadStarted = performance.now();
  for (let i = 0; photoIds.length < 50; i++) {
    const created = await send(contour.url, session, 'POST', `/api/patients/${patientId}/photo-sessions`, {});
    for (const view of views) {
      if (photoIds.length >= 50) break;
      const bytes = await readFile(files[photoIds.length % files.length]);
      const res = await send(contour.url, session, 'POST', `/api/photo-sessions/${created.data.id}/photos?view=${view}`, bytes, 'image/jpeg');
      if (res.status !== 202) throw new Error(`upload answered ${res.status}: ${JSON.stringify(res.data)}`);
      photoIds.push(res.data.id);
    }
  }
  const uploadSeconds = (performance.now() - uploadStarted) / 1000;
  const done = async () => {
    const rows = await contour.services.db.selectFrom('photo').select('status').where('id', 'in', photoIds).execute();
    return rows.every((r) => r.status === 'analysed' || r.status === 'failed');
  };
  const busyStarted = performance.now();
  const busy = await timedReads(contour.url, session, readPath, done);
  const analysisSeconds = (performance.now() - busyStarted) / 1000;
  const statuses = await contour.services.db.selectFrom('photo').select('status').where('id', 'in', photoIds).execute();
  results.server = {
    uploads: photoIds.length,
    uploadSeconds,
    analysisSeconds,
    analysed: statuses.filter((r) => r.status === 'analysed').length,
    idleP50: median(idle),
    idleP99: percentile(idle, 99),
    busyP50: median(busy),
    busyP99: percentile(busy, 99),
    busyReads: busy.length,
  };
  log(`  server reads while analysing 50 photos: p50 ${fmt(results.server.busyP50)} ms (idle ${fmt(results.server.idleP50)} ms)`);
  return results;
}

export function renderPhotos(r) {
  if (!r) return '';
  const l = r.latency;
  const s = r.server;
  return `
## 4. Photo analysis (PGlite)

Photos: ${r.source}. Analysis = decode (sharp) + face landmarks (Human on tfjs wasm) + measurements + the protocol's 15 checks; the baseline is Human's landmark call alone on the already-decoded image, alternating with the full analysis on the same photo, one thread, after 3 warm-up photos.

| Figure | p50 | p95 |
| --- | ---: | ---: |
| full analysis per photo | **${fmt(l.fullP50)} ms** | ${fmt(l.fullP95)} ms |
| landmark call alone (baseline) | ${fmt(l.rawP50)} ms | ${fmt(l.rawP95)} ms |
| full ÷ landmarks | **${ratio(l.fullP50, l.rawP50, 2)}** | ${ratio(l.fullP95, l.rawP95, 2)} |
| decode alone | ${fmt(l.decodeP50)} ms | |

Facial analysis of a frontal photo (issue 4): the quality analysis above, plus seven more detections (the photo and its mirror image at four sub-crop offsets, averaged: steady landmarks), the lips (meeting line, both vermilion borders) and the face outline (sides and chin) found in the pixels, the scale, measurements, symmetry and zone map, and the skin indicators and severity estimates of every zone; one thread, 20 photos after 3 warm-up.

| Figure | p50 | p95 |
| --- | ---: | ---: |
| full facial analysis per photo | **${fmt(r.facial.p50)} ms** | ${fmt(r.facial.p95)} ms |
| landmark call alone (baseline) | ${fmt(r.facial.rawP50)} ms | ${fmt(r.facial.rawP95)} ms |
| facial analysis ÷ landmarks | **${ratio(r.facial.p50, r.facial.rawP50)}** | ${ratio(r.facial.p95, r.facial.rawP95)} |
| memory per job (growth of JS heap + buffers over one job, before garbage collection) | ${fmt(r.facial.memoryP50)} MiB | ${fmt(r.facial.memoryP95)} MiB |

For scale, one decoded 1350×1350 RGB photo is ${fmt(r.facial.imageMiB)} MiB. The skin indicators dominate the added time (each zone is resampled, masked and filtered at three scales in JavaScript).

Throughput, all photos submitted at once to the worker pool (decoding on the main thread; landmarks, measurements and checks in the workers): **${fmt(r.throughput[1])} photos/s** on one worker, **${fmt(r.throughput[2])} photos/s** on two workers (both cores busy; ${ratio(r.throughput[2], r.throughput[1], 2)}).

The server while it analyses a batch: ${s.uploads} photos uploaded (${fmt(s.uploadSeconds)} s, each answered 202 at once; analysis runs on the job queue and the worker pool), then signed-in \`GET /api/patients/:id\` one after another until every photo was analysed (${s.analysed}/${s.uploads} analysed in ${fmt(s.analysisSeconds)} s, ${s.busyReads} reads).

| Read latency | p50 | p99 |
| --- | ---: | ---: |
| idle (200 reads before the uploads) | ${fmt(s.idleP50)} ms | ${fmt(s.idleP99)} ms |
| while 50 photos are analysed | **${fmt(s.busyP50)} ms** | **${fmt(s.busyP99)} ms** |
| busy ÷ idle | ${ratio(s.busyP50, s.idleP50)} | ${ratio(s.busyP99, s.idleP99)} |

What dominates: the face models (detector, mesh, iris, expression) are about half of each analysis; the pixel measurements (face outline, eye whites, sharpness resampling, backdrop) most of the rest, and decoding a 1350 px JPEG about 10 ms. Everything but the decode runs in the worker threads, so the server's event loop keeps answering; on two cores the workers and the server share the CPU, which is what the busy p99 shows. The server runs one worker (cores − 1) by default (\`CONTOUR_VISION_WORKERS\`).
`;
}
