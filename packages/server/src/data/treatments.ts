/**
 * Treatments performed: what was done at a visit (product, lot and expiry, amount per zone and side, the
 * injector, notes), optionally against a signed plan's visit, with the deviations from that plan shown.
 * Recording needs the patient's treatment consent and a clinician (`treatment.record`); the injector must be
 * an active clinician of the clinic. An expired lot is refused.
 */
import { randomUUID } from 'node:crypto';
import {
  treatmentDeviations,
  type Deviation,
  type DoseUnit,
  type FinalPlanItem,
  type Side,
  type TreatmentClass,
  type ZoneId,
} from '@contour/domain';
import { badRequest, conflict } from '../errors.js';
import type { ConsentRecords } from './consents.js';
import { clinicDate } from './locations.js';
import type { PatientRecords } from './patients.js';
import type { AuditTarget, Scope, Trx } from './scope.js';
import type { TreatmentCatalogues } from './treatment-catalogues.js';

export interface PerformedTreatmentItem {
  planItemKey: string | null;
  productId: string;
  productLabel: string;
  treatmentClass: TreatmentClass;
  zoneId: ZoneId;
  side: Side;
  amount: number;
  unit: DoseUnit;
  lotNumber: string;
  expiryDate: string;
}

export interface TreatmentRecord {
  id: string;
  patientId: string;
  planId: string | null;
  planVersion: number | null;
  stage: number | null;
  performedOn: string;
  injectorId: string;
  injectorName: string;
  items: PerformedTreatmentItem[];
  notes: string;
  /** Against the plan's items for that visit; empty when not recorded against a plan. */
  deviations: Deviation[];
  createdAt: Date;
}

export interface NewTreatmentRecord {
  planId?: string | null;
  planVersion?: number | null;
  stage?: number | null;
  performedOn: string;
  injectorId?: string | null;
  notes?: string;
  items: { planItemKey?: string | null; productId: string; zoneId: ZoneId; side: Side; amount: number; lotNumber: string; expiryDate: string }[];
}

/** A patient's treatments, newest first, for other repositories (the planner's re-treatment intervals): no audit entry. */
export async function performedTreatments(executor: Trx | Scope['db'], organisationId: string, patientId: string): Promise<{ performedOn: string; items: PerformedTreatmentItem[] }[]> {
  const rows = await executor
    .selectFrom('treatment_record')
    .select(['performed_on', 'items'])
    .where('organisation_id', '=', organisationId)
    .where('patient_id', '=', patientId)
    .orderBy('performed_on', 'desc')
    .execute();
  return rows.map((r) => ({ performedOn: r.performed_on, items: r.items as PerformedTreatmentItem[] }));
}

export class Treatments {
  constructor(
    private readonly scope: Scope,
    private readonly patients: PatientRecords,
    private readonly consents: ConsentRecords,
    private readonly catalogues: TreatmentCatalogues,
  ) {}

