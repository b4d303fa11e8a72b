import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  ROLES,
  ROLE_LABELS,
  assignableRoles,
  isAllowed,
  isRole,
  maySignClinicalDecisions,
  type Action,
  type Role,
} from './policy.js';

/**
 * The grant table written out by hand, independently of policy.ts, so a change to who may do what
 * has to be made (and reviewed) in both places.
 */
const EXPECTED: Record<Role, Action[]> = {
  owner: [
    'patient.search', 'patient.read', 'patient.create', 'patient.update', 'patient.archive', 'patient.erase',
    'patient.clinicalNotes.read', 'patient.clinicalNotes.write',
    'consent.read', 'consent.record', 'consent.withdraw', 'consentTemplate.read', 'consentTemplate.manage',
    'patientFile.read', 'patientFile.upload',
    'user.read', 'user.manage', 'location.read', 'location.manage', 'organisation.read',
    'audit.read', 'audit.verify', 'stats.read',
    'photo.read', 'photo.capture', 'photoProtocol.manage', 'analysis.read',
    'catalogue.read', 'catalogue.manage', 'plan.read', 'plan.create', 'treatment.read', 'governance.read',
    'simulation.read', 'simulation.create',
  ],
  admin: [
    'patient.search', 'patient.read', 'patient.create', 'patient.update', 'patient.archive', 'patient.erase',
    'patient.clinicalNotes.read', 'patient.clinicalNotes.write',
    'consent.read', 'consent.record', 'consent.withdraw', 'consentTemplate.read', 'consentTemplate.manage',
    'patientFile.read', 'patientFile.upload',
    'user.read', 'user.manage', 'location.read', 'location.manage', 'organisation.read',
    'audit.read', 'audit.verify', 'stats.read',
    'photo.read', 'photo.capture', 'photoProtocol.manage', 'analysis.read',
    'catalogue.read', 'catalogue.manage', 'plan.read', 'plan.create', 'treatment.read', 'governance.read',
    'simulation.read', 'simulation.create',
  ],
  clinician: [
    'patient.search', 'patient.read', 'patient.create', 'patient.update', 'patient.archive',
    'patient.clinicalNotes.read', 'patient.clinicalNotes.write',
    'consent.read', 'consent.record', 'consent.withdraw', 'consentTemplate.read',
    'patientFile.read', 'patientFile.upload',
    'user.read', 'location.read', 'organisation.read', 'stats.read', 'clinical.sign',
    'photo.read', 'photo.capture', 'analysis.read', 'analysis.grade',
    'catalogue.read', 'plan.read', 'plan.create', 'plan.review', 'treatment.read', 'treatment.record',
    'simulation.read', 'simulation.create',
  ],
  staff: [
    'patient.search', 'patient.read', 'patient.create', 'patient.update', 'patient.archive',
    'consent.read', 'consent.record', 'consent.withdraw', 'consentTemplate.read', 'catalogue.read',
    'user.read', 'location.read', 'organisation.read',
  ],
  analyst: ['organisation.read', 'location.read', 'stats.read', 'governance.read'],
};

const granted = (role: Role): Action[] => ACTIONS.filter((action) => isAllowed(role, action));

describe('policy: default deny', () => {
  const unknownActions = ['patient.delete', 'patient.clinicalNotes', '', 'PATIENT.READ', 'audit.*', '*', 'stats.read ', 'toString', '__proto__', 'constructor'];

  it.each(ROLES)('denies %s every action the table does not know', (role) => {
    for (const name of unknownActions) expect(isAllowed(role, name as Action), `${role} / ${JSON.stringify(name)}`).toBe(false);
  });

  it('denies every action to a role that is not in the table', () => {
    for (const role of ['root', 'superuser', '', 'Owner', 'toString', '__proto__'] as const) {
      for (const action of ACTIONS) expect(isAllowed(role as unknown as Role, action), `${role} / ${action}`).toBe(false);
    }
  });

  it('knows exactly the five roles', () => {
    expect([...ROLES].sort()).toEqual(['admin', 'analyst', 'clinician', 'owner', 'staff']);
    expect(Object.keys(ROLE_LABELS).sort()).toEqual([...ROLES].sort());
    for (const role of ROLES) expect(isRole(role)).toBe(true);
    for (const value of ['root', 'Owner', '', null, undefined, 1, {}, ['owner'], 'toString']) expect(isRole(value)).toBe(false);
  });
});

