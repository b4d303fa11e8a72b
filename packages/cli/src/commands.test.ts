import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClinic, openContour } from '@contour/server';
import { auditVerify, migrate, type Output } from './commands.js';

function capture(): Output & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (line) => lines.push(line), err: (line) => lines.push(line) };
}

/** A clinic made and its owner signed in (two audit entries) by a server that then stops; the clinic's id. */
async function clinicWithTwoEntries(env: NodeJS.ProcessEnv, email: string): Promise<string> {
  const contour = await openContour({ logLevel: 'silent', webRoot: null }, env);
  const password = 'correct horse battery staple';
  const { organisationId } = await createClinic(
    contour.services.db,
    contour.services.auditLog,
    { clinicName: 'CLI Clinic', locationName: 'Main', owner: { email, displayName: 'Owner', password } },
    { sourceIp: null, onlyIfFirst: true },
  );
  const login = await contour.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
  expect(login.statusCode).toBe(200);
  await contour.close();
  return organisationId;
}

/** Runs SQL on the stopped installation's embedded database, with the audit table's guard switched off. */
async function behindTheTrigger(dataDir: string, statement: string): Promise<void> {
  const pglite = await PGlite.create({ dataDir: join(dataDir, 'db') });
  await pglite.exec(`
    ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update;
    ${statement};
    ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update;`);
  await pglite.close();
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
    expect(first.lines.join('\n')).toMatch(/Applied 6 migration\(s\): 0001-foundation, 0002-photography, 0003-facial-analysis, 0004-treatment-planning, 0005-simulation, 0006-plan-analysis-method/);
    const second = capture();
    expect(await migrate(env, second)).toBe(0);
    expect(second.lines.join('\n')).toMatch(/up to date/);
  });

  it('audit verify makes no master key where there is none, and says it checked without the checkpoints', async () => {
    const bare = { CONTOUR_DATA_DIR: await mkdtemp(join(tmpdir(), 'contour-cli-')) };
    const out = capture();
    expect(await auditVerify(bare, out, false)).toBe(0);
    expect(out.lines.join('\n')).toMatch(/No master key here \(CONTOUR_MASTER_KEY or .*master\.key\): checked without the checkpoints kept outside the database\./);
    expect(existsSync(join(bare.CONTOUR_DATA_DIR, 'master.key'))).toBe(false);
    await rm(bare.CONTOUR_DATA_DIR, { recursive: true, force: true });
  });

  it('audit verify passes on an intact trail and names the first broken entry after tampering', async () => {
    const organisationId = await clinicWithTwoEntries(env, 'cli-owner@clinic.test');
    const intact = capture();
    expect(await auditVerify(env, intact, false)).toBe(0);
    // Stopping the server recorded the chain's head outside the database.
    expect(intact.lines.join('\n')).toMatch(new RegExp(`chain ${organisationId}: intact \\(2 entries; reaches the checkpoint of \\S+ at entry 2\\)`));

    // Someone with file access to the database edits the first entry behind the trigger's back.
    await behindTheTrigger(dataDir, `UPDATE audit_event SET detail = '{"forged": true}' WHERE chain = '${organisationId}' AND seq = 1`);
    const broken = capture();
    expect(await auditVerify(env, broken, false)).toBe(1);
    expect(broken.lines.join('\n')).toMatch(new RegExp(`chain ${organisationId}: BROKEN at entry 1: .*edited`));
    const json = capture();
    expect(await auditVerify(env, json, true)).toBe(1);
    expect(JSON.parse(json.lines.join('\n'))).toMatchObject({ ok: false, chains: expect.arrayContaining([expect.objectContaining({ ok: false, firstBreak: { seq: 1, reason: expect.any(String) } })]) });
  });

  it('audit verify finds the newest entries deleted, against the checkpoint kept outside the database', async () => {
    const own = { CONTOUR_DATA_DIR: await mkdtemp(join(tmpdir(), 'contour-cli-')) };
    const organisationId = await clinicWithTwoEntries(own, 'tail-owner@clinic.test');
    // Deleting the newest entry leaves a chain whose every hash still holds.
    await behindTheTrigger(own.CONTOUR_DATA_DIR, `DELETE FROM audit_event WHERE chain = '${organisationId}' AND seq = 2`);
    const broken = capture();
    expect(await auditVerify(own, broken, false)).toBe(1);
    expect(broken.lines.join('\n')).toMatch(new RegExp(`chain ${organisationId}: BROKEN at entry 2: entry 2 is missing: the checkpoint of \\S+ recorded the chain up to entry 2`));
    await rm(own.CONTOUR_DATA_DIR, { recursive: true, force: true });
  });

  it('keeps the checkpoints where AUDIT_CHECKPOINT_URL says, apart from the data directory, and verifies against them there', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'contour-checkpoints-'));
    const apart = { CONTOUR_DATA_DIR: await mkdtemp(join(tmpdir(), 'contour-cli-')), AUDIT_CHECKPOINT_URL: pathToFileURL(elsewhere).href };
    const organisationId = await clinicWithTwoEntries(apart, 'apart-owner@clinic.test');
    expect((await readdir(elsewhere, { recursive: true })).length).toBeGreaterThan(0);
    expect(existsSync(join(apart.CONTOUR_DATA_DIR, 'files'))).toBe(false);
    await behindTheTrigger(apart.CONTOUR_DATA_DIR, `DELETE FROM audit_event WHERE chain = '${organisationId}' AND seq = 2`);
    const broken = capture();
    expect(await auditVerify(apart, broken, false)).toBe(1);
    expect(broken.lines.join('\n')).toMatch(new RegExp(`chain ${organisationId}: BROKEN at entry 2: entry 2 is missing`));
    // The data directory alone holds no checkpoint: whoever rewrites it cannot move one back.
    const withoutThem = capture();
    expect(await auditVerify({ CONTOUR_DATA_DIR: apart.CONTOUR_DATA_DIR }, withoutThem, false)).toBe(0);
    await Promise.all([elsewhere, apart.CONTOUR_DATA_DIR].map((dir) => rm(dir, { recursive: true, force: true })));
  });
});
