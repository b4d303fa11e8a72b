/**
 * `contour demo [--patients N] [--json] [--fixtures]`: a demo clinic, so a new user sees the whole flow.
 *
 * It opens Contour in-process (as `serve` does, without listening) and drives the real HTTP API with
 * `app.inject`, signed in as the clinic's own users: every record goes through access control, consent
 * gating, encryption, the analysis job and the audit trail, exactly as if the team had typed it in. Nothing
 * is written with SQL; the database is only read, for the existence check and the closing counts.
 *
 * What it makes: "Contour Demo Clinic" with an owner, two clinicians (with registration numbers), a front
 * desk and an analyst sharing one random password printed once; 12 fictional patients by default (made-up
 * names; ages and sexes from the London face set) registered by the front desk with their consents; a frontal
 * photo each and, where the set has one, a smiling one, analysed by the face model; a few zones graded by the
 * clinicians; and treatment plans at
 * every stage: unreviewed drafts, plans part-way through review, plans reviewed item by item (accept, modify,
 * reject, add) and signed, treatments recorded against two of them (one deviating from the plan), and a
 * signed plan with a new draft version. Medical-history flags show the screening: a pregnant patient (toxin
 * and filler blocked), one on anticoagulants (caution) and one with a neuromuscular disorder; one patient did
 * not consent to AI analysis, so their photos are stored but not analysed. Past 12 patients the stories repeat.
 *
 * Idempotent: when the demo clinic exists it prints how to sign in and changes nothing. It refuses to add
 * fictional patients to an installation that already holds another clinic. Progress lines carry counts
 * only, never patient data or image bytes.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ROLE_LABELS, emptyMedicalHistory, isRole, type AcquisitionChannel, type ConsentType, type MedicalHistory, type PatientGoal } from '@contour/domain';
import { createClinic, loadConfig, migrateToLatest, openContour, openDatabase, pgliteDirFor, type Contour, type Db } from '@contour/server';
import type { Output } from './commands.js';

export const DEMO_CLINIC_NAME = 'Contour Demo Clinic';
const EMAIL_DOMAIN = 'contour-demo.example';
const REPO_ROOT = new URL('../../../', import.meta.url);
/** The face photo datasets beside the repository (CI and development machines). */
export const DEFAULT_DATASET_DIR = fileURLToPath(new URL('../shared/datasets/london/', REPO_ROOT));
/** The committed fixtures: two faces (reused) and the synthetic signature. */
export const DEFAULT_FIXTURES_DIR = fileURLToPath(new URL('fixtures/', REPO_ROOT));

export interface DemoOptions {
  /** How many patients (default 12). */
  patients: number;
  json: boolean;
  /** Use the two committed fixture faces even when the dataset is there. */
  fixtures: boolean;
  datasetDir?: string;
  fixturesDir?: string;
}

const DEFAULT_PATIENTS = 12;

export function parseDemoArgs(args: string[]): DemoOptions | string {
  const options: DemoOptions = { patients: DEFAULT_PATIENTS, json: false, fixtures: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    let count: string | undefined;
    if (arg === '--json') options.json = true;
    else if (arg === '--fixtures') options.fixtures = true;
    else if (arg === '--patients') count = args[++i] ?? '';
    else if (arg.startsWith('--patients=')) count = arg.slice('--patients='.length);
    else return `Unknown option ${arg}`;
    if (count !== undefined) {
      if (!/^[0-9]+$/.test(count) || Number(count) < 1) return `--patients takes a whole number of at least 1, got "${count}"`;
      options.patients = Number(count);
    }
  }
  return options;
}

/* ---------------------------------------------------------------- faces */

interface Face {
  /** The dataset's id: used to find the files, never shown or stored. */
  id: string;
  age: number;
  sex: 'female' | 'male';
  neutral: string;
  smiling: string | null;
}

interface FaceSet {
  source: 'dataset' | 'fixtures';
  faces: Face[];
  /** Most patients this set can give: one face each from the dataset; the fixtures are reused. */
  max: number;
}

/** The London set's faces: those with a smiling photo first, then the rest oldest first (more to treat). */
async function datasetFaces(dir: string): Promise<Face[] | null> {
  const csv = `${dir}/london_info.csv`;
  if (!existsSync(csv)) return null;
  const [header, ...rows] = (await readFile(csv, 'utf8')).trim().split(/\r?\n/).map((line) => line.split(','));
  const column = (name: string): number => header?.indexOf(name) ?? -1;
  const [idAt, ageAt, sexAt] = [column('face_id'), column('face_age'), column('face_gender')];
  if (idAt < 0 || ageAt < 0 || sexAt < 0) throw new Error(`${csv} lacks face_id, face_age or face_gender`);
  const faces: Face[] = [];
  for (const row of rows) {
    const [id, age, sex] = [row[idAt] ?? '', Number(row[ageAt]), row[sexAt]];
    if (!/^[0-9]+$/.test(id) || !Number.isInteger(age) || (sex !== 'female' && sex !== 'male')) continue;
    const neutral = `${dir}/neutral/${id}_03.jpg`;
    const smiling = `${dir}/smiling/${id}_08.jpg`;
    if (existsSync(neutral)) faces.push({ id, age, sex, neutral, smiling: existsSync(smiling) ? smiling : null });
  }
  faces.sort((a, b) => Number(b.smiling !== null) - Number(a.smiling !== null) || (a.smiling ? a.id.localeCompare(b.id) : b.age - a.age || a.id.localeCompare(b.id)));
  return faces.length > 0 ? faces : null;
}

