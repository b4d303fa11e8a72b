import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClinic, openContour } from '@contour/server';
import { auditVerify, migrate, type Output } from './commands.js';

function capture(): Output & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (line) => lines.push(line), err: (line) => lines.push(line) };
}

describe('contour CLI on the embedded database', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'contour-cli-'));
    env = { CONTOUR_DATA_DIR: dataDir };
  });
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  it('migrate applies the schema once, then reports it up to date', async () => {
    const first = capture();
    expect(await migrate(env, first)).toBe(0);
    expect(first.lines.join('\n')).toMatch(/Applied 5 migration\(s\): 0001-foundation, 0002-photography, 0003-facial-analysis, 0004-treatment-planning, 0005-simulation/);
    const second = capture();
    expect(await migrate(env, second)).toBe(0);
    expect(second.lines.join('\n')).toMatch(/up to date/);
  });

  it('audit verify passes on an intact trail and names the first broken entry after tampering', async () => {
    const contour = await openContour({ logLevel: 'silent', webRoot: null }, env);
    const { organisationId } = await createClinic(
      contour.services.db,
      contour.services.auditLog,
      { clinicName: 'CLI Clinic', locationName: 'Main', owner: { email: 'cli-owner@clinic.test', displayName: 'Owner', password: 'correct horse battery staple' } },
      { sourceIp: null, onlyIfFirst: true },
    );
    const login = await contour.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'cli-owner@clinic.test', password: 'correct horse battery staple' } });
    expect(login.statusCode).toBe(200);
    await contour.close();

    const intact = capture();
    expect(await auditVerify(env, intact, false)).toBe(0);
    expect(intact.lines.join('\n')).toMatch(new RegExp(`chain ${organisationId}: intact \\(2 entries\\)`));

    // Someone with file access to the database edits the first entry behind the trigger's back.
    const pglite = await PGlite.create({ dataDir: join(dataDir, 'db') });
    await pglite.exec(`
      ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update;
      UPDATE audit_event SET detail = '{"forged": true}' WHERE chain = '${organisationId}' AND seq = 1;
      ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update;`);
    await pglite.close();

    const broken = capture();
    expect(await auditVerify(env, broken, false)).toBe(1);
    expect(broken.lines.join('\n')).toMatch(new RegExp(`chain ${organisationId}: BROKEN at entry 1: .*edited`));
    const json = capture();
    expect(await auditVerify(env, json, true)).toBe(1);
    expect(JSON.parse(json.lines.join('\n'))).toMatchObject({ ok: false, chains: expect.arrayContaining([expect.objectContaining({ ok: false, firstBreak: { seq: 1, reason: expect.any(String) } })]) });
  });
});
