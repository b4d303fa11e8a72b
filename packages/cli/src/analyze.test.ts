import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze, parseAnalyzeArgs, type AnalyzeOptions } from './analyze.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../../fixtures/faces/${name}`, import.meta.url));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, output: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

describe('contour analyze', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'contour-analyze-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('parses views and refuses unknown options and views', () => {
    expect(parseAnalyzeArgs(['a.jpg', '--view', 'smile', '--json'])).toEqual({ files: ['a.jpg'], view: 'smile', json: true });
    expect(parseAnalyzeArgs(['a.jpg', '--view=nose'])).toMatch(/Unknown view/);
    expect(parseAnalyzeArgs(['--json'])).toMatch(/at least one image/);
    expect(parseAnalyzeArgs(['a.jpg', '--fast'])).toMatch(/Unknown option/);
  });

  it('prints the documented JSON for one image: 478 landmarks in pixels, pose, expression, quality checks', async () => {
    const c = capture();
    const code = await analyze({ files: [fixture('london-001-neutral.jpg')], view: 'frontal', json: true }, c.output);
    expect(code).toBe(0);
    const result = JSON.parse(c.out.join(''));
    expect(result).toMatchObject({ file: fixture('london-001-neutral.jpg'), width: 1000, height: 1000, quality: { passed: true } });
    expect(result.face.landmarks).toHaveLength(478);
    expect(result.face.landmarks[0]).toHaveLength(3);
    expect(Object.keys(result.face.pose).sort()).toEqual(['pitch', 'roll', 'yaw']);
    expect(result.face.box).toHaveLength(4);
    expect(result.face.expression.label).toEqual(expect.any(String));
    for (const check of result.quality.checks) expect(Object.keys(check).sort()).toEqual(['id', 'message', 'passed', 'threshold', 'value']);
    // Facial analysis of the frontal view: scale from the iris, measurements with units and methods, zone findings.
    expect(result.scale).toMatchObject({ mmPerPx: expect.any(Number), method: expect.stringMatching(/iris/), uncertainty: 0.05 });
    const ipd = result.measurements.find((m: { id: string }) => m.id === 'interpupillary_distance');
    expect(ipd).toMatchObject({ unit: 'mm', method: expect.any(String) });
    expect(ipd.value).toBeGreaterThan(50);
    expect(ipd.value).toBeLessThan(75);
    expect(result.notMeasurable.map((n: { id: string }) => n.id)).toContain('chin_projection');
    const glabella = result.zones.find((z: { id: string }) => z.id === 'glabella');
    expect(glabella).toMatchObject({ side: 'centre', scale: expect.stringMatching(/AI photo estimate/), view: 'frontal', expression: 'rest' });
    expect(glabella.polygon.length).toBeGreaterThan(3);
    expect(glabella.severity).toBeGreaterThanOrEqual(0);
    expect(glabella.severity).toBeLessThanOrEqual(4);
  });

  it('gives no facial geometry for a non-frontal view, and says why', async () => {
    const c = capture();
    expect(await analyze({ files: [fixture('london-001-smiling.jpg')], view: 'smile', json: true }, c.output)).toBe(0);
    const result = JSON.parse(c.out.join(''));
    expect(result.scale).toBeNull();
    expect(result.measurements).toEqual([]);
    expect(result.notMeasurable[0].reason).toMatch(/needs the frontal view/);
  });

  it('analyses several images (an array), and reports unreadable files with a non-zero exit', async () => {
    const notAnImage = join(dir, 'notes.jpg');
    await writeFile(notAnImage, 'this is text, not a photo');
    const truncated = join(dir, 'truncated.jpg');
    const { readFile } = await import('node:fs/promises');
    await writeFile(truncated, (await readFile(fixture('london-002-neutral.jpg'))).subarray(0, 5000));
    const options: AnalyzeOptions = {
      files: [fixture('london-001-neutral.jpg'), fixture('london-001-smiling.jpg'), notAnImage, truncated, join(dir, 'missing.jpg')],
      view: 'frontal',
      json: true,
    };
    const c = capture();
    expect(await analyze(options, c.output)).toBe(1);
    const results = JSON.parse(c.out.join(''));
    expect(results).toHaveLength(2);
    const smiling = results.find((r: { file: string }) => r.file.endsWith('smiling.jpg'));
    expect(smiling.quality.checks.find((ch: { id: string }) => ch.id === 'expression').passed).toBe(false);
    expect(c.err.join('\n')).toMatch(/notes\.jpg: Only JPEG, PNG or HEIC/);
    expect(c.err.join('\n')).toMatch(/truncated\.jpg: The image cannot be decoded/);
    expect(c.err.join('\n')).toMatch(/missing\.jpg: No such file/);
  });
});
