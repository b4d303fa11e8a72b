/**
 * Consultations and treatment plans (issue 5). A consultation records the patient's intake; the planner
 * (pure, in @contour/domain) turns it, the facial analysis of the chosen photo, the screening and the clinic's
 * catalogue into a suggested plan, stored as version 1 of a plan. A clinician then accepts, modifies or
 * rejects every suggested item (a reason is required for the last two), may add items, and signs. A signed
 * version is immutable (database triggers refuse changes); changing it makes a new draft version that starts
 * from the signed one's decisions.
 *
 * The decision record of each item is the suggested item (snapshot), the decision, reason, who and when,
 * plus the version's provenance: planner rules version, face-model version, catalogue version, and the
 * SHA-256 of the photo and of the analysis the suggestion was made from.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  ageOn,
  applyReview,
  emptyMedicalHistory,
  maySignClinicalDecisions,
  planTreatment,
  type Actor,
  type AddedItemInput,
  type ConsultationIntake,
  type FinalPlanItem,
  type ItemChange,
  type ItemDecisionInput,
  type ItemDecisionRecord,
  type MedicalHistory,
  type PlanFinding,
  type PlanPatient,
  type ReviewProblem,
  type Sex,
  type Side,
  type SuggestedPlan,
  type TreatmentCatalogue,
  type ZoneFinding,
  type ZoneId,
} from '@contour/domain';
import { FACE_MODEL_VERSION } from '@contour/vision';
import { badRequest, conflict, forbidden, notFound, Problem } from '../errors.js';
import type { ConsentRecords } from './consents.js';
import { clinicDate } from './locations.js';
import type { PatientRecords } from './patients.js';
import type { AuditTarget, Scope, Trx } from './scope.js';
import type { TreatmentCatalogues } from './treatment-catalogues.js';
import { performedTreatments } from './treatments.js';

export interface DecisionEntry {
  itemKey: string;
  decision: 'accepted' | 'modified' | 'rejected' | 'added';
  change: ItemChange | null;
  added: AddedItemInput | null;
  reason: string | null;
  decidedBy: string;
  decidedByName: string;
  decidedAt: Date;
}

export interface PlanProvenance {
  rulesVersion: string;
  modelVersion: string;
  catalogueVersion: number;
  photoHashes: { photoId: string; sha256: string }[];
  analysisHash: string | null;
  /** How the analysis measured (FACIAL_ANALYSIS_METHOD then); null without an analysis, or made before methods were recorded. */
  analysisMethod: string | null;
}

export interface PlanVersionView {
  version: number;
  status: 'draft' | 'signed';
  suggested: SuggestedPlan;
  decisions: DecisionEntry[];
  /** The decision record: proposed snapshot, decision and final item per item. */
  records: ItemDecisionRecord[];
  /** The plan as it stands after the decisions (as signed, for a signed version). */
  final: FinalPlanItem[];
  totalCost: number;
  /** What stops signing (e.g. items without a decision); empty when the plan can be signed. */
  problems: ReviewProblem[];
  provenance: PlanProvenance;
  signedBy: string | null;
  signedByName: string | null;
  signerRegistration: string | null;
  signedAt: Date | null;
  createdAt: Date;
  createdByName: string;
}

export interface Consultation {
  id: string;
  patientId: string;
  photoId: string | null;
  intake: ConsultationIntake;
  infectedZones: ZoneId[];
  createdAt: Date;
}

export interface PlanView {
  id: string;
  patientId: string;
  consultation: Consultation;
  versions: { version: number; status: 'draft' | 'signed'; signedAt: Date | null; signedByName: string | null; createdAt: Date }[];
  current: PlanVersionView;
}

export interface PlanSummary {
  id: string;
  createdAt: Date;
  latestVersion: number;
  status: 'draft' | 'signed';
  signedAt: Date | null;
  items: number;
  totalCost: number | null;
  currency: string;
}

export interface NewConsultation {
  intake: ConsultationIntake;
  photoId?: string | null;
  infectedZones?: ZoneId[];
}

/** Canonical JSON (sorted keys), so the same analysis always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const reviewProblem = (problems: ReviewProblem[]): Problem =>
  new Problem(
    422,
    'plan-review',
    'The plan cannot be signed yet',
    problems.map((p) => p.message).join(' '),
    problems.map((p) => ({ path: p.itemKey ? `/items/${p.itemKey}` : '/items', message: p.message })),
  );

interface ReviewContext {
  catalogue: TreatmentCatalogue;
  patient: PlanPatient;
  /** The clinic's date for the patient (`clinicDate`). */
  today: string;
}

