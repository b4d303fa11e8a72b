/**
 * The patient's plan summary PDF: the clinic, the consultation photo (and simulations when there are any),
 * the zones addressed in plain language, the visits, costs and maintenance, and the projection disclaimer.
 * Exporting it is audited ('plan.summary.export'), which the governance report counts.
 */
import { ZONE_EXPLANATIONS, ZONE_LABELS, type FinalPlanItem, type Side } from '@contour/domain';
import { formatDate, renderPlanSummaryPdf, type PlanSummaryImage } from '../documents/plan-summary-pdf.js';
import { clinicTimeZone, localDate } from './locations.js';
import type { AuditTarget, Scope } from './scope.js';
import type { Simulations } from './simulations.js';
import type { TreatmentPlans } from './treatment-plans.js';

const sideWords: Record<Side, string> = { right: 'right side', left: 'left side', centre: '' };

function amountText(item: FinalPlanItem): string {
  const unit = item.unit === 'U' ? `units of ${item.productLabel}` : item.unit === 'mL' ? 'mL' : item.amount === 1 ? 'session' : 'sessions';
  return `${item.amount} ${unit}`;
}

export class PlanSummaries {
  constructor(
    private readonly scope: Scope,
    private readonly plans: TreatmentPlans,
    private readonly simulations: Simulations,
  ) {}

  async pdf(planId: string, version?: number): Promise<{ bytes: Buffer; filename: string }> {
    const target: AuditTarget = { entityType: 'treatment_plan', entityId: planId };
    const actor = await this.scope.authorize('plan.read', 'plan.summary.export', target);
    const plan = await this.plans.viewFor(actor, planId, version);
    const current = plan.current;
    const [clinic, patient, timeZone] = await Promise.all([
      this.scope.db.selectFrom('organisation').select('name').where('id', '=', actor.organisationId).executeTakeFirstOrThrow(),
      this.scope.db
        .selectFrom('patient')
        .select(['given_name', 'family_name', 'preferred_name'])
        .where('organisation_id', '=', actor.organisationId)
        .where('id', '=', plan.patientId)
        .executeTakeFirstOrThrow(),
      // The document's dates are the clinic's: a plan signed at 9 am in Sydney is still the day before in UTC.
      clinicTimeZone(this.scope.db, actor.organisationId, plan.patientId),
    ]);
    const images: PlanSummaryImage[] = [];
    if (plan.consultation.photoId) {
      const photo = await this.scope.db
        .selectFrom('photo')
        .select(['file_id', 'width', 'height', 'view'])
        .where('organisation_id', '=', actor.organisationId)
        .where('id', '=', plan.consultation.photoId)
        .executeTakeFirst();
      if (photo) {
        const { bytes } = await this.scope.vault.read(actor.organisationId, plan.patientId, photo.file_id);
        const taken = localDate(timeZone, plan.consultation.createdAt);
        images.push({ caption: `Consultation photo (${photo.view}), ${formatDate(taken)}`, kind: 'photo', jpeg: bytes, width: photo.width, height: photo.height });
      }
    }
    // Simulations of this version appear only while the patient's simulation consent is in force.
    if (await this.simulations.consentFor(actor, plan.patientId)) {
      for (const sim of await this.simulations.forPlanVersion(actor.organisationId, plan.patientId, plan.id, current.version)) {
        images.push({ caption: `Simulated projection, ${sim.variant} variant`, kind: 'simulation', jpeg: sim.jpeg, width: sim.width, height: sim.height });
      }
    }
    const signer = current.signedByName ? `${current.signedByName}${current.signerRegistration ? ` (registration ${current.signerRegistration})` : ''}` : null;
    const stages = current.suggested.stages;
    const visits = [...new Set(current.final.map((item) => item.stage))]
      .sort((a, b) => a - b)
      .map((stage) => {
        const items = current.final.filter((item) => item.stage === stage);
        const planned = stages.find((s) => s.stage === stage);
        return {
          stage,
          label: planned?.label ?? `Visit ${stage}`,
          earliestDate: planned?.earliestDate ?? '',
          items: items.map((item) => `${ZONE_LABELS[item.zoneId]}${item.side === 'centre' ? '' : ` (${sideWords[item.side]})`}: ${item.productLabel}, ${amountText(item)}`),
          cost: items.reduce((sum, item) => sum + item.cost, 0),
        };
      });
    const finalProducts = new Set(current.final.map((item) => item.productId));
    const doc = {
      clinicName: clinic.name,
      patientName: `${patient.preferred_name ?? patient.given_name} ${patient.family_name}`,
      planTitle: `Treatment plan, version ${current.version}`,
      status: current.status,
      signedBy: signer,
      signedAt: current.signedAt ? localDate(timeZone, current.signedAt) : null,
      generatedOn: localDate(timeZone),
      currency: current.suggested.currency,
      images,
      areas: current.final.map((item) => ({
        zone: `${ZONE_LABELS[item.zoneId]}${item.side === 'centre' ? '' : `, ${sideWords[item.side]}`}`,
        plainLanguage: ZONE_EXPLANATIONS[item.zoneId],
        treatment: item.productLabel,
        amount: amountText(item),
        offLabel: item.offLabel,
      })),
      visits,
      totalCost: current.totalCost,
      maintenance: current.suggested.maintenance
        .filter((m) => finalProducts.has(m.productId))
        .map((m) => ({
          treatment: m.productLabel,
          areas: m.zoneIds.map((z) => ZONE_LABELS[z]).join(', '),
          every: `every ${m.everyMonths} month${m.everyMonths === 1 ? '' : 's'}`,
          firstReminder: m.firstReminder,
        })),
    };
    const bytes = await renderPlanSummaryPdf(doc);
    await this.scope.record(actor, 'R', 'plan.summary.export', { ...target, patientId: plan.patientId, detail: { version: current.version, images: images.length, bytes: bytes.length } });
    return { bytes, filename: `plan-${planId.slice(0, 8)}-v${current.version}.pdf` };
  }
}