/** The committed fixture faces (fixtures/ATTRIBUTION.md); age and sex as london_info.csv gives them. */
function fixtureFaces(dir: string): Face[] {
  return [
    { id: '001', age: 24, sex: 'female' as const },
    { id: '002', age: 24, sex: 'female' as const },
  ].map((f) => ({ ...f, neutral: `${dir}/faces/london-${f.id}-neutral.jpg`, smiling: `${dir}/faces/london-${f.id}-smiling.jpg` }));
}

async function loadFaces(options: DemoOptions): Promise<FaceSet> {
  const fixturesDir = options.fixturesDir ?? DEFAULT_FIXTURES_DIR;
  if (!options.fixtures) {
    const faces = await datasetFaces(options.datasetDir ?? DEFAULT_DATASET_DIR);
    if (faces) return { source: 'dataset', faces, max: faces.length };
  }
  const faces = fixtureFaces(fixturesDir);
  for (const face of faces) if (!existsSync(face.neutral)) throw new Error(`Neither the London face set nor the fixture faces (${face.neutral}) were found.`);
  return { source: 'fixtures', faces, max: SCENARIOS.length };
}

/* ---------------------------------------------------------------- the demo patients */

type Stage = 'draft' | 'in_review' | 'signed' | 'treated' | 'revised';

interface Intake {
  concerns: string;
  goals: PatientGoal[];
  subtlety: 'subtle' | 'balanced' | 'noticeable';
  budget: number | null;
  downtime: 'none' | 'few_days' | 'week';
  /** An event so many days from today. */
  event: { inDays: number; description: string } | null;
}

interface Scenario {
  channel: AcquisitionChannel;
  /** Only a female face fits (pregnancy). */
  female?: boolean;
  history?: Partial<MedicalHistory>;
  consents: ConsentType[];
  /** Which of the two clinicians looks after the patient. */
  clinician: 0 | 1;
  /** The clinician grades a few zones of the frontal photo before planning. */
  grade: boolean;
  intake: Intake;
  stage: Stage;
  /** For a treated plan: one zone done with a different amount than planned. */
  deviation?: boolean;
}

const ALL: ConsentType[] = ['clinical_photography', 'ai_analysis', 'simulation', 'treatment'];
const NO_SIMULATION: ConsentType[] = ['clinical_photography', 'ai_analysis', 'treatment'];

/** In this order, so a short run (`--patients 3`) still shows a signed and treated plan, a draft and a new version. */
const SCENARIOS: Scenario[] = [
  {
    channel: 'instagram',
    consents: ALL,
    clinician: 0,
    grade: true,
    stage: 'treated',
    deviation: true,
    intake: { concerns: 'Looks tired in photos; the frown lines bother her; would like slightly fuller lips.', goals: ['look_less_tired', 'smooth_lines', 'lip_volume'], subtlety: 'balanced', budget: null, downtime: 'few_days', event: null },
  },
  {
    channel: 'referral',
    consents: ALL,
    clinician: 1,
    grade: false,
    stage: 'draft',
    intake: { concerns: 'Getting married soon; wants to look fresh but natural in the photographs.', goals: ['look_less_tired', 'lip_volume', 'skin_quality'], subtlety: 'subtle', budget: 900, downtime: 'none', event: { inDays: 70, description: 'Wedding' } },
  },
  {
    channel: 'google_search',
    history: { anticoagulants: true, medications: 'Apixaban (anticoagulant), daily' },
    consents: NO_SIMULATION,
    clinician: 1,
    grade: true,
    stage: 'revised',
    intake: { concerns: 'Forehead and frown lines; looks cross when she is not.', goals: ['smooth_lines', 'look_less_tired'], subtlety: 'balanced', budget: 600, downtime: 'few_days', event: null },
  },
  {
    channel: 'website',
    female: true,
    history: { pregnant: true },
    consents: NO_SIMULATION,
    clinician: 0,
    grade: false,
    stage: 'draft',
    intake: { concerns: 'Asks about smoothing forehead lines and lip filler.', goals: ['smooth_lines', 'lip_volume'], subtlety: 'subtle', budget: 500, downtime: 'none', event: null },
  },
  {
    channel: 'walk_in',
    consents: ALL,
    clinician: 0,
    grade: true,
    stage: 'in_review',
    intake: { concerns: 'Cheeks look flatter than they used to; wants more balance.', goals: ['midface_volume', 'facial_balance'], subtlety: 'noticeable', budget: 1500, downtime: 'week', event: null },
  },
  {
    channel: 'facebook',
    history: { neuromuscularDisorder: true, medications: 'Pyridostigmine (myasthenia gravis)' },
    consents: NO_SIMULATION,
    clinician: 1,
    grade: false,
    stage: 'in_review',
    intake: { concerns: 'Fine lines and dull skin.', goals: ['smooth_lines', 'skin_quality'], subtlety: 'balanced', budget: null, downtime: 'few_days', event: null },
  },
  {
    // No AI-analysis consent: the photos are stored but not analysed, and the plan is made from the intake alone.
    channel: 'tiktok',
    consents: ['clinical_photography', 'treatment'],
    clinician: 0,
    grade: false,
    stage: 'draft',
    intake: { concerns: 'Would like a more defined jawline and chin.', goals: ['lower_face_definition'], subtlety: 'balanced', budget: 1000, downtime: 'few_days', event: null },
  },
  {
    channel: 'returning',
    history: { priorTreatments: 'Toxin to the frown lines about a year ago, no problems.' },
    consents: NO_SIMULATION,
    clinician: 1,
    grade: true,
    stage: 'treated',
    intake: { concerns: 'Back for a refresh; jawline softening.', goals: ['lower_face_definition', 'smooth_lines'], subtlety: 'balanced', budget: 1200, downtime: 'few_days', event: null },
  },
  {
    channel: 'email',
    history: { allergies: { lidocaine: true, hyaluronicAcid: false, albumin: false, other: '' } },
    consents: ALL,
    clinician: 0,
    grade: true,
    stage: 'signed',
    intake: { concerns: 'Tired eyes and uneven skin tone.', goals: ['look_less_tired', 'skin_quality'], subtlety: 'subtle', budget: 800, downtime: 'none', event: null },
  },
  {
    channel: 'google_ads',
    consents: NO_SIMULATION,
    clinician: 1,
    grade: false,
    stage: 'draft',
    intake: { concerns: 'Lips look thin next to the rest of the face.', goals: ['facial_balance', 'lip_volume'], subtlety: 'balanced', budget: null, downtime: 'week', event: null },
  },
  {
    channel: 'event',
    consents: ALL,
    clinician: 0,
    grade: false,
    stage: 'in_review',
    intake: { concerns: 'Looks tired after a long year.', goals: ['look_less_tired'], subtlety: 'subtle', budget: 400, downtime: 'none', event: { inDays: 45, description: 'Milestone birthday party' } },
  },
  {
    channel: 'referral',
    consents: NO_SIMULATION,
    clinician: 1,
    grade: true,
    stage: 'signed',
    intake: { concerns: 'Wants a stronger chin and fuller cheeks.', goals: ['lower_face_definition', 'midface_volume'], subtlety: 'noticeable', budget: 2500, downtime: 'week', event: null },
  },
];

