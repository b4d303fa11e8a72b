/**
 * `contour plan --intake intake.json [--analysis analysis.json] [--json]`: the planner's suggested treatment plan
 * from files, offline, with the reference catalogue (DEFAULT_CATALOGUE). The intake format is documented in
 * docs/intake-format.md; the analysis is the output of `contour analyze IMAGE --json` (one object or an array:
 * the first result with zone findings is used), or `{ "zones": [...] }`, and may carry clinician grades
 * `{ "grades": [{ "zoneId", "side", "grade" }] }`, which replace the AI estimate of the same zone and side.
 *
 * Input is checked strictly (an unknown field such as "pregnent" is refused, not ignored): a typo in a medical
 * history must not silently drop a contraindication. Bad input exits with code 2 and a message, no stack trace.
 */
import { readFile } from 'node:fs/promises';
import {
  DEFAULT_CATALOGUE,
  DOSE_UNITS,
  DOWNTIME_TOLERANCE,
  PATIENT_GOALS,
  SEXES,
  SUBTLETY,
  TREATMENT_CLASSES,
  ZONE_IDS,
  emptyMedicalHistory,
  formatMoney,
  isIsoDate,
  placeName,
  planTreatment,
  productById,
  type ConsultationIntake,
  type MedicalHistory,
  type PlanFinding,
  type PlanPatient,
  type Side,
  type SuggestedPlan,
  type TreatmentCatalogue,
  type ZoneId,
} from '@contour/domain';
import type { Output } from './commands.js';

export interface PlanOptions {
  intake: string;
  analysis: string | null;
  json: boolean;
}

export function parsePlanArgs(args: string[]): PlanOptions | string {
  let intake: string | null = null;
  let analysis: string | null = null;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--json') json = true;
    else if (arg === '--intake') intake = args[++i] ?? '';
    else if (arg.startsWith('--intake=')) intake = arg.slice('--intake='.length);
    else if (arg === '--analysis') analysis = args[++i] ?? '';
    else if (arg.startsWith('--analysis=')) analysis = arg.slice('--analysis='.length);
    else if (arg.startsWith('--')) return `Unknown option ${arg}`;
    else return `Unexpected argument "${arg}": name files with --intake and --analysis.`;
  }
  if (!intake) return 'Give the intake file: --intake intake.json (format: docs/intake-format.md).';
  if (analysis === '') return 'Give the analysis file after --analysis.';
  return { intake, analysis, json };
}

/** Bad input, reported as a message (exit code 2), never as a stack trace. */
export class PlanInputError extends Error {}

const fail = (message: string): never => {
  throw new PlanInputError(message);
};

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (values: readonly string[]): string => values.map((v) => `"${v}"`).join(', ');

function objectAt(value: unknown, path: string): Json {
  return isObject(value) ? value : fail(`${path} must be an object.`);
}

function onlyKnown(value: Json, known: readonly string[], path: string): void {
  const unknown = Object.keys(value).filter((k) => !known.includes(k));
  if (unknown.length > 0) fail(`${path}: unknown field ${list(unknown)} (known: ${list(known)}).`);
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fail(`${path} must be one of ${list(allowed)}, got ${JSON.stringify(value)}.`);
}

function bool(value: unknown, path: string): boolean {
  return typeof value === 'boolean' ? value : fail(`${path} must be true or false, got ${JSON.stringify(value)}.`);
}

function text(value: unknown, path: string): string {
  return typeof value === 'string' ? value : fail(`${path} must be text, got ${JSON.stringify(value)}.`);
}

function num(value: unknown, path: string, min: number, max: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max ? value : fail(`${path} must be a number from ${min} to ${max}, got ${JSON.stringify(value)}.`);
}

function isoDate(value: unknown, path: string): string {
  return typeof value === 'string' && isIsoDate(value) ? value : fail(`${path} must be a date written yyyy-mm-dd, got ${JSON.stringify(value)}.`);
}

function arrayAt(value: unknown, path: string): unknown[] {
  return Array.isArray(value) ? value : fail(`${path} must be a list ([...]).`);
}