  async record(patientId: string, input: NewTreatmentRecord): Promise<TreatmentRecord> {
    const target: AuditTarget = { entityType: 'treatment_record', patientId };
    const actor = await this.scope.authorize('treatment.record', 'treatment.record', target);
    // "Today" where the clinic is: in the morning east of Greenwich, UTC is still on the day before.
    if (input.performedOn > (await clinicDate(this.scope.db, actor.organisationId, patientId))) {
      throw badRequest('A treatment cannot be recorded for a future date.', [{ path: '/performedOn', message: 'is in the future' }]);
    }
    if (input.items.length === 0) throw badRequest('Record at least one treated zone.', [{ path: '/items', message: 'empty' }]);
    input.items.forEach((item, i) => {
      if (item.expiryDate < input.performedOn) {
        throw badRequest(`Lot ${item.lotNumber} had expired on ${item.expiryDate}, before the treatment date.`, [{ path: `/items/${i}/expiryDate`, message: 'expired' }]);
      }
    });
    const id = await this.scope.write(actor, 'C', 'treatment.record', async (trx) => {
      await this.patients.writableRow(actor, patientId, trx);
      await this.consents.require(actor, patientId, 'treat', trx);
      const injectorId = input.injectorId ?? actor.userId;
      const injector = await trx
        .selectFrom('app_user')
        .select(['role', 'active'])
        .where('organisation_id', '=', actor.organisationId)
        .where('id', '=', injectorId)
        .executeTakeFirst();
      if (!injector || !injector.active || injector.role !== 'clinician') {
        throw badRequest('The injector must be an active clinician of this clinic.', [{ path: '/injectorId', message: 'not an active clinician' }]);
      }
      let planVersionId: string | null = null;
      if (input.planId) {
        const version = await trx
          .selectFrom('plan_version')
          .innerJoin('treatment_plan', 'treatment_plan.id', 'plan_version.plan_id')
          .select(['plan_version.id', 'plan_version.status', 'treatment_plan.patient_id'])
          .where('plan_version.organisation_id', '=', actor.organisationId)
          .where('plan_version.plan_id', '=', input.planId)
          .where('plan_version.version', '=', input.planVersion ?? 0)
          .executeTakeFirst();
        if (!version || version.patient_id !== patientId) throw badRequest('Unknown plan version.', [{ path: '/planVersion', message: 'no such version of this patient\'s plan' }]);
        if (version.status !== 'signed') throw conflict('Treatments are recorded against a signed plan; this version is still a draft.');
        planVersionId = version.id;
      }
      const { catalogue } = await this.catalogues.current(actor.organisationId, trx);
      const items: PerformedTreatmentItem[] = input.items.map((item, i) => {
        const product = catalogue.products.find((p) => p.id === item.productId);
        if (!product) throw badRequest('Unknown product.', [{ path: `/items/${i}/productId`, message: 'not in the clinic\'s catalogue' }]);
        return {
          planItemKey: item.planItemKey ?? null,
          productId: product.id,
          productLabel: product.brand,
          treatmentClass: product.treatmentClass,
          zoneId: item.zoneId,
          side: item.side,
          amount: item.amount,
          unit: product.unit,
          lotNumber: item.lotNumber.trim(),
          expiryDate: item.expiryDate,
        };
      });
      const recordId = randomUUID();
      await trx
        .insertInto('treatment_record')
        .values({
          id: recordId,
          organisation_id: actor.organisationId,
          patient_id: patientId,
          plan_version_id: planVersionId,
          stage: input.stage ?? null,
          performed_on: input.performedOn,
          injector_id: injectorId,
          items: JSON.stringify(items),
          notes: input.notes?.trim() ?? '',
          created_by: actor.userId,
        })
        .execute();
      return { result: recordId, target: { ...target, entityId: recordId, detail: { items: items.length, planVersionId, stage: input.stage ?? null } } };
    });
    const record = (await this.rows(actor.organisationId, patientId, id))[0];
    if (!record) throw new Error('The treatment record just written was not found.');
    return record;
  }

  async list(patientId: string): Promise<TreatmentRecord[]> {
    const target: AuditTarget = { entityType: 'treatment_record', patientId };
    const actor = await this.scope.authorize('treatment.read', 'treatment.list', target);
    await this.patients.row(actor, patientId);
    const records = await this.rows(actor.organisationId, patientId);
    await this.scope.record(actor, 'R', 'treatment.list', { ...target, detail: { records: records.length } });
    return records;
  }

  private async rows(organisationId: string, patientId: string, id?: string): Promise<TreatmentRecord[]> {
    let query = this.scope.db
      .selectFrom('treatment_record')
      .innerJoin('app_user', 'app_user.id', 'treatment_record.injector_id')
      .leftJoin('plan_version', 'plan_version.id', 'treatment_record.plan_version_id')
      .selectAll('treatment_record')
      .select(['app_user.display_name', 'plan_version.plan_id', 'plan_version.version', 'plan_version.final_items'])
      .where('treatment_record.organisation_id', '=', organisationId)
      .where('treatment_record.patient_id', '=', patientId);
    if (id) query = query.where('treatment_record.id', '=', id);
    const rows = await query.orderBy('treatment_record.performed_on', 'desc').orderBy('treatment_record.created_at', 'desc').execute();
    return rows.map((r) => {
      const items = r.items as PerformedTreatmentItem[];
      const final = (r.final_items as FinalPlanItem[] | null) ?? null;
      const planned = final ? final.filter((item) => r.stage === null || item.stage === r.stage) : null;
      return {
        id: r.id,
        patientId: r.patient_id,
        planId: r.plan_id,
        planVersion: r.version,
        stage: r.stage,
        performedOn: r.performed_on,
        injectorId: r.injector_id,
        injectorName: r.display_name,
        items,
        notes: r.notes,
        deviations: planned ? treatmentDeviations(planned, items) : [],
        createdAt: r.created_at,
      };
    });
  }
}