/** The stored decisions as the domain's review input, applied to the suggestion. */
function reviewWith({ catalogue, patient, today }: ReviewContext, suggested: SuggestedPlan, decisions: DecisionEntry[]) {
  const inputs: ItemDecisionInput[] = decisions
    .filter((d) => d.decision !== 'added')
    .map((d) => ({
      itemKey: d.itemKey,
      decision: d.decision === 'accepted' ? 'accept' : d.decision === 'modified' ? 'modify' : 'reject',
      ...(d.reason ? { reason: d.reason } : {}),
      ...(d.change ? { change: d.change } : {}),
    }));
  const added = decisions.filter((d) => d.decision === 'added' && d.added).map((d) => ({ ...(d.added as AddedItemInput), key: d.itemKey }));
  return applyReview({ plan: suggested, decisions: inputs, added, catalogue, patient, today });
}

export class TreatmentPlans {
  constructor(
    private readonly scope: Scope,
    private readonly patients: PatientRecords,
    private readonly consents: ConsentRecords,
    private readonly catalogues: TreatmentCatalogues,
  ) {}

  /** Findings for the planner from a frontal photo: the latest clinician grade beats the AI estimate. */
  private async findings(organisationId: string, patientId: string, photoId: string, trx: Trx): Promise<{ findings: PlanFinding[]; sha256: string; analysisHash: string; analysisMethod: string | null }> {
    const photo = await trx
      .selectFrom('photo')
      .select(['id', 'sha256', 'status', 'facial_analysis', 'patient_id'])
      .where('organisation_id', '=', organisationId)
      .where('id', '=', photoId)
      .executeTakeFirst();
    if (!photo || photo.patient_id !== patientId) throw badRequest('Unknown photo.', [{ path: '/photoId', message: 'no such photo of this patient' }]);
    const facial = photo.facial_analysis as { method?: string; zones?: ZoneFinding[] } | null;
    if (photo.status !== 'analysed' || !facial) {
      throw new Problem(409, 'not-analysed', 'Photo not analysed', 'The plan is made from an analysed frontal photo; this photo has no facial analysis yet.');
    }
    const grades = await trx
      .selectFrom('zone_grade')
      .select(['zone_id', 'side', 'grade', 'scale', 'graded_at'])
      .where('organisation_id', '=', organisationId)
      .where('photo_id', '=', photoId)
      .orderBy('graded_at', 'desc')
      .execute();
    const byZone = new Map<string, PlanFinding>();
    for (const g of grades) {
      const key = `${g.zone_id}:${g.side}`;
      if (!byZone.has(key)) {
        byZone.set(key, { zoneId: g.zone_id as ZoneId, side: g.side as Side, severity: g.grade, source: 'clinician', confidence: 1, scale: g.scale });
      }
    }
    for (const zone of facial.zones ?? []) {
      const key = `${zone.id}:${zone.side}`;
      if (zone.severity === null || byZone.has(key)) continue;
      byZone.set(key, { zoneId: zone.id, side: zone.side, severity: zone.severity, source: 'ai', confidence: zone.confidence, scale: zone.scale });
    }
    return { findings: [...byZone.values()], sha256: photo.sha256, analysisHash: sha256(canonical({ facial, grades })), analysisMethod: facial.method ?? null };
  }