const FLAGS = ['pregnant', 'breastfeeding', 'neuromuscularDisorder', 'anticoagulants', 'autoimmuneDisease', 'activeSkinInfection', 'keloidHistory'] as const;
const NOTES = ['priorPermanentFiller', 'priorTreatments', 'medications'] as const;

function medicalHistory(value: unknown): MedicalHistory {
  const history = emptyMedicalHistory();
  if (value === undefined) return history;
  const h = objectAt(value, 'patient.medicalHistory');
  onlyKnown(h, ['allergies', ...FLAGS, ...NOTES], 'patient.medicalHistory');
  for (const flag of FLAGS) if (h[flag] !== undefined) history[flag] = bool(h[flag], `patient.medicalHistory.${flag}`);
  for (const note of NOTES) if (h[note] !== undefined) history[note] = text(h[note], `patient.medicalHistory.${note}`);
  if (h.allergies !== undefined) {
    const a = objectAt(h.allergies, 'patient.medicalHistory.allergies');
    onlyKnown(a, ['lidocaine', 'hyaluronicAcid', 'albumin', 'other'], 'patient.medicalHistory.allergies');
    for (const c of ['lidocaine', 'hyaluronicAcid', 'albumin'] as const) if (a[c] !== undefined) history.allergies[c] = bool(a[c], `patient.medicalHistory.allergies.${c}`);
    if (a.other !== undefined) history.allergies.other = text(a.other, 'patient.medicalHistory.allergies.other');
  }
  return history;
}

function lastTreatment(value: unknown, path: string, catalogue: TreatmentCatalogue): PlanPatient['lastTreatments'][number] {
  const t = objectAt(value, path);
  onlyKnown(t, ['productId', 'treatmentClass', 'date', 'amount', 'unit'], path);
  const productId = text(t.productId, `${path}.productId`);
  const product = productById(catalogue, productId);
  // The class and unit come from the catalogue when the product is in it; otherwise they must be given.
  const treatmentClass = t.treatmentClass === undefined && product ? product.treatmentClass : oneOf(t.treatmentClass, TREATMENT_CLASSES, `${path}.treatmentClass`);
  const unit = t.unit === undefined && product ? product.unit : oneOf(t.unit, DOSE_UNITS, `${path}.unit`);
  return { productId, treatmentClass, date: isoDate(t.date, `${path}.date`), amount: t.amount === undefined ? 0 : num(t.amount, `${path}.amount`, 0, 10_000), unit };
}

function planPatient(value: unknown, catalogue: TreatmentCatalogue): PlanPatient {
  const p = objectAt(value, 'patient');
  onlyKnown(p, ['age', 'sex', 'medicalHistory', 'lastTreatments', 'infectedZones'], 'patient');
  return {
    age: p.age === undefined || p.age === null ? null : Math.floor(num(p.age, 'patient.age', 0, 130)),
    sex: p.sex === undefined ? 'not_stated' : oneOf(p.sex, SEXES, 'patient.sex'),
    medicalHistory: medicalHistory(p.medicalHistory),
    lastTreatments: p.lastTreatments === undefined ? [] : arrayAt(p.lastTreatments, 'patient.lastTreatments').map((t, i) => lastTreatment(t, `patient.lastTreatments[${i}]`, catalogue)),
    infectedZones: p.infectedZones === undefined ? [] : arrayAt(p.infectedZones, 'patient.infectedZones').map((z, i) => oneOf(z, ZONE_IDS, `patient.infectedZones[${i}]`)),
  };
}

function consultationIntake(value: unknown): ConsultationIntake {
  const c = objectAt(value, 'intake');
  onlyKnown(c, ['concerns', 'goals', 'subtlety', 'budget', 'downtime', 'upcomingEvent'], 'intake');
  let upcomingEvent: ConsultationIntake['upcomingEvent'] = null;
  if (c.upcomingEvent !== undefined && c.upcomingEvent !== null) {
    const e = objectAt(c.upcomingEvent, 'intake.upcomingEvent');
    onlyKnown(e, ['date', 'description'], 'intake.upcomingEvent');
    upcomingEvent = { date: isoDate(e.date, 'intake.upcomingEvent.date'), description: e.description === undefined ? '' : text(e.description, 'intake.upcomingEvent.description') };
  }
  return {
    concerns: c.concerns === undefined ? '' : text(c.concerns, 'intake.concerns'),
    goals: [...new Set(arrayAt(c.goals ?? fail('intake.goals is required (a list, possibly empty).'), 'intake.goals').map((g, i) => oneOf(g, PATIENT_GOALS, `intake.goals[${i}]`)))],
    subtlety: oneOf(c.subtlety, SUBTLETY, 'intake.subtlety'),
    budget: c.budget === undefined || c.budget === null ? null : num(c.budget, 'intake.budget', 0, 1_000_000),
    downtime: oneOf(c.downtime, DOWNTIME_TOLERANCE, 'intake.downtime'),
    upcomingEvent,
  };
}