describe('policy: the grant table', () => {
  it.each(ROLES)('grants %s exactly the documented actions', (role) => {
    expect(granted(role).sort()).toEqual([...EXPECTED[role]].sort());
  });

  it('every expected action is a real action (no typos in the table above)', () => {
    for (const role of ROLES) for (const action of EXPECTED[role]) expect(ACTIONS).toContain(action);
  });

  it('analysts see aggregates only: nothing about patients, consents, files, users or the audit trail', () => {
    expect(granted('analyst').sort()).toEqual(['governance.read', 'location.read', 'organisation.read', 'stats.read']);
    for (const action of ACTIONS) {
      if (/^(patient|consent|patientFile|user|audit|clinical|photo|analysis|plan|treatment|catalogue|simulation)/.test(action)) expect(isAllowed('analyst', action), action).toBe(false);
    }
  });

  it('front desk has no clinical notes, patient files, audit, user management or erasure', () => {
    const refused: Action[] = [
      'patient.clinicalNotes.read',
      'patient.clinicalNotes.write',
      'patientFile.read',
      'patientFile.upload',
      'audit.read',
      'audit.verify',
      'user.manage',
      'patient.erase',
      'consentTemplate.manage',
      'location.manage',
      'stats.read',
      'clinical.sign',
    ];
    for (const action of refused) expect(isAllowed('staff', action), action).toBe(false);
    // ...but does the front-desk work itself.
    for (const action of ['patient.create', 'patient.update', 'consent.record', 'consent.withdraw'] as const) {
      expect(isAllowed('staff', action), action).toBe(true);
    }
  });

  it('only clinicians hold clinical.sign', () => {
    expect(ROLES.filter((role) => isAllowed(role, 'clinical.sign'))).toEqual(['clinician']);
  });

  it('only owners and admins erase patients, manage users and read the audit trail', () => {
    for (const action of ['patient.erase', 'user.manage', 'audit.read', 'audit.verify', 'consentTemplate.manage', 'location.manage'] as const) {
      expect(ROLES.filter((role) => isAllowed(role, action)).sort(), action).toEqual(['admin', 'owner']);
    }
  });

  it('photography: owners, admins and clinicians take and view photos; only owners and admins set the protocol', () => {
    for (const action of ['photo.read', 'photo.capture'] as const) {
      expect(ROLES.filter((role) => isAllowed(role, action)).sort(), action).toEqual(['admin', 'clinician', 'owner']);
    }
    expect(ROLES.filter((role) => isAllowed(role, 'photoProtocol.manage')).sort()).toEqual(['admin', 'owner']);
    for (const action of ['photo.read', 'photo.capture', 'photoProtocol.manage'] as const) {
      expect(isAllowed('staff', action), action).toBe(false);
      expect(isAllowed('analyst', action), action).toBe(false);
    }
  });

  it('facial analysis: owners, admins and clinicians read it; only clinicians grade', () => {
    expect(ROLES.filter((role) => isAllowed(role, 'analysis.read')).sort()).toEqual(['admin', 'clinician', 'owner']);
    expect(ROLES.filter((role) => isAllowed(role, 'analysis.grade'))).toEqual(['clinician']);
  });

  it('every action in ACTIONS is granted to somebody', () => {
    for (const action of ACTIONS) expect(ROLES.some((role) => isAllowed(role, action)), action).toBe(true);
  });
});

describe('maySignClinicalDecisions', () => {
  it('needs the clinician role and a non-blank registration number', () => {
    expect(maySignClinicalDecisions('clinician', 'GMC 7012345')).toBe(true);
    expect(maySignClinicalDecisions('clinician', '  NMC-12A3456E ')).toBe(true);
    for (const missing of [null, undefined, '', '   ', '\t\n']) {
      expect(maySignClinicalDecisions('clinician', missing), JSON.stringify(missing)).toBe(false);
    }
  });

  it.each(['owner', 'admin', 'staff', 'analyst'] as const)('refuses %s even with a registration number', (role) => {
    expect(maySignClinicalDecisions(role, 'GMC 7012345')).toBe(false);
  });

  it('refuses a role outside the table', () => {
    expect(maySignClinicalDecisions('surgeon' as Role, 'GMC 7012345')).toBe(false);
  });
});

describe('assignableRoles', () => {
  it('lets an owner assign every role, owner included', () => {
    expect(assignableRoles('owner').sort()).toEqual([...ROLES].sort());
  });

  it('lets an admin assign every role except owner', () => {
    expect(assignableRoles('admin').sort()).toEqual(['admin', 'analyst', 'clinician', 'staff']);
    expect(assignableRoles('admin')).not.toContain('owner');
  });

  it.each(['clinician', 'staff', 'analyst'] as const)('lets %s assign nothing', (role) => {
    expect(assignableRoles(role)).toEqual([]);
  });

  it('lets a role outside the table assign nothing', () => {
    expect(assignableRoles('root' as Role)).toEqual([]);
  });

  it('returns a fresh array each time, so a caller cannot widen the table by mutating it', () => {
    const roles = assignableRoles('admin');
    roles.push('owner');
    expect(assignableRoles('admin')).not.toContain('owner');
    const all = assignableRoles('owner');
    all.length = 0;
    expect(assignableRoles('owner')).toHaveLength(ROLES.length);
  });
});