  /** Records the intake and makes the suggested plan (version 1, a draft for the clinician to review). */
  async create(patientId: string, input: NewConsultation): Promise<PlanView> {
    const target: AuditTarget = { entityType: 'treatment_plan', patientId };
    const actor = await this.scope.authorize('plan.create', 'plan.create', target);
    const planId = await this.scope.write(actor, 'C', 'plan.create', async (trx) => {
      await this.patients.writableRow(actor, patientId, trx);
      const patient = await this.planPatient(actor, patientId, input.infectedZones ?? [], trx);
      let evidence: Pick<PlanProvenance, 'photoHashes' | 'analysisHash' | 'analysisMethod'> & { findings: PlanFinding[] } = {
        findings: [],
        photoHashes: [],
        analysisHash: null,
        analysisMethod: null,
      };
      if (input.photoId) {
        // Findings come from the AI analysis, which the patient must still consent to.
        await this.consents.require(actor, patientId, 'analyse_photos', trx);
        const found = await this.findings(actor.organisationId, patientId, input.photoId, trx);
        evidence = { findings: found.findings, photoHashes: [{ photoId: input.photoId, sha256: found.sha256 }], analysisHash: found.analysisHash, analysisMethod: found.analysisMethod };
      }
      const { catalogue, version: catalogueVersion } = await this.catalogues.current(actor.organisationId, trx);
      const today = await clinicDate(trx, actor.organisationId, patientId);
      const suggested = planTreatment({ patient, intake: input.intake, findings: evidence.findings, catalogue, today });
      const consultationId = randomUUID();
      const id = randomUUID();
      await trx
        .insertInto('consultation')
        .values({
          id: consultationId,
          organisation_id: actor.organisationId,
          patient_id: patientId,
          photo_id: input.photoId ?? null,
          intake: JSON.stringify(input.intake),
          infected_zones: JSON.stringify(input.infectedZones ?? []),
          created_by: actor.userId,
        })
        .execute();
      await trx.insertInto('treatment_plan').values({ id, organisation_id: actor.organisationId, patient_id: patientId, consultation_id: consultationId, created_by: actor.userId }).execute();
      await trx
        .insertInto('plan_version')
        .values({
          id: randomUUID(),
          organisation_id: actor.organisationId,
          plan_id: id,
          version: 1,
          status: 'draft',
          suggested: JSON.stringify(suggested),
          rules_version: suggested.rulesVersion,
          model_version: FACE_MODEL_VERSION,
          catalogue_version: catalogueVersion,
          photo_hashes: JSON.stringify(evidence.photoHashes),
          analysis_hash: evidence.analysisHash,
          analysis_method: evidence.analysisMethod,
          created_by: actor.userId,
        })
        .execute();
      return {
        result: id,
        target: { ...target, entityId: id, detail: { items: suggested.items.length, blocked: suggested.blocked.length, findings: evidence.findings.length } },
      };
    });
    return this.view(actor, planId, undefined);
  }

  async list(patientId: string): Promise<PlanSummary[]> {
    const target: AuditTarget = { entityType: 'treatment_plan', patientId };
    const actor = await this.scope.authorize('plan.read', 'plan.list', target);
    await this.patients.row(actor, patientId);
    const rows = await this.scope.db
      .selectFrom('treatment_plan')
      .innerJoin('plan_version', 'plan_version.plan_id', 'treatment_plan.id')
      .select([
        'treatment_plan.id',
        'treatment_plan.created_at',
        'plan_version.version',
        'plan_version.status',
        'plan_version.signed_at',
        'plan_version.suggested',
        'plan_version.final_items',
        'plan_version.total_cost',
      ])
      .where('treatment_plan.organisation_id', '=', actor.organisationId)
      .where('treatment_plan.patient_id', '=', patientId)
      .orderBy('treatment_plan.created_at', 'desc')
      .orderBy('plan_version.version', 'desc')
      .execute();
    const latest = new Map<string, PlanSummary>();
    for (const r of rows) {
      if (latest.has(r.id)) continue;
      const suggested = r.suggested as SuggestedPlan;
      const final = r.final_items as FinalPlanItem[] | null;
      latest.set(r.id, {
        id: r.id,
        createdAt: r.created_at,
        latestVersion: r.version,
        status: r.status,
        signedAt: r.signed_at,
        items: final ? final.length : suggested.items.length,
        totalCost: r.total_cost,
        currency: suggested.currency,
      });
    }
    await this.scope.record(actor, 'R', 'plan.list', { ...target, detail: { plans: latest.size } });
    return [...latest.values()];
  }

  async get(planId: string, version?: number): Promise<PlanView> {
    const target: AuditTarget = { entityType: 'treatment_plan', entityId: planId };
    const actor = await this.scope.authorize('plan.read', 'plan.read', target);
    const view = await this.view(actor, planId, version);
    await this.scope.record(actor, 'R', 'plan.read', { ...target, patientId: view.patientId, detail: { version: view.current.version } });
    return view;
  }

