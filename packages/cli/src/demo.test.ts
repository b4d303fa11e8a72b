/**
 * `contour demo` end to end, in-process on a temporary data directory with the embedded database and the real
 * face model: three patients from the committed fixture faces (so it runs without the London set), then the
 * database is read to check that every record is there, made by the right role, and the audit trail verifies.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ageOn } from '@contour/domain';
import { AuditLog, createClinic, migrateToLatest, openDatabase, pgliteDirFor, type Db } from '@contour/server';
import type { Output } from './commands.js';
import { DEMO_CLINIC_NAME, demo, parseDemoArgs, type DemoSummary } from './demo.js';

function capture(): Output & { out: (line: string) => void; stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line) };
}

async function withDb<T>(dataDir: string, work: (db: Db) => Promise<T>): Promise<T> {
  const handle = await openDatabase({ databaseUrl: null, pgliteDir: pgliteDirFor(dataDir) });
  try {
    return await work(handle.db);
  } finally {
    await handle.close();
  }
}

describe('contour demo', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let first: ReturnType<typeof capture>;
  let code: number;
  let summary: DemoSummary;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'contour-demo-'));
    env = { CONTOUR_DATA_DIR: dataDir, CONTOUR_VISION_WORKERS: '1' };
    first = capture();
    code = await demo(env, first, { patients: 3, json: true, fixtures: true });
    if (code !== 0) throw new Error(first.stderr.join('\n'));
    summary = JSON.parse(first.stdout.join('\n')) as DemoSummary;
  }, 150_000);
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  it('prints a JSON summary on stdout and only counts as progress on stderr', () => {
    expect(code).toBe(0);
    expect(summary).toMatchObject({ clinicName: DEMO_CLINIC_NAME, created: true, fictional: true, faces: 'fixtures' });
    expect(summary.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(summary.users.map((u) => u.role).sort()).toEqual(['analyst', 'clinician', 'clinician', 'owner', 'staff']);
    expect(summary.counts).toMatchObject({ patients: 3, photos: { total: 6, analysed: 6, facialAnalyses: 3 } });
    expect(summary.counts.plans.total).toBe(3);
    expect(summary.counts.treatments).toBeGreaterThanOrEqual(1);
    expect(first.stderr.join('\n')).toMatch(/fixture faces/);
  });

  it('made the clinic, its team and three consenting patients through the API, as the right people', async () => {
    await withDb(dataDir, async (db) => {
      const organisation = await db.selectFrom('organisation').select(['id', 'name']).execute();
      expect(organisation).toEqual([{ id: summary.organisationId, name: DEMO_CLINIC_NAME }]);
      const users = await db.selectFrom('app_user').select(['id', 'role', 'registration_number']).where('organisation_id', '=', summary.organisationId).execute();
      const byRole = (role: string) => users.filter((u) => u.role === role);
      expect(byRole('owner')).toHaveLength(1);
      expect(byRole('clinician')).toHaveLength(2);
      expect(byRole('clinician').every((u) => u.registration_number)).toBe(true);
      expect(byRole('staff')).toHaveLength(1);
      expect(byRole('analyst')).toHaveLength(1);
      const frontDesk = byRole('staff')[0]!.id;

      const patients = await db.selectFrom('patient').selectAll().where('organisation_id', '=', summary.organisationId).execute();
      expect(patients).toHaveLength(3);
      for (const patient of patients) {
        expect(patient.created_by).toBe(frontDesk);
        // Both fixture faces are of 24-year-old women in the London set's information.
        expect(patient.sex).toBe('female');
        expect(ageOn(String(patient.date_of_birth), new Date())).toBe(24);
        const consents = await db.selectFrom('consent').select(['type', 'recorded_by']).where('patient_id', '=', patient.id).execute();
        expect(consents.map((c) => c.type)).toEqual(expect.arrayContaining(['clinical_photography', 'ai_analysis', 'treatment']));
        expect(consents.every((c) => c.recorded_by === frontDesk)).toBe(true);
      }
      // Progress and summary lines name no patient.
      const printed = [...first.stdout, ...first.stderr].join('\n');
      for (const patient of patients) {
        expect(printed).not.toContain(patient.family_name);
        expect(printed).not.toContain(patient.id);
      }
    });
  });

  it('analysed every frontal photo, with its facial analysis, and clinicians graded zones', async () => {
    await withDb(dataDir, async (db) => {
      const photos = await db.selectFrom('photo').select(['view', 'status', 'facial_analysis']).where('organisation_id', '=', summary.organisationId).execute();
      const frontal = photos.filter((p) => p.view === 'frontal');
      expect(frontal).toHaveLength(3);
      expect(frontal.every((p) => p.status === 'analysed' && p.facial_analysis !== null)).toBe(true);
      expect(photos.filter((p) => p.view === 'smile')).toHaveLength(3);
      const grades = await db.selectFrom('zone_grade').select('graded_by').where('organisation_id', '=', summary.organisationId).execute();
      expect(grades.length).toBeGreaterThan(0);
    });
  });

  it('left plans at different stages: a signed one with every kind of decision, a draft, and a treatment against a signed plan', async () => {
    await withDb(dataDir, async (db) => {
      const versions = await db.selectFrom('plan_version').select(['id', 'plan_id', 'version', 'status', 'signed_by', 'signer_registration']).where('organisation_id', '=', summary.organisationId).execute();
      const signed = versions.filter((v) => v.status === 'signed');
      expect(signed.length).toBeGreaterThanOrEqual(1);
      expect(signed.every((v) => v.signed_by && v.signer_registration?.startsWith('DEMO-REG-'))).toBe(true);
      const decisions = await db.selectFrom('plan_decision').select(['plan_version_id', 'decision', 'reason']).where('organisation_id', '=', summary.organisationId).execute();
      const kinds = (versionId: string) => new Set(decisions.filter((d) => d.plan_version_id === versionId).map((d) => d.decision));
      expect(signed.some((v) => ['accepted', 'modified', 'rejected', 'added'].every((k) => kinds(v.id).has(k)))).toBe(true);
      expect(decisions.filter((d) => d.decision !== 'accepted').every((d) => (d.reason ?? '').length > 0)).toBe(true);
      // Some plan's latest version is still a draft (an unreviewed one, or a signed plan's new version).
      const latest = new Map<string, (typeof versions)[number]>();
      for (const v of versions) if ((latest.get(v.plan_id)?.version ?? 0) < v.version) latest.set(v.plan_id, v);
      expect([...latest.values()].some((v) => v.status === 'draft' && v.version === 1 && kinds(v.id).size === 0)).toBe(true);
      expect([...latest.values()].some((v) => v.status === 'draft' && v.version === 2)).toBe(true);

      const treatments = await db.selectFrom('treatment_record').select(['plan_version_id', 'items']).where('organisation_id', '=', summary.organisationId).execute();
      expect(treatments.length).toBeGreaterThanOrEqual(1);
      for (const t of treatments) {
        expect(signed.map((v) => v.id)).toContain(t.plan_version_id);
        expect((t.items as { lotNumber: string }[]).every((i) => i.lotNumber.startsWith('DEMO-'))).toBe(true);
      }
      // Signed plans of patients who consented to simulation have their labelled expected projection.
      const simulations = await db.selectFrom('simulation').select(['plan_version_id', 'label', 'variant']).where('organisation_id', '=', summary.organisationId).execute();
      expect(simulations.length).toBe(summary.counts.simulations);
      expect(simulations.length).toBeGreaterThanOrEqual(1);
      for (const sim of simulations) {
        expect(signed.map((v) => v.id)).toContain(sim.plan_version_id);
        expect(sim).toMatchObject({ label: 'Simulated projection, not a guaranteed outcome', variant: 'expected' });
      }
    });
  });

  it('went through the audit trail: the chain verifies and holds the flow, by the right roles', async () => {
    await withDb(dataDir, async (db) => {
      const log = new AuditLog(db);
      expect(await log.chains()).toEqual([summary.organisationId]);
      const report = await log.verify(summary.organisationId);
      expect(report.ok).toBe(true);
      const events = await db.selectFrom('audit_event').select(['event', 'actor_role', 'outcome']).where('chain', '=', summary.organisationId).execute();
      const by = (event: string) => events.filter((e) => e.event === event && e.outcome === 'success');
      expect(by('organisation.create')).toHaveLength(1);
      expect(by('patient.create').every((e) => e.actor_role === 'staff')).toBe(true);
      expect(by('photo.analyse').length).toBe(6);
      expect(by('plan.sign').every((e) => e.actor_role === 'clinician')).toBe(true);
      expect(by('plan.sign').length).toBeGreaterThanOrEqual(1);
      expect(by('treatment.record').length).toBeGreaterThanOrEqual(1);
    });
  });

  it('a second run changes nothing and says how to sign in', async () => {
    const before = await withDb(dataDir, async (db) => (await db.selectFrom('audit_event').select('seq').execute()).length);
    const again = capture();
    expect(await demo(env, again, { patients: 3, json: true, fixtures: true })).toBe(0);
    const second = JSON.parse(again.stdout.join('\n')) as DemoSummary;
    expect(second).toMatchObject({ organisationId: summary.organisationId, created: false, password: null });
    expect(second.counts).toEqual(summary.counts);
    expect(second.users).toEqual(summary.users);

    const text = capture();
    expect(await demo(env, text, { patients: 12, json: false, fixtures: false })).toBe(0);
    const printed = text.stdout.join('\n');
    expect(printed).toMatch(/already exists.*nothing was changed/);
    expect(printed).toContain('owner@contour-demo.example');
    expect(printed).not.toContain(summary.password ?? '');
    expect(await withDb(dataDir, async (db) => (await db.selectFrom('audit_event').select('seq').execute()).length)).toBe(before);
  });
});

describe('contour demo refuses', () => {
  it('to add fictional patients to an installation that holds another clinic', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'contour-demo-other-'));
    try {
      await withDb(dataDir, async (db) => {
        await migrateToLatest(db);
        await createClinic(db, new AuditLog(db), { clinicName: 'A Real Clinic', locationName: 'Main', owner: { email: 'owner@real.test', displayName: 'Owner', password: 'correct horse battery staple' } }, { sourceIp: null, onlyIfFirst: true });
      });
      const output = capture();
      expect(await demo({ CONTOUR_DATA_DIR: dataDir }, output, { patients: 1, json: false, fixtures: true })).toBe(1);
      expect(output.stderr.join('\n')).toMatch(/already holds a clinic/);
      expect(await withDb(dataDir, async (db) => (await db.selectFrom('organisation').select('name').execute()).map((o) => o.name))).toEqual(['A Real Clinic']);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('unknown options and a patient count that is not a whole number', () => {
    expect(parseDemoArgs([])).toEqual({ patients: 12, json: false, fixtures: false });
    expect(parseDemoArgs(['--patients', '3', '--json', '--fixtures'])).toEqual({ patients: 3, json: true, fixtures: true });
    expect(parseDemoArgs(['--patients=5'])).toMatchObject({ patients: 5 });
    expect(parseDemoArgs(['--patients', '0'])).toMatch(/at least 1/);
    expect(parseDemoArgs(['--patients', 'many'])).toMatch(/whole number/);
    expect(parseDemoArgs(['--verbose'])).toMatch(/Unknown option/);
  });
});