const FEMALE_NAMES = ['Isla', 'Freya', 'Priya', 'Chloe', 'Hannah', 'Sofia', 'Grace', 'Leila', 'Nina', 'Ruth', 'Mei', 'Zara', 'Alice', 'Maya', 'Erin', 'Tessa'];
const MALE_NAMES = ['Oliver', 'Daniel', 'Tom', 'Arjun', 'Lucas', 'Samuel', 'Kenji', 'Ethan', 'Felix', 'Omar', 'Jonah', 'Rafael', 'Hugo', 'Caleb', 'Theo', 'Marcus'];
const FAMILY_NAMES = [
  'Bennett', 'Lawson', 'Raman', 'Ashworth', 'Okafor', 'Marchetti', 'Whitfield', 'Haddad', 'Kowalski', 'Ellison', 'Tan', 'Quinn',
  'Grant', 'Osei', 'Fairbanks', 'Mehta', 'Moreau', 'Price', 'Ito', 'Doyle', 'Pryce', 'Lindqvist', 'Adeyemi', 'Castell',
];

/** A made-up name: the n-th person of that sex; never derived from the dataset's ids. */
function fictionalName(sex: Face['sex'], n: number, i: number): { givenName: string; familyName: string } {
  const given = sex === 'female' ? FEMALE_NAMES : MALE_NAMES;
  return { givenName: given[n % given.length] as string, familyName: FAMILY_NAMES[(i + 7 * Math.floor(n / given.length)) % FAMILY_NAMES.length] as string };
}

const isoDay = (date: Date): string => date.toISOString().slice(0, 10);
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const daysFromNow = (days: number): string => isoDay(new Date(Date.now() + days * 86_400_000));

/** A date of birth giving that age today, the birthday spread over the year. */
function dateOfBirth(age: number, i: number): string {
  const now = new Date();
  const dob = new Date(Date.UTC(now.getUTCFullYear() - age, now.getUTCMonth(), now.getUTCDate()));
  dob.setUTCDate(dob.getUTCDate() - (20 + ((i * 37) % 320)));
  return isoDay(dob);
}

/* ---------------------------------------------------------------- talking to the API */

type App = Contour['app'];
type Method = 'GET' | 'POST' | 'PUT';

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** One signed-in user of the demo clinic: session cookie and CSRF token, as the web app keeps them. */
class ApiClient {
  private cookie: string | null = null;
  private csrfToken: string | null = null;

  constructor(private readonly app: App) {}

  async signIn(email: string, password: string): Promise<void> {
    const response = await this.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
    if (response.statusCode !== 200) throw new ApiError(response.statusCode, `sign-in as a demo user failed (${response.statusCode})`);
    const cookie = response.cookies.find((c) => c.name === 'contour_session');
    if (!cookie) throw new Error('sign-in set no session cookie');
    this.cookie = `contour_session=${cookie.value}`;
    this.csrfToken = (response.json() as { csrfToken: string }).csrfToken;
  }

  /** A request; an answer other than 2xx is an ApiError naming the route (ids only) and the problem. */
  async call<T>(method: Method, url: string, body?: unknown): Promise<T> {
    const image = Buffer.isBuffer(body);
    const response = await this.app.inject({
      method,
      url,
      headers: {
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(this.csrfToken && method !== 'GET' ? { 'x-csrf-token': this.csrfToken } : {}),
        ...(body !== undefined ? { 'content-type': image ? 'image/jpeg' : 'application/json' } : {}),
      },
      ...(body !== undefined ? { payload: image ? body : JSON.stringify(body) } : {}),
    });
    if (response.statusCode < 200 || response.statusCode > 299) {
      let problem: string;
      try {
        const json = response.json() as { title?: string; detail?: string };
        problem = [json.title, json.detail].filter(Boolean).join(': ');
      } catch {
        problem = 'no problem body';
      }
      throw new ApiError(response.statusCode, `${method} ${url.split('?')[0]} answered ${response.statusCode} (${problem})`);
    }
    return (response.body === '' ? undefined : response.json()) as T;
  }