  /** The plan's row, in the actor's clinic; another clinic's id is not found. */
  private async planRow(actor: Actor, planId: string, executor: Trx | Scope['db'] = this.scope.db) {
    const plan = await executor
      .selectFrom('treatment_plan')
      .innerJoin('consultation', 'consultation.id', 'treatment_plan.consultation_id')
      .select([
        'treatment_plan.id',
        'treatment_plan.patient_id',
        'consultation.id as consultation_id',
        'consultation.photo_id',
        'consultation.intake',
        'consultation.infected_zones',
        'consultation.created_at as consultation_created_at',
      ])
      .where('treatment_plan.organisation_id', '=', actor.organisationId)
      .where('treatment_plan.id', '=', planId)
      .executeTakeFirst();
    if (!plan) throw notFound('The treatment plan');
    return plan;
  }

  private async versionRow(actor: Actor, planId: string, version: number | undefined, executor: Trx | Scope['db'] = this.scope.db) {
    let query = executor
      .selectFrom('plan_version')
      .innerJoin('app_user as creator', 'creator.id', 'plan_version.created_by')
      .leftJoin('app_user as signer', 'signer.id', 'plan_version.signed_by')
      .selectAll('plan_version')
      .select(['creator.display_name as created_by_name', 'signer.display_name as signed_by_name'])
      .where('plan_version.organisation_id', '=', actor.organisationId)
      .where('plan_version.plan_id', '=', planId);
    query = version === undefined ? query.orderBy('plan_version.version', 'desc').limit(1) : query.where('plan_version.version', '=', version);
    const row = await query.executeTakeFirst();
    if (!row) throw notFound(version === undefined ? 'The plan version' : `Version ${version} of the plan`);
    return row;
  }

  private async decisions(versionId: string, executor: Trx | Scope['db'] = this.scope.db): Promise<DecisionEntry[]> {
    const rows = await executor
      .selectFrom('plan_decision')
      .innerJoin('app_user', 'app_user.id', 'plan_decision.decided_by')
      .selectAll('plan_decision')
      .select('app_user.display_name')
      .where('plan_decision.plan_version_id', '=', versionId)
      .orderBy('plan_decision.decided_at')
      .orderBy('plan_decision.item_key')
      .execute();
    return rows.map((r) => ({
      itemKey: r.item_key,
      decision: r.decision as DecisionEntry['decision'],
      change: r.change as ItemChange | null,
      added: r.added as AddedItemInput | null,
      reason: r.reason,
      decidedBy: r.decided_by,
      decidedByName: r.display_name,
      decidedAt: r.decided_at,
    }));
  }

  /** What a review is checked against: the clinic's catalogue and the patient as screened now. */
  private async reviewContext(actor: Actor, patientId: string, infectedZones: ZoneId[], executor: Trx | Scope['db']): Promise<ReviewContext> {
    const { catalogue } = await this.catalogues.current(actor.organisationId, executor);
    const today = await clinicDate(executor, actor.organisationId, patientId);
    return { catalogue, patient: await this.planPatient(actor, patientId, infectedZones, executor), today };
  }

  /** The review of a version: the domain's decision record from the suggestion and the stored decisions. */
  private async review(actor: Actor, patientId: string, infectedZones: ZoneId[], suggested: SuggestedPlan, decisions: DecisionEntry[], executor: Trx | Scope['db']) {
    return reviewWith(await this.reviewContext(actor, patientId, infectedZones, executor), suggested, decisions);
  }

  /** The patient as the planner and the review screen them: age, sex, medical history, past treatments. */
  private async planPatient(actor: Actor, patientId: string, infectedZones: ZoneId[], executor: Trx | Scope['db']): Promise<PlanPatient> {
    const row = await this.patients.row(actor, patientId, executor);
    const lastTreatments = (await performedTreatments(executor, actor.organisationId, patientId)).flatMap((record) =>
      record.items.map((item) => ({ productId: item.productId, treatmentClass: item.treatmentClass, date: record.performedOn, amount: item.amount, unit: item.unit })),
    );
    return {
      age: row.date_of_birth ? ageOn(row.date_of_birth, new Date()) : null,
      sex: row.sex as Sex,
      medicalHistory: { ...emptyMedicalHistory(), ...(row.medical_history as Partial<MedicalHistory>) },
      lastTreatments,
      infectedZones,
    };
  }

