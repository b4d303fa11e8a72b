import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CATALOGUE } from '@contour/domain/treatment-catalogue';
import { SIMULATION_LABEL, readLabel } from '@contour/vision';
import { USAGE } from './commands.js';
import { parsePlan, parseSimulateArgs, simulateCommand, type SimulateOptions } from './simulate.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../../fixtures/faces/${name}`, import.meta.url));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, output: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

describe('contour simulate', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'contour-simulate-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('parses its arguments and refuses what is missing or unknown', () => {
    expect(parseSimulateArgs(['a.jpg', '--plan', 'p.json', '--out', 'o.jpg'])).toEqual({ image: 'a.jpg', plan: 'p.json', out: 'o.jpg', variant: 'expected', catalogue: null, json: false });
    expect(parseSimulateArgs(['a.jpg', '--plan=p.json', '--out=o.jpg', '--variant', 'upper', '--json', '--catalogue', 'c.json'])).toMatchObject({ variant: 'upper', json: true, catalogue: 'c.json' });
    expect(parseSimulateArgs(['a.jpg', '--out', 'o.jpg'])).toMatch(/--plan/);
    expect(parseSimulateArgs(['a.jpg', '--plan', 'p.json'])).toMatch(/--out/);
    expect(parseSimulateArgs(['--plan', 'p.json', '--out', 'o.jpg'])).toMatch(/photo/);
    expect(parseSimulateArgs(['a.jpg', 'b.jpg', '--plan', 'p.json', '--out', 'o.jpg'])).toMatch(/one image/);
    expect(parseSimulateArgs(['a.jpg', '--plan', 'p.json', '--out', 'o.jpg', '--variant', 'best'])).toMatch(/Unknown variant/);
    expect(parseSimulateArgs(['a.jpg', '--plan', 'p.json', '--out', 'o.jpg', '--fast'])).toMatch(/Unknown option/);
    expect(USAGE).toMatch(/simulate IMAGE --plan plan.json --out out.jpg/);
  });

  it('reads treatment classes and catalogue products, converting toxin units explicitly', () => {
    const plan = parsePlan(
      {
        items: [
          { zone: 'upper_lip', treatment: 'ha_filler', amount: 0.5, unit: 'mL' },
          { zone: 'glabella', treatment: 'dysport', amount: 50, unit: 'U' },
          { zone: 'crows_feet', side: 'left', treatment: 'botox-cosmetic', amount: 12, unit: 'U' },
          { zone: 'cheek', treatment: 'profhilo', amount: 2, unit: 'session' },
        ],
        maxChangePerZone: { upper_lip: { mm: 1 } },
      },
      DEFAULT_CATALOGUE,
    );
    expect(plan).toEqual({
      items: [
        { zoneId: 'upper_lip', treatmentClass: 'ha_filler', amount: 0.5, unit: 'mL' },
        { zoneId: 'glabella', treatmentClass: 'neuromodulator', amount: 50, unit: 'U', onaEquivalentPerUnit: 0.4 },
        { zoneId: 'crows_feet', side: 'left', treatmentClass: 'neuromodulator', amount: 12, unit: 'U', onaEquivalentPerUnit: 1 },
        { zoneId: 'cheek', treatmentClass: 'skin_booster', amount: 2, unit: 'session' },
      ],
      maxChangePerZone: { upper_lip: { mm: 1 } },
    });
  });

  it('lists every problem of a plan, item by item', () => {
    const problems = parsePlan(
      {
        items: [
          { zone: 'ear', treatment: 'ha_filler', amount: 1, unit: 'mL' },
          { zone: 'chin', treatment: 'miracle-cream', amount: 1, unit: 'mL' },
          { zone: 'glabella', treatment: 'botox-cosmetic', amount: 1, unit: 'mL' },
          { zone: 'chin', treatment: 'ha_filler', amount: -1, unit: 'cc' },
          { zone: 'chin', side: 'up', treatment: 'ha_filler', amount: 1, unit: 'mL' },
        ],
        maxChangePerZone: { chin: { inches: 2 } },
      },
      DEFAULT_CATALOGUE,
    ) as string[];
    expect(problems).toEqual([
      expect.stringMatching(/^item 1: unknown zone "ear"/),
      expect.stringMatching(/^item 2: "miracle-cream" is neither a treatment class/),
      'item 3: Botox Cosmetic is dosed in U, not mL.',
      'item 4: the amount must be a number above zero.',
      expect.stringMatching(/^item 4: the unit must be one of/),
      'item 5: side must be right, left or centre.',
      expect.stringMatching(/^maxChangePerZone.chin:/),
    ]);
    expect(parsePlan([], DEFAULT_CATALOGUE)).toEqual(['The plan must be a JSON object with an "items" array.']);
  });

  it('writes a labelled simulation and prints the intended change per measurement', async () => {
    const planFile = join(dir, 'plan.json');
    await writeFile(
      planFile,
      JSON.stringify({
        items: [
          { zone: 'upper_lip', treatment: 'volbella-lips', amount: 0.5, unit: 'mL' },
          { zone: 'glabella', treatment: 'botox-cosmetic', amount: 20, unit: 'U' },
          { zone: 'temple', side: 'right', treatment: 'ha_filler', amount: 1, unit: 'mL' },
        ],
      }),
    );
    const runs: Record<string, { vermilion: number; json: Record<string, unknown> }> = {};
    for (const variant of ['conservative', 'upper'] as const) {
      const out = join(dir, `${variant}.jpg`);
      const c = capture();
      const options: SimulateOptions = { image: fixture('london-001-neutral.jpg'), plan: planFile, out, variant, catalogue: null, json: true };
      expect(await simulateCommand(options, c.output), c.err.join('\n')).toBe(0);
      const json = JSON.parse(c.out.join('')) as { changes: { measurementId?: string; amount: number; prior: string }[]; unsupported: unknown[]; label: string; bbox: unknown };
      expect(json).toMatchObject({ out, variant, label: SIMULATION_LABEL, sourceSha256: expect.stringMatching(/^[0-9a-f]{64}$/), bbox: { width: expect.any(Number) } });
      expect(json.unsupported).toHaveLength(1);
      const vermilion = json.changes.find((ch) => ch.measurementId === 'upper_vermilion_height')!;
      expect(vermilion.prior).toMatch(/Percec/);
      expect(json.changes.find((ch) => ch.measurementId === 'severity:glabella')!.amount).toBeLessThan(0);
      expect((await readLabel(await readFile(out))).ok).toBe(true);
      runs[variant] = { vermilion: vermilion.amount, json };
    }
    expect(runs.conservative!.vermilion).toBeLessThan(runs.upper!.vermilion);
  }, 60_000);

  it('speaks plainly without --json, and fails with a reason on bad input', async () => {
    const planFile = join(dir, 'plan2.json');
    await writeFile(planFile, JSON.stringify({ items: [{ zone: 'chin', treatment: 'ha_filler', amount: 1, unit: 'mL' }] }));
    const c = capture();
    const out = join(dir, 'plain.jpg');
    expect(await simulateCommand({ image: fixture('london-001-neutral.jpg'), plan: planFile, out, variant: 'expected', catalogue: null, json: false }, c.output)).toBe(0);
    expect(c.out[0]).toContain(`labelled "${SIMULATION_LABEL}"`);
    expect(c.out.join('\n')).toMatch(/chin: chin length \+\d\.\d\d mm \[lower_face_height\]/);

    const bad = capture();
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ items: [{ zone: 'ear', treatment: 'ha_filler', amount: 1, unit: 'mL' }] }));
    expect(await simulateCommand({ image: fixture('london-001-neutral.jpg'), plan: join(dir, 'bad.json'), out, variant: 'expected', catalogue: null, json: false }, bad.output)).toBe(2);
    expect(bad.err.join('\n')).toMatch(/unknown zone "ear"/);

    const missing = capture();
    expect(await simulateCommand({ image: join(dir, 'nope.jpg'), plan: planFile, out, variant: 'expected', catalogue: null, json: false }, missing.output)).toBe(1);
    expect(missing.err.join('\n')).toMatch(/No such file/);

    const noFace = capture();
    const blank = join(dir, 'blank.jpg');
    const sharp = (await import('sharp')).default;
    await writeFile(blank, await sharp({ create: { width: 700, height: 700, channels: 3, background: '#a09080' } }).jpeg().toBuffer());
    expect(await simulateCommand({ image: blank, plan: planFile, out, variant: 'expected', catalogue: null, json: false }, noFace.output)).toBe(1);
    expect(noFace.err.join('\n')).toMatch(/No face was found/);
  }, 60_000);
});