  get = <T>(url: string) => this.call<T>('GET', url);
  post = <T>(url: string, body: unknown = {}) => this.call<T>('POST', url, body);
  put = <T>(url: string, body: unknown) => this.call<T>('PUT', url, body);
}

/** Runs `attempt`; a refusal with one of `statuses` (e.g. 422 from screening) gives null instead of failing. */
async function unlessRefused<T>(attempt: Promise<T>, statuses: number[]): Promise<T | null> {
  try {
    return await attempt;
  } catch (error) {
    if (error instanceof ApiError && statuses.includes(error.status)) return null;
    throw error;
  }
}

interface PhotoBody {
  id: string;
  status: string;
  statusReason: string | null;
}
interface ZoneBody {
  id: string;
  side: string;
  severity: number | null;
}
interface PlanItem {
  key: string;
  zoneId: string;
  productId: string;
  treatmentClass: string;
  dose: { min: number; max: number; unit: string };
  plannedAmount: number;
  stage: number;
}
interface FinalItem {
  key: string;
  zoneId: string;
  side: string;
  productId: string;
  amount: number;
  unit: string;
  stage: number;
  origin: 'suggested' | 'clinician';
}
interface Plan {
  id: string;
  current: {
    version: number;
    status: 'draft' | 'signed';
    suggested: { items: PlanItem[] };
    final: FinalItem[];
    problems: { code: string; message: string }[];
  };
}

/* ---------------------------------------------------------------- the run */

interface DemoUser {
  role: 'owner' | 'clinician' | 'staff' | 'analyst';
  email: string;
  displayName: string;
  registrationNumber: string | null;
}

const DEMO_USERS: DemoUser[] = [
  { role: 'owner', email: `owner@${EMAIL_DOMAIN}`, displayName: 'Morgan Ellis', registrationNumber: null },
  { role: 'clinician', email: `clinician@${EMAIL_DOMAIN}`, displayName: 'Dr Eleanor Shaw', registrationNumber: 'DEMO-REG-0001' },
  { role: 'clinician', email: `clinician2@${EMAIL_DOMAIN}`, displayName: 'Dr Marcus Reid', registrationNumber: 'DEMO-REG-0002' },
  { role: 'staff', email: `frontdesk@${EMAIL_DOMAIN}`, displayName: 'Sam Taylor', registrationNumber: null },
  { role: 'analyst', email: `analyst@${EMAIL_DOMAIN}`, displayName: 'Robin Hale', registrationNumber: null },
];

/** Counts for the summary, read from the database (no API call, so a repeated run writes nothing, not even an audit entry). */
export interface DemoCounts {
  patients: number;
  consents: number;
  photos: { total: number; analysed: number; notAnalysed: number; failed: number; facialAnalyses: number };
  zoneGrades: number;
  plans: { total: number; draft: number; inReview: number; signed: number; newDraftVersion: number };
  decisions: { accepted: number; modified: number; rejected: number; added: number };
  treatments: number;
  simulations: number;
}

export interface DemoSummary {
  organisationId: string;
  clinicName: string;
  created: boolean;
  fictional: true;
  faces: 'dataset' | 'fixtures' | null;
  users: { role: string; email: string; displayName: string; registrationNumber: string | null }[];
  /** Shared by every demo user; only in the run that made them (it is not stored in clear anywhere). */
  password: string | null;
  counts: DemoCounts;
}

async function demoCounts(db: Db, organisationId: string): Promise<DemoCounts> {
  const count = async (table: 'patient' | 'consent' | 'zone_grade' | 'treatment_record' | 'simulation'): Promise<number> =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('organisation_id', '=', organisationId).executeTakeFirstOrThrow()).n);
  const photos = await db.selectFrom('photo').select(['status', 'facial_analysis']).where('organisation_id', '=', organisationId).execute();
  const versions = await db.selectFrom('plan_version').select(['id', 'plan_id', 'version', 'status']).where('organisation_id', '=', organisationId).execute();
  const decisions = await db.selectFrom('plan_decision').select(['plan_version_id', 'decision']).where('organisation_id', '=', organisationId).execute();
  const latest = new Map<string, (typeof versions)[number]>();
  for (const v of versions) if ((latest.get(v.plan_id)?.version ?? 0) < v.version) latest.set(v.plan_id, v);
  const decided = new Set(decisions.map((d) => d.plan_version_id));
  const plans = { total: latest.size, draft: 0, inReview: 0, signed: 0, newDraftVersion: 0 };
  for (const v of latest.values()) {
    if (v.status === 'signed') plans.signed += 1;
    else if (v.version > 1) plans.newDraftVersion += 1;
    else if (decided.has(v.id)) plans.inReview += 1;
    else plans.draft += 1;
  }
  const kinds = { accepted: 0, modified: 0, rejected: 0, added: 0 };
  for (const d of decisions) if (d.decision in kinds) kinds[d.decision as keyof typeof kinds] += 1;
  return {
    patients: await count('patient'),
    consents: await count('consent'),
    photos: {
      total: photos.length,
      analysed: photos.filter((p) => p.status === 'analysed').length,
      notAnalysed: photos.filter((p) => p.status === 'not_analysed').length,
      failed: photos.filter((p) => p.status === 'failed').length,
      facialAnalyses: photos.filter((p) => p.facial_analysis !== null).length,
    },
    zoneGrades: await count('zone_grade'),
    plans,
    decisions: kinds,
    treatments: await count('treatment_record'),
    simulations: await count('simulation'),
  };
}

async function demoUsers(db: Db, organisationId: string): Promise<DemoSummary['users']> {
  const rows = await db
    .selectFrom('app_user')
    .select(['role', 'email', 'display_name', 'registration_number'])
    .where('organisation_id', '=', organisationId)
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({ role: r.role, email: r.email, displayName: r.display_name, registrationNumber: r.registration_number }));
}