  private async view(actor: Actor, planId: string, version: number | undefined, executor: Trx | Scope['db'] = this.scope.db): Promise<PlanView> {
    const plan = await this.planRow(actor, planId, executor);
    const row = await this.versionRow(actor, planId, version, executor);
    const versions = await executor
      .selectFrom('plan_version')
      .leftJoin('app_user', 'app_user.id', 'plan_version.signed_by')
      .select(['plan_version.version', 'plan_version.status', 'plan_version.signed_at', 'plan_version.created_at', 'app_user.display_name'])
      .where('plan_version.organisation_id', '=', actor.organisationId)
      .where('plan_version.plan_id', '=', planId)
      .orderBy('plan_version.version')
      .execute();
    const suggested = row.suggested as SuggestedPlan;
    const decisions = await this.decisions(row.id, executor);
    const infectedZones = plan.infected_zones as ZoneId[];
    const review = await this.review(actor, plan.patient_id, infectedZones, suggested, decisions, executor);
    const signed = row.status === 'signed';
    // A signed version shows what was signed, not a re-computation under today's catalogue and history.
    const final = signed ? (row.final_items as FinalPlanItem[]) : review.final;
    return {
      id: plan.id,
      patientId: plan.patient_id,
      consultation: {
        id: plan.consultation_id,
        patientId: plan.patient_id,
        photoId: plan.photo_id,
        intake: plan.intake as ConsultationIntake,
        infectedZones,
        createdAt: plan.consultation_created_at,
      },
      versions: versions.map((v) => ({ version: v.version, status: v.status, signedAt: v.signed_at, signedByName: v.display_name, createdAt: v.created_at })),
      current: {
        version: row.version,
        status: row.status,
        suggested,
        decisions,
        records: review.records,
        final,
        totalCost: signed ? (row.total_cost ?? 0) : final.reduce((sum, item) => sum + item.cost, 0),
        problems: signed ? [] : review.problems,
        provenance: {
          rulesVersion: row.rules_version,
          modelVersion: row.model_version,
          catalogueVersion: row.catalogue_version,
          photoHashes: row.photo_hashes as PlanProvenance['photoHashes'],
          analysisHash: row.analysis_hash,
          analysisMethod: row.analysis_method,
        },
        signedBy: row.signed_by,
        signedByName: row.signed_by_name,
        signerRegistration: row.signer_registration,
        signedAt: row.signed_at,
        createdAt: row.created_at,
        createdByName: row.created_by_name,
      },
    };
  }

  /** A draft version to change: the latest one, which must not be signed. */
  private async draft(actor: Actor, planId: string, version: number, trx: Trx) {
    const plan = await this.planRow(actor, planId, trx);
    await this.patients.writableRow(actor, plan.patient_id, trx);
    const latest = await this.versionRow(actor, planId, undefined, trx);
    const row = await this.versionRow(actor, planId, version, trx);
    if (row.status === 'signed') throw conflict(`Version ${version} of this plan is signed and cannot be changed; start a new version to make changes.`);
    if (row.version !== latest.version) throw conflict(`Version ${version} is not the plan's latest version.`);
    return { plan, row };
  }

  /**
   * Problems a decision would bring that the plan did not have without it (an item left undecided is not
   * one: drafts may be incomplete). A change that screening blocks or a dose out of range is refused when
   * it is made, not only at signing.
   */
  private async newProblems(
    actor: Actor,
    plan: { patient_id: string; infected_zones: unknown },
    suggested: SuggestedPlan,
    others: DecisionEntry[],
    candidate: DecisionEntry,
    trx: Trx,
  ): Promise<ReviewProblem[]> {
    const context = await this.reviewContext(actor, plan.patient_id, plan.infected_zones as ZoneId[], trx);
    const before = reviewWith(context, suggested, others);
    const after = reviewWith(context, suggested, [...others, candidate]);
    const known = new Set(before.problems.map((p) => p.message));
    return after.problems.filter((p) => p.code !== 'incomplete' && !known.has(p.message));
  }

