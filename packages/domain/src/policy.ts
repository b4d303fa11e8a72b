/**
 * Access policy: who may do what. Pure, default deny.
 *
 * Every read and write of clinic data passes through `authorize` in the server's data layer
 * (see packages/server/src/data/). Route handlers never decide access themselves, so a new
 * route cannot bypass this table: an action missing here is denied for everyone.
 */

export const ROLES = ['owner', 'admin', 'clinician', 'staff', 'analyst'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  owner: 'Owner',
  admin: 'Administrator',
  clinician: 'Clinician',
  staff: 'Front desk',
  analyst: 'Analyst',
};

/** Everything the data layer can be asked to do. Names say what the clinic does, not HTTP verbs. */
export const ACTIONS = [
  'patient.search',
  'patient.read',
  'patient.create',
  'patient.update',
  'patient.archive',
  'patient.erase',
  'patient.clinicalNotes.read',
  'patient.clinicalNotes.write',
  'consent.read',
  'consent.record',
  'consent.withdraw',
  'consentTemplate.read',
  'consentTemplate.manage',
  'patientFile.read',
  'patientFile.upload',
  'user.read',
  'user.manage',
  'location.read',
  'location.manage',
  'organisation.read',
  'audit.read',
  'audit.verify',
  'stats.read',
  'clinical.sign',
  'photo.read',
  'photo.capture',
  'photoProtocol.manage',
  'analysis.read',
  'analysis.grade',
  'catalogue.read',
  'catalogue.manage',
  'plan.read',
  'plan.create',
  'plan.review',
  'treatment.read',
  'treatment.record',
  'governance.read',
  'simulation.read',
  'simulation.create',
] as const;
export type Action = (typeof ACTIONS)[number];

const everyPatientAction: Action[] = [
  'patient.search',
  'patient.read',
  'patient.create',
  'patient.update',
  'patient.archive',
  'patient.clinicalNotes.read',
  'patient.clinicalNotes.write',
  'consent.read',
  'consent.record',
  'consent.withdraw',
  'consentTemplate.read',
  'patientFile.read',
  'patientFile.upload',
];

/** Clinical photography: taking, viewing and analysing photos, reading facial analyses (owners, administrators, clinicians). */
const photography: Action[] = ['photo.read', 'photo.capture', 'analysis.read'];

/** Treatment planning: reading plans and treatments, and starting a consultation's suggested plan. */
const planning: Action[] = ['catalogue.read', 'plan.read', 'plan.create', 'treatment.read', 'simulation.read', 'simulation.create'];

const management: Action[] = [
  'patient.erase',
  'photoProtocol.manage',
  'consentTemplate.manage',
  'user.read',
  'user.manage',
  'location.read',
  'location.manage',
  'organisation.read',
  'audit.read',
  'audit.verify',
  'stats.read',
  'catalogue.manage',
  'governance.read',
];

/**
 * The grant table. Owners and administrators run the practice but do not sign clinical decisions;
 * only clinicians (with a registration number) do. Front desk handles registration, intake and
 * consents but neither clinical notes, patient files nor photos. Analysts see aggregates only.
 * Owners and administrators set the clinic's photo protocol. Only clinicians grade facial zones
 * (`analysis.grade`): a grade is a clinical judgement. Only clinicians decide on a plan's items (`plan.review`)
 * and record treatments they performed (`treatment.record`); owners and administrators may start a plan
 * and manage the treatment catalogue. The AI-governance report is aggregate (owners, administrators, analysts).
 */
const GRANTS: Record<Role, ReadonlySet<Action>> = {
  owner: new Set([...everyPatientAction, ...photography, ...planning, ...management]),
  admin: new Set([...everyPatientAction, ...photography, ...planning, ...management]),
  clinician: new Set([
    ...everyPatientAction,
    ...photography,
    ...planning,
    'plan.review',
    'treatment.record',
    'user.read',
    'location.read',
    'organisation.read',
    'stats.read',
    'clinical.sign',
    'analysis.grade',
  ]),
  staff: new Set([
    'patient.search',
    'patient.read',
    'patient.create',
    'patient.update',
    'patient.archive',
    'consent.read',
    'consent.record',
    'consent.withdraw',
    'consentTemplate.read',
    'catalogue.read',
    'user.read',
    'location.read',
    'organisation.read',
  ]),
  analyst: new Set(['organisation.read', 'location.read', 'stats.read', 'governance.read']),
};

export interface Actor {
  userId: string;
  organisationId: string;
  role: Role;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** True only when the role is known and the grant table lists the action. */
export function isAllowed(role: Role, action: Action): boolean {
  // isRole first: a name like 'toString' or '__proto__' would otherwise reach Object.prototype and throw.
  return isRole(role) && GRANTS[role].has(action);
}

/** Roles a user holding `granter` may give or take away. Only an owner can make or manage owners. */
export function assignableRoles(granter: Role): Role[] {
  if (granter === 'owner') return [...ROLES];
  if (granter === 'admin') return ROLES.filter((role) => role !== 'owner');
  return [];
}

/** Only clinicians sign clinical decisions, and only with a professional registration number. */
export function maySignClinicalDecisions(role: Role, registrationNumber: string | null | undefined): boolean {
  return isAllowed(role, 'clinical.sign') && typeof registrationNumber === 'string' && registrationNumber.trim() !== '';
}
