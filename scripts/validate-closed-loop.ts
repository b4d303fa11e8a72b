/* eslint-disable @typescript-eslint/no-non-null-assertion, no-console -- a validation script: it reports on the console */
/**
 * The outcome simulation's closed loop on a larger part of the London set than the tests run: each portrait's
 * shape plan (filler for lips, cheeks, chin and jaw; packages/vision/src/simulate/closed-loop.ts) is simulated, the
 * exported JPEG analysed again like any photo (Contour's own landmarks, measured-face.ts), and each shape change
 * measured against what the dose model promised. Prints every reading, the count within ±25 % of the promise per
 * measurement, and the misses; under each portrait, the same changes followed in the pixels by the rulers
 * (simulate/rulers.ts), so a miss the rulers do not share is the analysis's reading, not the renderer's. The
 * figures in docs/validation.md ("Outcome simulation", "Face outline") come from it.
 *
 * Run: `npx tsx scripts/validate-closed-loop.ts [nine | rest | first | second | ID,ID,...] [--unchanged]` (needs
 * ../shared/datasets and a built @contour/domain: `npx tsc -b packages/cli`). `nine` is the tests' set (every 12th
 * portrait), `rest` the other 93; `first` and `second` split `rest` alternately (47 and 46), one to choose parameters
 * on and one to check them. About 4 s per portrait on two cores.
 *
 * Each reading is also counted by whether the edges it is read on (the lips', the face outline's) are clearly seen in
 * both photos (`clearIn`: where they are not, the analysis marks the figure an estimate).
 *
 * `--unchanged` measures the analysis's repeatability instead: an empty plan is exported, the photo re-encoded with
 * its label, and each measurement should read no change. A reading that
 * moves by more than a quarter of what the plan would have promised there shows where the analysis itself, not
 * the renderer, decides a closed-loop reading (docs/validation.md, "Outcome simulation").
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodePhoto } from '../packages/vision/src/image.ts';
import { LandmarkPool } from '../packages/vision/src/landmark-pool.ts';
import { measureFace } from '../packages/vision/src/measured-face.ts';
import { clearIn, CLOSED_LOOP_PORTRAITS as NINE, decodeSimulatedPhoto, edgesOf, rulerReadings, SHAPE_ONLY, SHAPE_PLAN, targetedMm } from '../packages/vision/src/simulate/closed-loop.ts';
import { simulate } from '../packages/vision/src/simulate/simulate.ts';

const dir = new URL('../../shared/datasets/london/neutral/', import.meta.url).pathname;
const all = (await readdir(dir)).filter((f) => f.endsWith('.jpg')).sort().map((f) => f.slice(0, 3));
const unchanged = process.argv.includes('--unchanged');
const which = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'nine';
const rest = all.filter((id) => !NINE.includes(id));
const sets: Record<string, string[]> = { nine: NINE, rest, first: rest.filter((_, k) => k % 2 === 0), second: rest.filter((_, k) => k % 2 === 1) };
const portraits = sets[which] ?? which.split(',');

const pool = await LandmarkPool.start(2);
const counts = new Map<string, { within: number; all: number; ratios: number[] }>();
const misses: string[] = [];
const rulerCount = { within: 0, all: 0 };
const clarity = Object.fromEntries((['lips', 'outline'] as const).map((k) => [k, { clear: { within: 0, all: 0 }, unclear: { within: 0, all: 0 } }])) as Record<'lips' | 'outline', Record<'clear' | 'unclear', { within: number; all: number }>>;
for (const id of portraits) {
  const bytes = await readFile(join(dir, `${id}_03.jpg`));
  const photo = await decodePhoto(bytes);
  const original = await measureFace(photo, pool);
  if (!original) {
    console.log(`${id}: no single face`);
    continue;
  }
  const face = { landmarks: original.mesh, pose: original.pose };
  const result = await simulate(bytes, { items: SHAPE_PLAN }, { face, maxChangePerZone: SHAPE_ONLY });
  // Unchanged: an empty plan, only the label added (as the London test's noise reading, simulate-london.test.ts).
  const exported = unchanged ? await simulate(bytes, { items: [] }, { face }) : result;
  const again = await measureFace(await decodeSimulatedPhoto(exported.jpeg, exported.photo.height), pool);
  if (!again) {
    console.log(`${id}: no single face in the simulation`);
    continue;
  }
  const mm = result.parameters.mmPerPx;
  const readings: string[] = [];
  for (const c of result.changes.filter((ch) => ch.kind === 'mm' && ch.measurementId)) {
    const name = `${c.measurementId!}${c.side === 'centre' ? '' : ` ${c.side}`}`;
    const measured = targetedMm(again.measuredOn, c, mm) - targetedMm(original.measuredOn, c, mm);
    // Unchanged, the reading should be 0: within a quarter of the change the plan would have promised.
    const within = Math.abs(measured / c.amount - (unchanged ? 0 : 1)) <= 0.25;
    // Whether the edges it is read on are clearly seen in both photos (`clearIn`); `?` marks one that is not.
    const edges = edgesOf(c);
    const clear = edges.length === 0 ? null : clearIn(original, edges) && clearIn(again, edges);
    if (clear !== null) {
      const row = clarity[c.measurementId!.includes('vermilion') ? 'lips' : 'outline'][clear ? 'clear' : 'unclear'];
      row.within += within ? 1 : 0;
      row.all += 1;
    }
    const row = counts.get(name) ?? { within: 0, all: 0, ratios: [] };
    counts.set(name, { within: row.within + (within ? 1 : 0), all: row.all + 1, ratios: [...row.ratios, measured / c.amount] });
    if (!within) misses.push(`${id} ${name}: ${measured.toFixed(2)} mm for ${c.amount.toFixed(2)}${clear === false ? ' ?' : ''}`);
    readings.push(`${name} ${measured.toFixed(2)}/${c.amount.toFixed(2)}${within ? '' : ' ×'}${clear === false ? ' ?' : ''}`);
  }
  console.log(`${id}: ${readings.join(', ')}`);
  // The same changes followed in the pixels (rulers.ts), where the renderer alone decides the reading.
  const rulers = (await rulerReadings(unchanged ? { ...result, jpeg: exported.jpeg } : result, photo)).map((r) => {
    const within = Math.abs(r.measured / r.promised - (unchanged ? 0 : 1)) <= 0.25;
    rulerCount.within += within ? 1 : 0;
    rulerCount.all += 1;
    return `${r.id} ${r.measured.toFixed(2)}${within ? '' : ' ×'}`;
  });
  console.log(`     rulers: ${rulers.join(', ')}`);
}
await pool.close();

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;
const total = [...counts.values()].reduce((s, r) => ({ within: s.within + r.within, all: s.all + r.all }), { within: 0, all: 0 });
console.log(`\nwithin ±25 % of the promise${unchanged ? ' (of what it would be, around 0)' : ''} (measured ÷ promised, median):`);
for (const [name, r] of counts) console.log(`  ${name}: ${r.within}/${r.all} (${median(r.ratios).toFixed(2)})`);
console.log(`misses (? an edge it is read on not clear in one photo or both):\n  ${misses.join('\n  ') || 'none'}`);
for (const [k, r] of Object.entries(clarity)) console.log(`${k} readings, the edges clear in both photos: ${r.clear.within} of ${r.clear.all} within ±25 %; not clear in one or both: ${r.unclear.within} of ${r.unclear.all}`);
console.log(`${which}${unchanged ? ' unchanged' : ''}: ${portraits.length} portraits, ${total.within} of ${total.all} single readings within ±25 %; the rulers ${rulerCount.within} of ${rulerCount.all}`);