  /** Accept, modify or reject one suggested item of a draft version (clinicians). */
  async decide(planId: string, version: number, input: ItemDecisionInput): Promise<PlanView> {
    const target: AuditTarget = { entityType: 'treatment_plan', entityId: planId };
    const actor = await this.scope.authorize('plan.review', 'plan.decide', target);
    const reason = input.reason?.trim() ?? '';
    if (input.decision !== 'accept' && reason === '') {
      throw badRequest(`A reason is required to ${input.decision} a suggestion.`, [{ path: '/reason', message: 'required' }]);
    }
    if (input.decision === 'modify' && (!input.change || Object.keys(input.change).length === 0)) {
      throw badRequest('Say what to change: dose, product, zone, side or visit.', [{ path: '/change', message: 'required' }]);
    }
    await this.scope.write(actor, 'U', 'plan.decide', async (trx) => {
      const { plan, row } = await this.draft(actor, planId, version, trx);
      const suggested = row.suggested as SuggestedPlan;
      if (!suggested.items.some((item) => item.key === input.itemKey)) throw notFound(`The suggested item "${input.itemKey}"`);
      const decision = input.decision === 'accept' ? 'accepted' : input.decision === 'modify' ? 'modified' : 'rejected';
      // Check the decision against the domain's review before storing it, so a change that screening
      // blocks (or a dose out of range) is refused now, not at signing.
      const others = (await this.decisions(row.id, trx)).filter((d) => d.itemKey !== input.itemKey);
      const candidate: DecisionEntry = {
        itemKey: input.itemKey,
        decision,
        change: input.change ?? null,
        added: null,
        reason: reason || null,
        decidedBy: actor.userId,
        decidedByName: '',
        decidedAt: new Date(),
      };
      const refused = await this.newProblems(actor, plan, suggested, others, candidate, trx);
      if (refused.length > 0) throw reviewProblem(refused);
      await trx.deleteFrom('plan_decision').where('plan_version_id', '=', row.id).where('item_key', '=', input.itemKey).execute();
      await trx
        .insertInto('plan_decision')
        .values({
          id: randomUUID(),
          organisation_id: actor.organisationId,
          plan_version_id: row.id,
          item_key: input.itemKey,
          decision,
          change: input.change ? JSON.stringify(input.change) : null,
          added: null,
          reason: reason || null,
          decided_by: actor.userId,
        })
        .execute();
      return { result: null, target: { ...target, patientId: plan.patient_id, detail: { version, itemKey: input.itemKey, decision } } };
    });
    return this.view(actor, planId, version);
  }

  /** Adds an item of the clinician's own to a draft version. */
  async addItem(planId: string, version: number, input: AddedItemInput): Promise<PlanView> {
    const target: AuditTarget = { entityType: 'treatment_plan', entityId: planId };
    const actor = await this.scope.authorize('plan.review', 'plan.item.add', target);
    if (input.reason.trim() === '') throw badRequest('Say why the item is added.', [{ path: '/reason', message: 'required' }]);
    await this.scope.write(actor, 'C', 'plan.item.add', async (trx) => {
      const { plan, row } = await this.draft(actor, planId, version, trx);
      const itemKey = `added:${randomUUID()}`;
      const candidate: DecisionEntry = {
        itemKey,
        decision: 'added',
        change: null,
        added: { ...input, key: itemKey, reason: input.reason.trim() },
        reason: input.reason.trim(),
        decidedBy: actor.userId,
        decidedByName: '',
        decidedAt: new Date(),
      };
      const others = await this.decisions(row.id, trx);
      const refused = await this.newProblems(actor, plan, row.suggested as SuggestedPlan, others, candidate, trx);
      if (refused.length > 0) throw reviewProblem(refused);
      await trx
        .insertInto('plan_decision')
        .values({
          id: randomUUID(),
          organisation_id: actor.organisationId,
          plan_version_id: row.id,
          item_key: itemKey,
          decision: 'added',
          change: null,
          added: JSON.stringify(candidate.added),
          reason: candidate.reason,
          decided_by: actor.userId,
        })
        .execute();
      return { result: null, target: { ...target, patientId: plan.patient_id, detail: { version, itemKey, zoneId: input.zoneId, productId: input.productId } } };
    });
    return this.view(actor, planId, version);
  }

