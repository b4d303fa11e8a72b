/**
 * The owner's AI-governance report: how clinicians weighed the planner's suggestions (accepted, modified,
 * rejected, by zone, treatment and clinician; top reasons), and the five questions of the first source
 * document answered from live data: oversight, consent, image protection, documentation of AI versus the
 * final decision, and disclaimers. Aggregates only; no patient is named.
 */
import { sql, type SelectQueryBuilder } from 'kysely';
import {
  decisionShares,
  type DecisionRow,
  type DecisionShares,
  type ItemDecision,
  type SuggestedPlan,
  type TreatmentCatalogue,
  type TreatmentClass,
  type ZoneId,
} from '@contour/domain';
import type { Scope } from './scope.js';
import type { TreatmentCatalogues } from './treatment-catalogues.js';

export interface GovernanceQuestion {
  id: 'oversight' | 'consent' | 'image_protection' | 'documentation' | 'disclaimers';
  question: string;
  answer: string;
  status: 'ok' | 'attention';
  figures: Record<string, number>;
}

export interface GovernanceReport {
  generatedAt: Date;
  decisions: DecisionShares;
  questions: GovernanceQuestion[];
}

const DAY = 86_400_000;

interface SignedPlans {
  versions: {
    id: string;
    suggested: unknown;
    signer_registration: string | null;
    photo_hashes: unknown;
    analysis_hash: string | null;
    rules_version: string;
    model_version: string;
  }[];
  decisions: {
    plan_version_id: string;
    item_key: string;
    decision: string;
    reason: string | null;
    added: unknown;
    decided_by: string;
    display_name: string;
  }[];
}

/** Every decision in signed plan versions, with the zone and treatment it was about. */
function decisionRows({ versions, decisions }: SignedPlans, catalogue: TreatmentCatalogue): DecisionRow[] {
  const suggested = new Map(versions.map((v) => [v.id, v.suggested as SuggestedPlan]));
  return decisions.flatMap((r): DecisionRow[] => {
    const proposed = suggested.get(r.plan_version_id)?.items.find((item) => item.key === r.item_key);
    const added = r.added as { zoneId: ZoneId; productId: string } | null;
    const zoneId = proposed?.zoneId ?? added?.zoneId;
    const productId = proposed?.productId ?? added?.productId;
    if (!zoneId || !productId) return [];
    const treatmentClass: TreatmentClass | undefined = proposed?.treatmentClass ?? catalogue.products.find((p) => p.id === productId)?.treatmentClass;
    if (!treatmentClass) return [];
    return [{ decision: r.decision as ItemDecision, zoneId, treatmentClass, productId, clinicianId: r.decided_by, clinicianName: r.display_name, reason: r.reason }];
  });
}

function documentation({ versions, decisions: decided }: SignedPlans): GovernanceQuestion {
  const withPhoto = versions.filter((v) => (v.photo_hashes as unknown[]).length > 0);
  const complete = withPhoto.filter((v) => v.analysis_hash && v.rules_version && v.model_version).length;
  const decisions = decided.length;
  const ok = complete === withPhoto.length;
  return {
    id: 'documentation',
    question: "Is it documented how AI suggestions were weighed against the clinician's final decision?",
    answer: ok
      ? `Yes. ${decisions} item decision(s) in ${versions.length} signed plan version(s) record what the AI proposed, the decision, the reason, who and when; ${complete} of them name the hashes of the photo and analysis used and the planner and model versions (the rest were planned without a photo).`
      : `${withPhoto.length - complete} signed plan version(s) made from a photo lack the analysis hash or the planner/model version.`,
    status: ok ? 'ok' : 'attention',
    figures: { decisionRecords: decisions, signedVersions: versions.length, withProvenance: complete },
  };
}

export class Governance {
  constructor(
    private readonly scope: Scope,
    private readonly catalogues: TreatmentCatalogues,
  ) {}

  async report(): Promise<GovernanceReport> {
    const actor = await this.scope.authorize('governance.read', 'governance.read', { entityType: 'organisation' });
    const org = actor.organisationId;
    const { catalogue } = await this.catalogues.current(org);
    const signed = await this.signedPlans(org);
    const rows = decisionRows(signed, catalogue);
    const questions = [await this.oversight(org, signed), await this.consent(org), await this.imageProtection(org), documentation(signed), await this.disclaimers(org)];
    await this.scope.record(actor, 'R', 'governance.read', { entityType: 'organisation', entityId: org, detail: { decisions: rows.length } });
    return { generatedAt: new Date(), decisions: decisionShares(rows), questions };
  }

  /** The signed plan versions and the decisions in them: what the oversight, documentation and shares are read from. */
  private async signedPlans(org: string): Promise<SignedPlans> {
    const versions = await this.scope.db
      .selectFrom('plan_version')
      .select(['id', 'suggested', 'signer_registration', 'photo_hashes', 'analysis_hash', 'rules_version', 'model_version'])
      .where('organisation_id', '=', org)
      .where('status', '=', 'signed')
      .execute();
    const decisions = await this.scope.db
      .selectFrom('plan_decision')
      .innerJoin('plan_version', 'plan_version.id', 'plan_decision.plan_version_id')
      .innerJoin('app_user', 'app_user.id', 'plan_decision.decided_by')
      .select(['plan_decision.plan_version_id', 'plan_decision.item_key', 'plan_decision.decision', 'plan_decision.reason', 'plan_decision.added', 'plan_decision.decided_by', 'app_user.display_name'])
      .where('plan_decision.organisation_id', '=', org)
      .where('plan_version.status', '=', 'signed')
      .execute();
    return { versions, decisions };
  }

