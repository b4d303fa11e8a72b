// Outcome simulation figures: render time of a full-face plan and of a single item on 1350×1350 portraits,
// against Human's landmark call alone on the same photo in the same run (alternating, one thread, after
// warm-up). The simulation includes everything `simulate` does: decode, the eight landmark detections (photo and
// mirror image at four sub-crop offsets) and the edge searches, dose → effect, the deformations, the retouching, the label band, JPEG encoding with metadata
// and the read-back of the label.
//
// Run alone (after `npm run build`): node scripts/bench/simulate.mjs [--write]
// prints the section; --write also puts it into docs/benchmarks.md in place of the previous one.
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { FULL_FACE_PLAN, FaceLandmarker, RecentFaces, decodePhoto, simulate } from '@contour/vision';
import { fmt, median, percentile, ratio } from './util.mjs';

const LONDON = fileURLToPath(new URL('../../../shared/datasets/london/neutral/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../fixtures/faces/', import.meta.url));
const REPORT = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));
const HEADING = '## 5. Outcome simulation';
/** The full-face plan is the simulation tests' (FULL_FACE_PLAN, packages/vision/src/simulate/closed-loop.ts). */
const SINGLE = [{ zoneId: 'upper_lip', treatmentClass: 'ha_filler', amount: 1, unit: 'mL' }];

async function photoFiles(count) {
  if (existsSync(LONDON)) {
    const names = (await readdir(LONDON)).filter((f) => f.endsWith('.jpg')).sort().slice(0, count);
    return { source: `London set, first ${names.length} neutral portraits (1350×1350)`, files: names.map((n) => LONDON + n) };
  }
  const names = (await readdir(FIXTURES)).filter((f) => f.endsWith('neutral.jpg'));
  return { source: `committed fixtures (1000×1000), ${names.length} repeated`, files: Array.from({ length: count }, (_, i) => FIXTURES + names[i % names.length]) };
}

export async function measureSimulation({ log, photos = 14, warmup = 2 }) {
  const { source, files } = await photoFiles(photos);
  const landmarker = await FaceLandmarker.load();
  const full = [], single = [], again = [], raw = [], stages = {};
  // As in the server's face-model worker: the same photo rendered again (another item, variant or intensity) reuses its landmarks.
  const recentFaces = new RecentFaces(1);
  for (const [i, file] of files.entries()) {
    const bytes = await readFile(file);
    const image = await decodePhoto(bytes);
    const t0 = performance.now();
    const result = await simulate(bytes, { items: FULL_FACE_PLAN }, { finder: landmarker, recentFaces });
    const t1 = performance.now();
    await simulate(bytes, { items: SINGLE }, { finder: landmarker });
    const t2 = performance.now();
    await simulate(bytes, { items: SINGLE }, { finder: landmarker, recentFaces });
    const t3 = performance.now();
    await landmarker.detect(image);
    const t4 = performance.now();
    if (i < warmup) continue;
    full.push(t1 - t0);
    single.push(t2 - t1);
    again.push(t3 - t2);
    raw.push(t4 - t3);
    for (const [stage, ms] of Object.entries(result.timings)) (stages[stage] ??= []).push(ms);
  }
  const r = {
    source,
    measuredAt: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    machine: `${os.cpus()[0]?.model.trim() ?? 'unknown CPU'} × ${os.cpus().length}, Node ${process.version}, load average ${os.loadavg()[0].toFixed(2)} at the end`,
    photos: full.length,
    warmup,
    full: { p50: percentile(full, 50), p95: percentile(full, 95) },
    single: { p50: percentile(single, 50), p95: percentile(single, 95) },
    again: { p50: percentile(again, 50), p95: percentile(again, 95) },
    raw: { p50: percentile(raw, 50), p95: percentile(raw, 95) },
    stages: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, median(v)])),
  };
  log(`  simulation p50: full-face plan ${fmt(r.full.p50, 0)} ms, single item ${fmt(r.single.p50, 0)} ms (photo seen before: ${fmt(r.again.p50, 0)} ms), landmarks alone ${fmt(r.raw.p50, 0)} ms`);
  return r;
}

export function renderSimulation(r) {
  if (!r) return '';
  const stageRows = Object.entries(r.stages)
    .map(([stage, ms]) => `| ${stage} | ${fmt(ms, 0)} ms |`)
    .join('\n');
  return `
${HEADING}

Measured ${r.measuredAt} on ${r.machine}.

Photos: ${r.source}; ${r.photos} measured after ${r.warmup} warm-up. One thread, in-process (the server runs the same call in a face-model worker). Full-face plan: 12 items over 19 zone sides (toxin for glabella, forehead and crow's feet; filler for lips, cheeks, chin, jaw, tear troughs, nasolabial and marionette folds; a skin booster on the cheeks). Single item: 1 mL upper lip filler. Each simulation is the whole call: decode, steady landmarks (the photo and its mirror image at four sub-crop offsets) with the lips (meeting line, both vermilion borders) and the outline (sides and chin) found in the pixels, dose → effect, deformation, retouching, label band, JPEG encoding with metadata and the label's read-back. Baseline: the landmark call alone on the decoded photo, alternating with the simulations.

| Figure | p50 | p95 |
| --- | ---: | ---: |
| full-face plan, per photo | **${fmt(r.full.p50, 0)} ms** | ${fmt(r.full.p95, 0)} ms |
| single item, per photo | **${fmt(r.single.p50, 0)} ms** | ${fmt(r.single.p95, 0)} ms |
| single item, the photo rendered before (landmarks reused, as in the server's worker) | ${fmt(r.again.p50, 0)} ms | ${fmt(r.again.p95, 0)} ms |
| landmark call alone (baseline) | ${fmt(r.raw.p50, 0)} ms | ${fmt(r.raw.p95, 0)} ms |
| full-face plan ÷ landmarks | **${ratio(r.full.p50, r.raw.p50)}** | ${ratio(r.full.p95, r.raw.p95)} |
| single item ÷ landmarks | ${ratio(r.single.p50, r.raw.p50)} | ${ratio(r.single.p95, r.raw.p95)} |
| single item, photo rendered before ÷ landmarks | ${ratio(r.again.p50, r.raw.p50)} | ${ratio(r.again.p95, r.raw.p95)} |

Where the full-face plan's time goes (median per stage):

| Stage | median |
| --- | ---: |
${stageRows}

"landmarks" is the eight detections and the edge searches; "estimate" measures the graded zones' 0–4 estimates once (skin indicators); "retouch" prepares every edit and solves its strength on its own prediction.
`;
}

// Alone: measure and print (and with --write, replace the section in docs/benchmarks.md).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const log = (line) => process.stdout.write(`${line}\n`);
  log(`Outcome simulation bench: ${os.cpus()[0]?.model.trim() ?? 'unknown'} × ${os.cpus().length}, Node ${process.version}, load ${os.loadavg()[0].toFixed(2)}`);
  const section = renderSimulation(await measureSimulation({ log }));
  log(section);
  if (process.argv.includes('--write')) {
    const report = existsSync(REPORT) ? await readFile(REPORT, 'utf8') : '';
    const at = report.indexOf(`\n${HEADING}`);
    const next = at >= 0 ? report.indexOf('\n## ', at + 1) : -1;
    const updated = at >= 0 ? report.slice(0, at) + section + (next >= 0 ? report.slice(next) : '') : report + section;
    await writeFile(REPORT, updated);
    log(`Written to docs/benchmarks.md (${HEADING}).`);
  }
}