  /** Takes back a decision or an added item on a draft version. */
  async undo(planId: string, version: number, itemKey: string): Promise<PlanView> {
    const target: AuditTarget = { entityType: 'treatment_plan', entityId: planId };
    const actor = await this.scope.authorize('plan.review', 'plan.decision.undo', target);
    await this.scope.write(actor, 'D', 'plan.decision.undo', async (trx) => {
      const { plan, row } = await this.draft(actor, planId, version, trx);
      const deleted = await trx.deleteFrom('plan_decision').where('plan_version_id', '=', row.id).where('item_key', '=', itemKey).executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) throw notFound(`A decision on "${itemKey}"`);
      return { result: null, target: { ...target, patientId: plan.patient_id, detail: { version, itemKey } } };
    });
    return this.view(actor, planId, version);
  }

  /** Signs a draft version: clinicians with a registration number only, once every item has a decision. */
  async sign(planId: string, version: number): Promise<PlanView> {
    const target: AuditTarget = { entityType: 'treatment_plan', entityId: planId };
    const actor = await this.scope.authorize('clinical.sign', 'plan.sign', target);
    const signer = await this.scope.db.selectFrom('app_user').select(['role', 'registration_number']).where('id', '=', actor.userId).executeTakeFirstOrThrow();
    if (!maySignClinicalDecisions(actor.role, signer.registration_number)) {
      await this.scope.record(actor, 'E', 'plan.sign', target, 'denied');
      throw forbidden('Only a clinician with a professional registration number can sign a plan.');
    }
    await this.scope.write(actor, 'E', 'plan.sign', async (trx) => {
      const { plan, row } = await this.draft(actor, planId, version, trx);
      const decisions = await this.decisions(row.id, trx);
      const review = await this.review(actor, plan.patient_id, plan.infected_zones as ZoneId[], row.suggested as SuggestedPlan, decisions, trx);
      if (review.problems.length > 0) throw reviewProblem(review.problems);
      if (review.final.length === 0) throw new Problem(422, 'plan-review', 'The plan cannot be signed yet', 'Every item was rejected: there is nothing to sign. Add an item or start again.');
      const totalCost = review.final.reduce((sum, item) => sum + item.cost, 0);
      await trx
        .updateTable('plan_version')
        .set({
          status: 'signed',
          final_items: JSON.stringify(review.final),
          total_cost: totalCost,
          signed_by: actor.userId,
          signer_registration: signer.registration_number,
          signed_at: new Date(),
        })
        .where('id', '=', row.id)
        .where('status', '=', 'draft')
        .execute();
      const counts = Object.fromEntries(['accepted', 'modified', 'rejected', 'added'].map((d) => [d, review.records.filter((r) => r.decision === d).length]));
      return { result: null, target: { ...target, patientId: plan.patient_id, detail: { version, items: review.final.length, ...counts } } };
    });
    return this.view(actor, planId, version);
  }

  /** Starts a new draft version from a signed one: same suggestion and provenance, its decisions as the starting point. */
  async newVersion(planId: string): Promise<PlanView> {
    const target: AuditTarget = { entityType: 'treatment_plan', entityId: planId };
    const actor = await this.scope.authorize('plan.review', 'plan.version.create', target);
    const version = await this.scope.write(actor, 'C', 'plan.version.create', async (trx) => {
      const plan = await this.planRow(actor, planId, trx);
      await this.patients.writableRow(actor, plan.patient_id, trx);
      const latest = await this.versionRow(actor, planId, undefined, trx);
      if (latest.status !== 'signed') throw conflict(`Version ${latest.version} is still a draft: change it instead of starting a new version.`);
      const id = randomUUID();
      await trx
        .insertInto('plan_version')
        .values({
          id,
          organisation_id: actor.organisationId,
          plan_id: planId,
          version: latest.version + 1,
          status: 'draft',
          suggested: JSON.stringify(latest.suggested),
          rules_version: latest.rules_version,
          model_version: latest.model_version,
          catalogue_version: latest.catalogue_version,
          photo_hashes: JSON.stringify(latest.photo_hashes),
          analysis_hash: latest.analysis_hash,
          analysis_method: latest.analysis_method,
          created_by: actor.userId,
        })
        .execute();
      for (const d of await this.decisions(latest.id, trx)) {
        await trx
          .insertInto('plan_decision')
          .values({
            id: randomUUID(),
            organisation_id: actor.organisationId,
            plan_version_id: id,
            item_key: d.itemKey,
            decision: d.decision,
            change: d.change ? JSON.stringify(d.change) : null,
            added: d.added ? JSON.stringify(d.added) : null,
            reason: d.reason,
            decided_by: d.decidedBy,
            decided_at: d.decidedAt,
          })
          .execute();
      }
      return { result: latest.version + 1, target: { ...target, patientId: plan.patient_id, detail: { version: latest.version + 1, from: latest.version } } };
    });
    return this.view(actor, planId, version);
  }

  /** For other repositories (the summary PDF, simulations): the view without a read entry of its own; they audit their use. */
  async viewFor(actor: Actor, planId: string, version: number | undefined): Promise<PlanView> {
    return this.view(actor, planId, version);
  }
}