type Existing = { kind: 'demo'; organisationId: string } | { kind: 'other' } | { kind: 'none' };

async function existingOrganisation(db: Db): Promise<Existing> {
  const rows = await db.selectFrom('organisation').select(['id', 'name']).execute();
  const demo = rows.find((r) => r.name === DEMO_CLINIC_NAME);
  if (demo) return { kind: 'demo', organisationId: demo.id };
  return rows.length > 0 ? { kind: 'other' } : { kind: 'none' };
}

/** Everything the run made, by the ids the API gave back (never printed). */
interface PatientRun {
  scenario: Scenario;
  face: Face;
  patientId: string;
  frontalId: string | null;
  photoIds: string[];
}

export async function demo(env: NodeJS.ProcessEnv, output: Output, options: DemoOptions): Promise<number> {
  const config = loadConfig(env);
  const progress = (line: string): void => (options.json ? output.err(line) : output.out(line));
  const database = `${config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${pgliteDirFor(config.dataDir)}`}`;

  // Is there a demo clinic (or another clinic) already? Read-only, before the face model is started.
  const handle = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: pgliteDirFor(config.dataDir) });
  let existing: Existing;
  let summary: DemoSummary | null = null;
  try {
    await migrateToLatest(handle.db);
    existing = await existingOrganisation(handle.db);
    if (existing.kind === 'demo') {
      summary = {
        organisationId: existing.organisationId,
        clinicName: DEMO_CLINIC_NAME,
        created: false,
        fictional: true,
        faces: null,
        users: await demoUsers(handle.db, existing.organisationId),
        password: null,
        counts: await demoCounts(handle.db, existing.organisationId),
      };
    }
  } finally {
    await handle.close();
  }
  if (summary) {
    report(output, options, summary, database);
    return 0;
  }
  if (existing.kind === 'other') {
    output.err(
      `contour demo: this installation (${database}) already holds a clinic. The demo adds fictional patients, so it ` +
        'only runs on an installation of its own: set CONTOUR_DATA_DIR (or DATABASE_URL) to a new one and run it again.',
    );
    return 1;
  }

  const faceSet = await loadFaces(options);
  if (options.patients > faceSet.max) {
    output.err(`contour demo: --patients ${options.patients} is more than the ${faceSet.max} the ${faceSet.source === 'dataset' ? 'London face set has faces for' : 'fixture faces allow'}.`);
    return 2;
  }
  if (faceSet.source === 'fixtures') {
    const why = options.fixtures ? '--fixtures was given' : `the London face set is not in ${options.datasetDir ?? DEFAULT_DATASET_DIR}`;
    progress(`Using the ${faceSet.faces.length} committed fixture faces (${why}), each for several patients.`);
  }

  progress(`Opening Contour (${database}); starting the face model…`);
  const contour = await openContour({ webRoot: null, ...(options.json ? { logLevel: 'silent' } : {}) }, env);
  let organisationId: string | null = null;
  let step = 'creating the clinic';
  try {
    const password = randomBytes(18).toString('base64url');
    const [ownerUser, ...members] = DEMO_USERS as [DemoUser, ...DemoUser[]];
    const created = await createClinic(
      contour.services.db,
      contour.services.auditLog,
      { clinicName: DEMO_CLINIC_NAME, locationName: 'Marylebone', timezone: 'Europe/London', owner: { email: ownerUser.email, displayName: ownerUser.displayName, password } },
      { sourceIp: null, onlyIfFirst: true },
    );
    organisationId = created.organisationId;
    const owner = new ApiClient(contour.app);
    await owner.signIn(ownerUser.email, password);
    for (const user of members) {
      await owner.post('/api/users', { email: user.email, displayName: user.displayName, role: user.role, password, ...(user.registrationNumber ? { registrationNumber: user.registrationNumber } : {}) });
    }
    const frontDesk = new ApiClient(contour.app);
    await frontDesk.signIn(`frontdesk@${EMAIL_DOMAIN}`, password);
    const clinicians = [new ApiClient(contour.app), new ApiClient(contour.app)] as const;
    await clinicians[0].signIn(`clinician@${EMAIL_DOMAIN}`, password);
    await clinicians[1].signIn(`clinician2@${EMAIL_DOMAIN}`, password);
    progress(`Created the clinic and ${DEMO_USERS.length} accounts (owner, two clinicians, front desk, analyst).`);

    step = 'registering patients';
    const runs = await registerPatients(frontDesk, faceSet, options.patients, options.fixturesDir ?? DEFAULT_FIXTURES_DIR);
    progress(`Registered ${plural(runs.length, 'patient')} with their consents (front desk).`);

    step = 'uploading photos';
    for (const run of runs) {
      const { face } = run;
      const clinician = clinicians[run.scenario.clinician];
      const session = await clinician.post<{ id: string }>(`/api/patients/${run.patientId}/photo-sessions`, { notes: 'Baseline photographs (demo)' });
      const frontal = await clinician.call<PhotoBody>('POST', `/api/photo-sessions/${session.id}/photos?view=frontal`, await readFile(face.neutral));
      run.photoIds.push(frontal.id);
      run.frontalId = frontal.id;
      if (face.smiling) run.photoIds.push((await clinician.call<PhotoBody>('POST', `/api/photo-sessions/${session.id}/photos?view=smile`, await readFile(face.smiling))).id);
    }
    const photoCount = runs.reduce((n, r) => n + r.photoIds.length, 0);
    progress(`Uploaded ${plural(photoCount, 'photo')} (stored encrypted, without metadata); waiting for the analysis jobs…`);

    step = 'waiting for the photo analyses';
    const statuses = await waitForAnalyses(clinicians[0], runs.flatMap((r) => r.photoIds), progress);
    const tally = (status: string): number => [...statuses.values()].filter((s) => s === status).length;
    progress(`Photos: ${tally('analysed')} analysed, ${tally('not_analysed')} not analysed (no AI-analysis consent), ${tally('failed')} failed.`);

    step = 'grading zones';
    let grades = 0;
    const analysed = new Map<PatientRun, boolean>();
    for (const run of runs) {
      const clinician = clinicians[run.scenario.clinician];
      const hasAnalysis = run.frontalId !== null && statuses.get(run.frontalId) === 'analysed';
      const analysis = hasAnalysis ? await unlessRefused(clinician.get<{ zones: ZoneBody[] }>(`/api/photos/${run.frontalId}/analysis`), [404, 409]) : null;
      analysed.set(run, analysis !== null);
      if (!analysis || !run.scenario.grade) continue;
      const zones = analysis.zones.filter((z) => z.severity !== null).sort((a, b) => (b.severity ?? 0) - (a.severity ?? 0) || a.id.localeCompare(b.id));
      for (const [k, zone] of zones.slice(0, 3).entries()) {
        // The clinician mostly agrees with the estimate, and sometimes sees one grade more or less.
        const grade = Math.min(4, Math.max(0, Math.round(zone.severity ?? 0) + (k === 1 ? 1 : k === 2 ? -1 : 0)));
        await clinician.put(`/api/photos/${run.frontalId}/grades`, { zoneId: zone.id, side: zone.side, grade, modality: k === 1 ? 'live' : 'photo' });
        grades += 1;
      }
    }
    progress(`Clinicians graded ${plural(grades, 'zone')}.`);

    step = 'making and reviewing plans';
    let treatments = 0;
    let simulations = 0;
    for (const run of runs) {
      const clinician = clinicians[run.scenario.clinician];
      const { intake } = run.scenario;
      const body = {
        intake: {
          concerns: intake.concerns,
          goals: intake.goals,
          subtlety: intake.subtlety,
          budget: intake.budget,
          downtime: intake.downtime,
          upcomingEvent: intake.event ? { date: daysFromNow(intake.event.inDays), description: intake.event.description } : null,
        },
        ...(analysed.get(run) ? { photoId: run.frontalId } : {}),
      };
      let plan = await clinician.post<Plan>(`/api/patients/${run.patientId}/plans`, body);
      const stage = run.scenario.stage;
      if (stage === 'in_review') plan = await reviewPart(clinician, plan);
      if (stage === 'signed' || stage === 'treated' || stage === 'revised') {
        plan = await reviewFully(clinician, plan);
        const signed = await unlessRefused(clinician.post<Plan>(`/api/plans/${plan.id}/versions/${plan.current.version}/sign`), [422]);
        if (!signed) {
          progress('  one plan could not be signed (nothing left to sign after screening); left as a draft.');
          continue;
        }
        plan = signed;
        // The expected projection of the signed plan, where the patient consented to simulation.
        if (analysed.get(run) && run.frontalId) {
          const simulation = await unlessRefused(clinician.post(`/api/photos/${run.frontalId}/simulations`, { planId: plan.id, variant: 'expected' }), [403, 422]);
          if (simulation) simulations += 1;
        }
        if (stage === 'treated') {
          await recordFirstVisit(clinician, run.patientId, plan, run.scenario.deviation === true);
          treatments += 1;
        }
        if (stage === 'revised') await startNewVersion(clinician, plan);
      }
    }
    progress(`Made ${plural(runs.length, 'treatment plan')}, rendered ${plural(simulations, 'simulation')} and recorded ${plural(treatments, 'treatment')}.`);

    summary = {
      organisationId,
      clinicName: DEMO_CLINIC_NAME,
      created: true,
      fictional: true,
      faces: faceSet.source,
      users: await demoUsers(contour.services.db, organisationId),
      password,
      counts: await demoCounts(contour.services.db, organisationId),
    };
  } catch (error) {
    output.err(`contour demo: failed while ${step}: ${error instanceof Error ? error.message : String(error)}`);
    if (organisationId) {
      output.err(`The demo clinic (organisation ${organisationId}) was only partly made. Start again on a new CONTOUR_DATA_DIR (or database).`);
    }
    return 1;
  } finally {
    await contour.close();
  }
  report(output, options, summary, database);
  return 0;
}

/** Which face each patient gets: the first unused face that fits (female for a pregnancy); fixture faces are reused in turn. */
function assignFaces(faceSet: FaceSet, scenarios: Scenario[]): Face[] {
  const used = new Set<number>();
  return scenarios.map((scenario, i) => {
    if (faceSet.source === 'fixtures') return faceSet.faces[i % faceSet.faces.length] as Face;
    let at = faceSet.faces.findIndex((f, k) => !used.has(k) && (!scenario.female || f.sex === 'female'));
    if (at < 0) at = faceSet.faces.findIndex((_, k) => !used.has(k));
    used.add(at);
    return faceSet.faces[at] as Face;
  });
}

/** The front desk registers each patient (with the medical-history form) and records the consents they signed. */
async function registerPatients(frontDesk: ApiClient, faceSet: FaceSet, count: number, fixturesDir: string): Promise<PatientRun[]> {
  const signature = `data:image/png;base64,${(await readFile(`${fixturesDir}/signature.png`)).toString('base64')}`;
  const templates = (await frontDesk.get<{ items: { id: string; type: string; current: boolean }[] }>('/api/consent-templates')).items;
  const templateFor = new Map(templates.filter((t) => t.current).map((t) => [t.type, t.id]));
  const location = (await frontDesk.get<{ items: { id: string }[] }>('/api/locations')).items[0];
  const scenarios = Array.from({ length: count }, (_, i) => SCENARIOS[i % SCENARIOS.length] as Scenario);
  const faces = assignFaces(faceSet, scenarios);
  const perSex = { female: 0, male: 0 };
  const runs: PatientRun[] = [];
  for (const [i, scenario] of scenarios.entries()) {
    const face = faces[i] as Face;
    const name = fictionalName(face.sex, perSex[face.sex]++, i);
    const history: MedicalHistory = { ...emptyMedicalHistory(), ...scenario.history, pregnant: scenario.history?.pregnant === true && face.sex === 'female' };
    const patient = await frontDesk.post<{ id: string }>('/api/patients', {
      ...name,
      dateOfBirth: dateOfBirth(face.age, i),
      sex: face.sex,
      email: `${name.givenName}.${name.familyName}${i >= SCENARIOS.length ? i : ''}@example.com`.toLowerCase(),
      // Ofcom's range for drama: these numbers are never anyone's.
      phone: `+44 20 7946 0${String(100 + i).padStart(3, '0')}`,
      acquisitionChannel: scenario.channel,
      ...(location ? { locationId: location.id } : {}),
      medicalHistory: history,
    });
    for (const type of scenario.consents) {
      const templateId = templateFor.get(type);
      if (!templateId) throw new Error(`the clinic has no current "${type}" consent form`);
      await frontDesk.post(`/api/patients/${patient.id}/consents`, { templateId, signedName: `${name.givenName} ${name.familyName}`, signature });
    }
    runs.push({ scenario, face, patientId: patient.id, frontalId: null, photoIds: [] });
  }
  return runs;
}

/** Polls each photo in turn (the queue takes them in order) until it leaves queued/analysing; returns the final statuses. */
async function waitForAnalyses(client: ApiClient, photoIds: string[], progress: (line: string) => void): Promise<Map<string, string>> {
  const deadline = Date.now() + 120_000 + 30_000 * photoIds.length;
  const statuses = new Map<string, string>();
  let reported = Date.now();
  for (const id of photoIds) {
    for (;;) {
      const photo = await client.get<PhotoBody>(`/api/photos/${id}`);
      if (!['stored', 'queued', 'analysing'].includes(photo.status)) {
        statuses.set(id, photo.status);
        break;
      }
      if (Date.now() > deadline) throw new Error(`a photo is still ${photo.status} after the time allowed for the analyses`);
      if (Date.now() - reported > 10_000) {
        progress(`  ${statuses.size}/${photoIds.length} photos done…`);
        reported = Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  return statuses;
}

const decisionUrl = (plan: Plan, key: string, version = plan.current.version): string =>
  `/api/plans/${plan.id}/versions/${version}/items/${encodeURIComponent(key)}/decision`;

/** A clinician part-way through the review: the first half of the items accepted, the rest still open. */
async function reviewPart(clinician: ApiClient, plan: Plan): Promise<Plan> {
  const items = plan.current.suggested.items;
  let view = plan;
  for (const item of items.slice(0, Math.max(1, Math.floor(items.length / 2)))) view = await clinician.put<Plan>(decisionUrl(plan, item.key), { decision: 'accept' });
  return view;
}

/** Items a clinician might add that the planner did not suggest; screening may refuse some, so there are several. */
const ADDITIONS = [
  { zoneId: 'chin', side: 'centre', productId: 'botox-cosmetic', amount: 4, stage: 1, reason: 'Chin dimpling (mentalis) at rest, seen at the consultation' },
  { zoneId: 'nose', side: 'centre', productId: 'botox-cosmetic', amount: 4, stage: 1, reason: 'Bunny lines when smiling, which the patient pointed out' },
  { zoneId: 'neck', side: 'centre', productId: 'profhilo', amount: 2, stage: 2, reason: 'Crepey skin on the neck; patient asked about it' },
  { zoneId: 'upper_lip', side: 'centre', productId: 'volbella-lips', amount: 0.25, stage: 2, reason: 'Subtle definition of the upper lip border' },
];

/**
 * A full review, as a clinician does it: one item modified (the dose at the lower or upper end of its range, or a
 * later visit) and one rejected, each with a reason, the rest accepted, and one item of the clinician's own added.
 * With fewer than two suggestions there is nothing to modify or reject: those are accepted and an item is added.
 */
async function reviewFully(clinician: ApiClient, plan: Plan): Promise<Plan> {
  const items = plan.current.suggested.items;
  let view = plan;
  const ranged = items.find((i) => i.dose.max > i.dose.min);
  const toModify = items.length >= 2 ? (ranged ?? items[0]) : undefined;
  const toReject = items.length >= 2 ? [...items].reverse().find((i) => i.key !== toModify?.key) : undefined;
  for (const item of items) {
    if (item === toModify) {
      const ranged = item.dose.max > item.dose.min;
      const amount = item.plannedAmount > item.dose.min ? item.dose.min : item.dose.max;
      const change = ranged ? { amount } : { stage: item.stage + 1 };
      const reason = !ranged
        ? 'Patient prefers to spread the treatment over two visits'
        : amount < item.plannedAmount
          ? 'Start at the lower end of the range; review at two weeks'
          : 'Strong muscle action at the consultation: upper end of the range';
      const modified = await unlessRefused(clinician.put<Plan>(decisionUrl(plan, item.key), { decision: 'modify', reason, change }), [400, 422]);
      if (modified) {
        view = modified;
        continue;
      }
    }
    if (item === toReject) {
      view = await clinician.put<Plan>(decisionUrl(plan, item.key), { decision: 'reject', reason: 'Patient prefers to wait with this one' });
      continue;
    }
    view = await clinician.put<Plan>(decisionUrl(plan, item.key), { decision: 'accept' });
  }
  const suggested = new Set(items.map((i) => `${i.zoneId}:${i.productId}`));
  for (const addition of ADDITIONS) {
    if (suggested.has(`${addition.zoneId}:${addition.productId}`)) continue;
    const added = await unlessRefused(clinician.post<Plan>(`/api/plans/${plan.id}/versions/${plan.current.version}/items`, addition), [400, 409, 422]);
    if (added) {
      view = added;
      break;
    }
  }
  return view;
}

/** The first visit of a signed plan, done by the clinician with lot numbers and expiry dates; optionally one zone with a different amount. */
async function recordFirstVisit(clinician: ApiClient, patientId: string, plan: Plan, deviate: boolean): Promise<void> {
  const first = Math.min(...plan.current.final.map((f) => f.stage));
  const visit = plan.current.final.filter((f) => f.stage === first);
  const deviating = deviate ? visit.find((f) => f.unit === 'U' || f.unit === 'mL') : undefined;
  const expiry = daysFromNow(400);
  const items = visit.map((f, i) => ({
    planItemKey: f.key,
    productId: f.productId,
    zoneId: f.zoneId,
    side: f.side,
    amount: f === deviating ? (f.unit === 'U' ? f.amount + 2 : Math.round((f.amount + 0.1) * 100) / 100) : f.amount,
    lotNumber: `DEMO-${f.productId.slice(0, 4).toUpperCase()}-${4200 + i}`,
    expiryDate: expiry,
  }));
  await clinician.post(`/api/patients/${patientId}/treatments`, {
    planId: plan.id,
    planVersion: plan.current.version,
    stage: first,
    performedOn: isoDay(new Date()),
    items,
    notes: deviating ? 'Tolerated well. One zone needed a little more than planned. Aftercare given.' : 'Tolerated well. Aftercare given.',
  });
}

/** Changing a signed plan: a new draft version, in which one item the patient wants to postpone is rejected. */
async function startNewVersion(clinician: ApiClient, plan: Plan): Promise<void> {
  const next = await clinician.post<Plan>(`/api/plans/${plan.id}/versions`);
  const suggestedKeys = new Set(next.current.suggested.items.map((i) => i.key));
  const kept = next.current.final.filter((f) => f.origin === 'suggested' && suggestedKeys.has(f.key));
  const postpone = kept.length >= 2 ? kept[kept.length - 1] : undefined;
  if (postpone) await clinician.put(decisionUrl(next, postpone.key), { decision: 'reject', reason: 'Patient asked to postpone this until after a holiday' });
}

/* ---------------------------------------------------------------- the report */

const roleLabel = (role: string): string => (isRole(role) ? ROLE_LABELS[role] : role);

function report(output: Output, options: DemoOptions, summary: DemoSummary, database: string): void {
  if (options.json) {
    output.out(JSON.stringify(summary, null, 2));
    return;
  }
  const { counts: c } = summary;
  const lines: string[] = [];
  if (summary.created) {
    lines.push(
      '',
      `${DEMO_CLINIC_NAME} is ready (organisation ${summary.organisationId}, ${database}).`,
      'Everything in it is FICTIONAL: made-up patients, histories and plans, on photographs of volunteers from the',
      'Face Research Lab London Set (CC BY 4.0), who consented to their use. Do not enter real patients here.',
      '',
      'Sign in with any of these accounts. The password is shown only now; it is not stored anywhere in clear:',
      ...summary.users.map((u) => `  ${roleLabel(u.role).padEnd(11)} ${u.email.padEnd(34)} ${u.displayName}${u.registrationNumber ? ` (${u.registrationNumber})` : ''}`),
      `  ${'Password'.padEnd(11)} ${summary.password}`,
    );
  } else {
    lines.push(
      `${DEMO_CLINIC_NAME} already exists (organisation ${summary.organisationId}, ${database}); nothing was changed.`,
      'Its patients are fictional. Sign in with one of these accounts and the password printed when the demo was made:',
      ...summary.users.map((u) => `  ${roleLabel(u.role).padEnd(11)} ${u.email}`),
      'The password is not stored in clear. To start over, run `contour demo` with a new CONTOUR_DATA_DIR (or database).',
    );
  }
  lines.push(
    '',
    `In the clinic: ${plural(c.patients, 'patient')}, ${plural(c.consents, 'consent')}, ${plural(c.photos.total, 'photo')} (${c.photos.analysed} analysed, ${c.photos.notAnalysed} not analysed for want of AI-analysis consent${c.photos.failed ? `, ${c.photos.failed} failed` : ''}), ${plural(c.zoneGrades, 'zone grade')},`,
    `  ${plural(c.plans.total, 'treatment plan')} (${plural(c.plans.draft, 'unreviewed draft')}, ${c.plans.inReview} part-reviewed, ${c.plans.signed} signed, ${c.plans.newDraftVersion} signed with a new draft version), ${plural(c.treatments, 'treatment')} recorded, ${plural(c.simulations, 'labelled simulation')}.`,
    '',
    'Start Contour in the same environment (CONTOUR_DATA_DIR, DATABASE_URL) with `npm start` or `contour serve`, and sign in:',
    'the first-run setup page is skipped, because this installation now has a clinic.',
  );
  for (const line of lines) output.out(line);
}