/** Today's date where the command runs (the consultation date when the intake gives none). */
const localDate = (d: Date): string => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

export interface PlanRequest {
  patient: PlanPatient;
  intake: ConsultationIntake;
  today: string;
}

/** The intake file's content, checked. */
export function readIntake(value: unknown, now: Date, catalogue: TreatmentCatalogue = DEFAULT_CATALOGUE): PlanRequest {
  const file = objectAt(value, 'The intake file');
  onlyKnown(file, ['patient', 'intake', 'today'], 'The intake file');
  return {
    patient: planPatient(file.patient ?? fail('The intake file has no "patient".'), catalogue),
    intake: consultationIntake(file.intake ?? fail('The intake file has no "intake".')),
    today: file.today === undefined ? localDate(now) : isoDate(file.today, 'today'),
  };
}

const SIDES: readonly Side[] = ['right', 'left', 'centre'];

function zoneFinding(value: unknown, path: string): PlanFinding | null {
  const z = objectAt(value, path);
  const zoneId = oneOf(z.id ?? z.zoneId, ZONE_IDS, `${path}.id`);
  const side = oneOf(z.side, SIDES, `${path}.side`);
  // A zone without a calibrated estimate has severity null: nothing to plan from.
  if (z.severity === null || z.severity === undefined) return null;
  return {
    zoneId,
    side,
    severity: num(z.severity, `${path}.severity`, 0, 4),
    source: 'ai',
    confidence: num(z.confidence, `${path}.confidence`, 0, 1),
    scale: z.scale === undefined || z.scale === null ? null : text(z.scale, `${path}.scale`),
  };
}

function clinicianGrade(value: unknown, path: string): PlanFinding {
  const g = objectAt(value, path);
  onlyKnown(g, ['zoneId', 'side', 'grade', 'scale'], path);
  return {
    zoneId: oneOf(g.zoneId, ZONE_IDS, `${path}.zoneId`) as ZoneId,
    side: oneOf(g.side, SIDES, `${path}.side`),
    severity: num(g.grade, `${path}.grade`, 0, 4),
    source: 'clinician',
    confidence: 1,
    scale: g.scale === undefined || g.scale === null ? null : text(g.scale, `${path}.scale`),
  };
}

/** Zone findings (AI estimates) and clinician grades from an analysis file. */
export function readAnalysis(value: unknown): PlanFinding[] {
  const results = Array.isArray(value) ? value : [value];
  const chosen = results.find((r) => isObject(r) && ((Array.isArray(r.zones) && r.zones.length > 0) || Array.isArray(r.grades)));
  if (!isObject(chosen)) {
    return fail('The analysis file has no zone findings: expected the output of `contour analyze IMAGE --json` for a frontal photo, { "zones": [...] } or { "grades": [...] }.');
  }
  const zones = chosen.zones === undefined ? [] : arrayAt(chosen.zones, 'zones').map((z, i) => zoneFinding(z, `zones[${i}]`));
  const grades = chosen.grades === undefined ? [] : arrayAt(chosen.grades, 'grades').map((g, i) => clinicianGrade(g, `grades[${i}]`));
  return [...zones.filter((z): z is PlanFinding => z !== null), ...grades];
}

