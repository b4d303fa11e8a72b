import type { Action } from '@contour/domain';
import type { Db } from '../db/database.js';
import type { AuditLog } from './audit-log.js';
import { AuditTrail } from './audit-trail.js';
import { ConsentRecords } from './consents.js';
import { FacialAnalyses } from './facial-analyses.js';
import { Governance } from './governance.js';
import { Locations } from './locations.js';
import { PatientFiles } from './patient-files.js';
import type { PatientVault } from './patient-vault.js';
import { PatientRecords } from './patients.js';
import type { PhotoAnalysisJobs } from './photo-analysis.js';
import { PhotoProtocols } from './photo-protocols.js';
import { PlanSummaries } from './plan-summaries.js';
import { Photos } from './photos.js';
import { Scope, type Caller } from './scope.js';
import { Simulations } from './simulations.js';
import { Stats } from './stats.js';
import { TreatmentCatalogues } from './treatment-catalogues.js';
import { TreatmentPlans } from './treatment-plans.js';
import { Treatments } from './treatments.js';
import { Users } from './users.js';

/**
 * Everything a request may touch, bound to its caller. Built once per request; there is no
 * unbound way into clinic data from a route handler.
 */
export class ClinicData {
  readonly patients: PatientRecords;
  readonly consents: ConsentRecords;
  readonly files: PatientFiles;
  readonly users: Users;
  readonly locations: Locations;
  readonly stats: Stats;
  readonly audit: AuditTrail;
  readonly photos: Photos;
  readonly photoProtocol: PhotoProtocols;
  readonly analysis: FacialAnalyses;
  readonly catalogue: TreatmentCatalogues;
  readonly plans: TreatmentPlans;
  readonly planSummaries: PlanSummaries;
  readonly treatments: Treatments;
  readonly governance: Governance;
  readonly simulations: Simulations;
  private readonly scope: Scope;

  constructor(db: Db, auditLog: AuditLog, vault: PatientVault, photoAnalysis: PhotoAnalysisJobs, caller: Caller) {
    const scope = new Scope(db, auditLog, vault, caller);
    this.scope = scope;
    this.patients = new PatientRecords(scope);
    this.consents = new ConsentRecords(scope, this.patients);
    this.files = new PatientFiles(scope, this.patients);
    this.users = new Users(scope);
    this.locations = new Locations(scope);
    this.stats = new Stats(scope);
    this.audit = new AuditTrail(scope);
    this.photos = new Photos(scope, this.patients, this.consents, photoAnalysis);
    this.photoProtocol = new PhotoProtocols(scope);
    this.analysis = new FacialAnalyses(scope);
    this.catalogue = new TreatmentCatalogues(scope);
    this.plans = new TreatmentPlans(scope, this.patients, this.consents, this.catalogue);
    this.treatments = new Treatments(scope, this.patients, this.consents, this.catalogue);
    this.governance = new Governance(scope, this.catalogue);
    this.simulations = new Simulations(scope, this.patients, this.consents, this.plans, this.catalogue, photoAnalysis.faces);
    this.planSummaries = new PlanSummaries(scope, this.plans, this.simulations);
  }

  /** The route-level gate: the same policy and audit as every repository method, checked before the body is read. */
  async authorize(action: Action, event: string): Promise<void> {
    await this.scope.authorize(action, event);
  }
}