  private async oversight(org: string, { versions, decisions }: SignedPlans): Promise<GovernanceQuestion> {
    const decidedKeys = new Set(decisions.map((d) => `${d.plan_version_id}:${d.item_key}`));
    let suggestions = 0;
    let undecided = 0;
    for (const v of versions) {
      for (const item of (v.suggested as SuggestedPlan).items) {
        suggestions += 1;
        if (!decidedKeys.has(`${v.id}:${item.key}`)) undecided += 1;
      }
    }
    const unregistered = versions.filter((v) => !v.signer_registration).length;
    const drafts = await this.count(this.scope.db.selectFrom('plan_version').where('organisation_id', '=', org).where('status', '=', 'draft'));
    const ok = undecided === 0 && unregistered === 0;
    return {
      id: 'oversight',
      question: 'Is a licensed clinician overseeing every AI suggestion?',
      answer: ok
        ? `Yes. ${versions.length} signed plan version(s), every one signed by a clinician with a registration number; all ${suggestions} AI suggestion(s) in them carry a recorded clinician decision. ${drafts} draft(s) await review; nothing in a draft is treated.`
        : `Not fully: ${undecided} suggestion(s) in signed plans have no decision and ${unregistered} plan(s) were signed without a registration number.`,
      status: ok ? 'ok' : 'attention',
      figures: { signedVersions: versions.length, suggestions, undecided, signedWithoutRegistration: unregistered, drafts },
    };
  }

  private async consent(org: string): Promise<GovernanceQuestion> {
    // An analysis is covered when an AI-analysis consent was in force when it was made.
    const covered = sql<boolean>`EXISTS (SELECT 1 FROM consent c WHERE c.patient_id = photo.patient_id AND c.type = 'ai_analysis'
      AND c.signed_at <= photo.analysed_at AND (c.withdrawn_at IS NULL OR c.withdrawn_at > photo.analysed_at))`;
    const rows = await this.scope.db
      .selectFrom('photo')
      .select([covered.as('covered')])
      .where('organisation_id', '=', org)
      .where('facial_analysis', 'is not', null)
      .where('analysed_at', 'is not', null)
      .execute();
    const analysed = rows.length;
    const uncovered = rows.filter((r) => !r.covered).length;
    const withdrawn = await this.count(
      this.scope.db.selectFrom('consent').where('organisation_id', '=', org).where('type', 'in', ['ai_analysis', 'simulation']).where('withdrawn_at', 'is not', null),
    );
    return {
      id: 'consent',
      question: 'Did every patient consent before their photos were analysed by AI?',
      answer:
        uncovered === 0
          ? `Yes. All ${analysed} AI facial analyses were made while the patient's AI-analysis consent was in force; Contour refuses analysis and simulation without it. ${withdrawn} AI or simulation consent(s) have been withdrawn, and nothing new is made for those patients.`
          : `${uncovered} of ${analysed} analyses have no AI-analysis consent in force at the time they were made (e.g. recorded before the consent was signed); review them.`,
      status: uncovered === 0 ? 'ok' : 'attention',
      figures: { analyses: analysed, withoutConsent: uncovered, withdrawnConsents: withdrawn },
    };
  }

  private async imageProtection(org: string): Promise<GovernanceQuestion> {
    const photos = await this.count(this.scope.db.selectFrom('photo').where('organisation_id', '=', org));
    const since = new Date(Date.now() - 30 * DAY);
    const reads = await this.count(
      this.scope.db
        .selectFrom('audit_event')
        .where('organisation_id', '=', org)
        .where('event', 'in', ['photo.image.read', 'photo.thumbnail.read', 'patientFile.read'])
        .where('recorded_at', '>=', since.toISOString()),
    );
    const denied = await this.count(
      this.scope.db.selectFrom('audit_event').where('organisation_id', '=', org).where('outcome', '=', 'denied').where('recorded_at', '>=', since.toISOString()),
    );
    return {
      id: 'image_protection',
      question: 'Are patient images stored securely and is access to them recorded?',
      answer: `${photos} clinical photo(s) are stored encrypted (AES-256-GCM with a key per patient, checked against their SHA-256 on every read), stripped of location metadata, and never leave this server. In the last 30 days ${reads} image read(s) were recorded in the tamper-evident audit trail and ${denied} access attempt(s) were denied.`,
      status: 'ok',
      figures: { photos, imageReads30d: reads, deniedAttempts30d: denied },
    };
  }

  private async disclaimers(org: string): Promise<GovernanceQuestion> {
    const exported = await this.count(this.scope.db.selectFrom('audit_event').where('organisation_id', '=', org).where('event', '=', 'plan.summary.export').where('outcome', '=', 'success'));
    return {
      id: 'disclaimers',
      question: 'Are patients told that analyses and simulations are projections, not guarantees?',
      answer: `Yes. Every AI figure is labelled "AI estimate" in the app; each of the ${exported} plan summary PDF(s) given to patients carries the projection disclaimer on every page with an image and at the end; simulated images carry "Simulated projection, not a guaranteed outcome" in their pixels and metadata.`,
      status: 'ok',
      figures: { planSummariesExported: exported },
    };
  }

  private async count<DB, TB extends keyof DB>(query: SelectQueryBuilder<DB, TB, object>): Promise<number> {
    const row = await query.select(sql<number>`count(*)`.as('n')).executeTakeFirst();
    return Number((row as { n?: number | string } | undefined)?.n ?? 0);
  }
}