async function readJson(file: string, what: string): Promise<unknown> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(`${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : 'cannot be read'} (the ${what} file).`);
  }
  try {
    return JSON.parse(content) as unknown;
  } catch (error) {
    return fail(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/* ---- text output ---- */

const amount = (n: number, unit: string): string => `${n} ${unit}`;
const brand = (productId: string): string => productById(DEFAULT_CATALOGUE, productId)?.brand ?? productId;
const zoneNames = (zoneIds: ZoneId[]): string => zoneIds.map((z) => placeName(z, 'centre').toLowerCase()).join(', ');

function itemLines(p: SuggestedPlan, key: string): string[] {
  const i = p.items.find((x) => x.key === key);
  if (!i) return [];
  const range = i.dose.min === i.dose.max ? amount(i.dose.min, i.dose.unit) : `${i.dose.min}–${amount(i.dose.max, i.dose.unit)}`;
  const lines = [
    `  • ${placeName(i.zoneId, i.side)}: ${i.productLabel} ${range} (planned ${amount(i.plannedAmount, i.dose.unit)}), ${formatMoney(i.cost.planned, p.currency)}${i.offLabel ? '  [off-label: clinician judgement]' : ''}`,
    `      why: ${i.rationale.text}`,
    `      expected: ${i.expectedChange.text}`,
  ];
  if (i.cautions.length > 0) lines.push(`      cautions: ${i.cautions.join(', ')}`);
  return lines;
}

/** The plan in words, for a terminal. */
export function formatPlan(p: SuggestedPlan): string[] {
  const lines = [`Suggested treatment plan (${p.rulesVersion}), prices in ${p.currency}.`, 'A suggestion for the clinician to review: doses are ranges, the clinician decides. Not a prescription.', ''];
  if (p.stages.length === 0) lines.push('No treatment is suggested.');
  for (const s of p.stages) {
    lines.push(`${s.label}`, `  from ${s.earliestDate}, ${formatMoney(s.cost, p.currency)}`);
    for (const key of s.itemKeys) lines.push(...itemLines(p, key));
    lines.push('');
  }
  if (p.blocked.length > 0) {
    lines.push('Not suggested (contraindicated; cannot be overridden):');
    for (const b of p.blocked) lines.push(`  ✗ ${placeName(b.zoneId, b.side)}, ${brand(b.productId)}: ${b.rule}: ${b.reason}`);
    lines.push('');
  }
  if ((p.leftOut ?? []).length > 0) {
    lines.push('Left out:');
    for (const l of p.leftOut ?? []) lines.push(`  – ${placeName(l.zoneId, l.side)}, ${brand(l.productId)}: ${l.reason}`);
    lines.push('');
  }
  if (p.deferredForBudget.length > 0) {
    lines.push('Deferred for the budget:');
    for (const d of p.deferredForBudget) lines.push(`  – ${placeName(d.zoneId, d.side)}, ${brand(d.productId)}: ${formatMoney(d.cost, p.currency)}`);
    lines.push('');
  }
  if (p.cautions.length > 0) {
    lines.push('Cautions:');
    for (const c of p.cautions) lines.push(`  ! ${c.rule}: ${c.text} (${c.itemKeys.length} item(s))`);
    lines.push('');
  }
  if (p.maintenance.length > 0) {
    lines.push('Maintenance:');
    for (const m of p.maintenance) lines.push(`  ${m.productLabel} (${zoneNames(m.zoneIds)}): about every ${m.everyMonths} months; first reminder ${m.firstReminder}`);
    lines.push('');
  }
  lines.push(`Total: ${formatMoney(p.totalCost.planned, p.currency)} planned (${formatMoney(p.totalCost.min, p.currency)}–${formatMoney(p.totalCost.max, p.currency)} across the ranges)`, '', 'Why:');
  for (const e of p.explanation) lines.push(`  - ${e}`);
  return lines;
}

/** Runs the command; `now` gives the consultation date when the intake has none. */
export async function plan(options: PlanOptions, output: Output, now: () => Date = () => new Date()): Promise<number> {
  try {
    const request = readIntake(await readJson(options.intake, 'intake'), now());
    const findings = options.analysis ? readAnalysis(await readJson(options.analysis, 'analysis')) : [];
    const suggested = planTreatment({ ...request, findings, catalogue: DEFAULT_CATALOGUE });
    if (options.json) output.out(JSON.stringify(suggested, null, 2));
    else for (const line of formatPlan(suggested)) output.out(line);
    return 0;
  } catch (error) {
    if (error instanceof PlanInputError) {
      output.err(`contour plan: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
