/**
 * Outcome simulations (issue 6): a plan version's items rendered on the patient's frontal photo, in one of three
 * variants (conservative, expected, upper) and at an intensity, bounded by the clinician's maximum change per
 * zone. Nothing is simulated without the patient's simulation consent in force. The labelled JPEG ("Simulated
 * projection, not a guaranteed outcome" in its pixels and metadata) is stored encrypted; the row records the plan
 * version, the source photo's SHA-256, the renderer's parameters and the intended changes. Every read checks the
 * label is still there before the image leaves.
 */
import { randomUUID } from 'node:crypto';
import {
  onaEquivalentPerUnit,
  type Actor,
  type DoseItem,
  type FinalPlanItem,
  type HeadPose,
  type IntendedChange,
  type Point3,
  type SimulationVariant,
  type TreatmentCatalogue,
  type ZoneId,
  type ZoneLimit,
} from '@contour/domain';
import { readLabel, SIMULATION_LABEL, SimulationRefused, type RenderedEffect } from '@contour/vision';
import { badRequest, integrityFailure, notFound, Problem } from '../errors.js';
import type { FaceFinderProvider } from '../jobs/face-finder.js';
import type { ConsentRecords } from './consents.js';
import type { PatientRecords } from './patients.js';
import type { AuditTarget, Scope } from './scope.js';
import type { TreatmentCatalogues } from './treatment-catalogues.js';
import type { PlanView, TreatmentPlans } from './treatment-plans.js';

export interface SimulationRequest {
  planId: string;
  version?: number;
  /** The plan items to show (default: all of the version's final items). */
  itemKeys?: string[];
  variant: SimulationVariant;
  /** 0–1: scales every amount, for the web app's intensity slider (default 1). */
  intensity?: number;
  /** The clinician's maximum change per zone (defaults: the domain's DEFAULT_MAX_CHANGE). */
  maxChangePerZone?: Partial<Record<ZoneId, ZoneLimit>>;
}

export interface Simulation {
  id: string;
  patientId: string;
  photoId: string;
  planId: string;
  planVersion: number;
  variant: SimulationVariant;
  intensity: number;
  itemKeys: string[];
  label: string;
  sourceSha256: string;
  width: number;
  height: number;
  parameters: Record<string, unknown>;
  changes: IntendedChange[];
  rendered: RenderedEffect[];
  unsupported: { itemKey: string; reason: string }[];
  createdAt: Date;
}

/**
 * A plan item as the renderer sees it: the product's class and unit and, for toxins, its potency in
 * onabotulinumtoxinA units (the priors' unit). A toxin whose equivalence is unknown (e.g. daxibotulinum) is not
 * simulated rather than silently treated as another brand's units.
 */
export function doseItem(item: FinalPlanItem, catalogue: TreatmentCatalogue, intensity: number): DoseItem | { unsupported: string } {
  const base = { zoneId: item.zoneId, side: item.side, treatmentClass: item.treatmentClass, amount: item.amount * intensity, unit: item.unit };
  if (item.treatmentClass !== 'neuromodulator') return base;
  const product = catalogue.products.find((p) => p.id === item.productId);
  const potency = product ? onaEquivalentPerUnit(product.genericName) : null;
  if (potency === null) return { unsupported: `${item.productLabel} units have no established equivalence to the toxin priors' units, so it is not simulated.` };
  return { ...base, onaEquivalentPerUnit: potency };
}

/**
 * The items a simulation can show: the version's final items and, on a draft, the suggestions not yet decided at
 * their planned amount (so the clinician can preview a suggestion before deciding on it).
 */
function simulatable(view: PlanView): FinalPlanItem[] {
  const current = view.current;
  if (current.status === 'signed') return current.final;
  const decided = new Set(current.records.map((r) => r.itemKey));
  const pending = current.suggested.items
    .filter((item) => !decided.has(item.key))
    .map((item): FinalPlanItem => ({
      key: item.key,
      zoneId: item.zoneId,
      side: item.side,
      productId: item.productId,
      productLabel: item.productLabel,
      treatmentClass: item.treatmentClass,
      amount: item.plannedAmount,
      unit: item.dose.unit,
      stage: item.stage,
      offLabel: item.offLabel,
      cost: item.cost.planned,
      origin: 'suggested',
    }));
  return [...current.final, ...pending];
}

const refused = (detail: string): Problem => new Problem(422, 'simulation-refused', 'Simulation not possible', detail);

/** The steady landmarks stored with a photo's facial analysis, when present and well formed (478 points, a pose). */
export function storedSteadyFace(stored: unknown): { landmarks: Point3[]; pose: HeadPose } | null {
  const steady = (stored as { steady?: { landmarks?: unknown; pose?: Partial<Record<keyof HeadPose, unknown>> } } | null)?.steady;
  const points = steady?.landmarks;
  const pose = steady?.pose;
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  if (!Array.isArray(points) || points.length !== 478 || !points.every((p) => Array.isArray(p) && p.length === 3 && p.every(finite))) return null;
  if (!pose || !finite(pose.yaw) || !finite(pose.pitch) || !finite(pose.roll)) return null;
  return { landmarks: points as Point3[], pose: { yaw: pose.yaw, pitch: pose.pitch, roll: pose.roll } };
}

export class Simulations {
  constructor(
    private readonly scope: Scope,
    private readonly patients: PatientRecords,
    private readonly consents: ConsentRecords,
    private readonly plans: TreatmentPlans,
    private readonly catalogues: TreatmentCatalogues,
    private readonly faces: FaceFinderProvider,
  ) {}

  async create(photoId: string, input: SimulationRequest): Promise<Simulation> {
    const target: AuditTarget = { entityType: 'photo', entityId: photoId };
    const actor = await this.scope.authorize('simulation.create', 'simulation.create', target);
    const photo = await this.scope.db
      .selectFrom('photo')
      .select(['id', 'patient_id', 'view', 'status', 'file_id', 'sha256', 'superseded_at', 'landmarks'])
      .where('organisation_id', '=', actor.organisationId)
      .where('id', '=', photoId)
      .executeTakeFirst();
    if (!photo) throw notFound('The photo');
    const plan = await this.plans.viewFor(actor, input.planId, input.version);
    if (plan.patientId !== photo.patient_id) throw badRequest('The plan is not this patient’s.', [{ path: '/planId', message: 'another patient’s plan' }]);
    await this.consents.require(actor, photo.patient_id, 'simulate_outcome');
    if (photo.view !== 'frontal') throw refused(`Simulations are made on the frontal photo at rest; this photo is the "${photo.view}" view.`);
    const available = simulatable(plan);
    const keys = input.itemKeys ?? available.map((item) => item.key);
    const items = available.filter((item) => keys.includes(item.key));
    const unknown = keys.filter((key) => !available.some((item) => item.key === key));
    if (unknown.length > 0) throw badRequest('Some items are not in this version of the plan.', unknown.map((key) => ({ path: '/itemKeys', message: `unknown item ${key}` })));
    if (items.length === 0) throw badRequest('Choose at least one plan item to simulate.', [{ path: '/itemKeys', message: 'empty' }]);
    const intensity = input.intensity ?? 1;
    const { catalogue } = await this.catalogues.current(actor.organisationId);
    const { bytes } = await this.scope.vault.read(actor.organisationId, photo.patient_id, photo.file_id);
    const doses = items.map((item) => ({ item, dose: doseItem(item, catalogue, intensity) }));
    const renderable = doses.filter((d): d is { item: FinalPlanItem; dose: DoseItem } => !('unsupported' in d.dose));
    const notRendered = doses.flatMap((d) => ('unsupported' in d.dose ? [{ itemKey: d.item.key, reason: d.dose.unsupported }] : []));
    if (renderable.length === 0) throw refused(notRendered.map((u) => u.reason).join(' '));
    const pool = await this.faces.get();
    let result;
    try {
      const face = storedSteadyFace(photo.landmarks);
      result = await pool.simulate(bytes, { items: renderable.map((d) => d.dose) }, {
        variant: input.variant,
        // The analysis's steady landmarks spare the render its eight detections; photos analysed before they were
        // stored are detected again.
        ...(face ? { face, faceSource: 'steady landmarks stored with the photo’s analysis' } : {}),
        ...(input.maxChangePerZone ? { maxChangePerZone: input.maxChangePerZone } : {}),
      });
    } catch (error) {
      if (error instanceof SimulationRefused) throw refused(error.message);
      throw error;
    }
    // Never store or show an image whose label did not survive encoding.
    const label = await readLabel(result.jpeg);
    if (!label.ok) throw new Error('the rendered simulation lost its label');
    const versionRow = await this.scope.db
      .selectFrom('plan_version')
      .select('id')
      .where('organisation_id', '=', actor.organisationId)
      .where('plan_id', '=', plan.id)
      .where('version', '=', plan.current.version)
      .executeTakeFirstOrThrow();
    const unsupported = [...notRendered, ...result.unsupported.map((u) => ({ itemKey: renderable[u.index]?.item.key ?? '', reason: u.reason }))];
    const parameters = { ...result.parameters, rendered: result.rendered, unsupported };
    const id = randomUUID();
    const createdAt = await this.scope.write(actor, 'C', 'simulation.create', async (trx) => {
      const file = await this.scope.vault.store(trx, actor.organisationId, photo.patient_id, { kind: 'simulation', contentType: 'image/jpeg', bytes: result.jpeg, createdBy: actor.userId });
      const row = await trx
        .insertInto('simulation')
        .values({
          id,
          organisation_id: actor.organisationId,
          patient_id: photo.patient_id,
          photo_id: photoId,
          plan_version_id: versionRow.id,
          variant: input.variant,
          intensity,
          item_keys: JSON.stringify(items.map((item) => item.key)),
          parameters: JSON.stringify(parameters),
          changes: JSON.stringify(result.changes),
          label: result.label,
          source_sha256: result.sourceSha256,
          file_id: file.id,
          width: result.width,
          height: result.height,
          created_by: actor.userId,
        })
        .returning('created_at')
        .executeTakeFirstOrThrow();
      return {
        result: row.created_at,
        target: { entityType: 'simulation', entityId: id, patientId: photo.patient_id, detail: { photoId, planId: plan.id, version: plan.current.version, variant: input.variant, items: items.length } },
      };
    });
    return {
      id,
      patientId: photo.patient_id,
      photoId,
      planId: plan.id,
      planVersion: plan.current.version,
      variant: input.variant,
      intensity,
      itemKeys: items.map((item) => item.key),
      label: result.label,
      sourceSha256: result.sourceSha256,
      width: result.width,
      height: result.height,
      parameters,
      changes: result.changes,
      rendered: result.rendered,
      unsupported,
      createdAt,
    };
  }

  /** The clinic's simulations with the plan and version each was made from. */
  private rows(organisationId: string) {
    return this.scope.db
      .selectFrom('simulation')
      .innerJoin('plan_version', 'plan_version.id', 'simulation.plan_version_id')
      .selectAll('simulation')
      .select(['plan_version.plan_id', 'plan_version.version'])
      .where('simulation.organisation_id', '=', organisationId);
  }

  private async row(organisationId: string, id: string) {
    const row = await this.rows(organisationId).where('simulation.id', '=', id).executeTakeFirst();
    if (!row) throw notFound('The simulation');
    return row;
  }

  private static toSimulation(row: Awaited<ReturnType<Simulations['row']>>): Simulation {
    const parameters = row.parameters as Record<string, unknown> & { rendered?: RenderedEffect[]; unsupported?: Simulation['unsupported'] };
    return {
      id: row.id,
      patientId: row.patient_id,
      photoId: row.photo_id,
      planId: row.plan_id,
      planVersion: row.version,
      variant: row.variant as SimulationVariant,
      intensity: row.intensity,
      itemKeys: row.item_keys as string[],
      label: row.label,
      sourceSha256: row.source_sha256,
      width: row.width,
      height: row.height,
      parameters,
      changes: row.changes as IntendedChange[],
      rendered: parameters.rendered ?? [],
      unsupported: parameters.unsupported ?? [],
      createdAt: row.created_at,
    };
  }

  async list(patientId: string): Promise<Simulation[]> {
    const target: AuditTarget = { entityType: 'simulation', patientId };
    const actor = await this.scope.authorize('simulation.read', 'simulation.list', target);
    await this.patients.row(actor, patientId);
    const rows = await this.rows(actor.organisationId)
      .where('simulation.patient_id', '=', patientId)
      .where('simulation.file_id', 'is not', null)
      .orderBy('simulation.created_at', 'desc')
      .execute();
    await this.scope.record(actor, 'R', 'simulation.list', { ...target, detail: { simulations: rows.length } });
    return rows.map(Simulations.toSimulation);
  }

  /** The labelled JPEG, checked for its label in pixels and metadata on the way out. */
  async image(id: string): Promise<Buffer> {
    const target: AuditTarget = { entityType: 'simulation', entityId: id };
    const actor = await this.scope.authorize('simulation.read', 'simulation.image.read', target);
    const row = await this.row(actor.organisationId, id);
    if (!row.file_id) throw notFound('The simulation image (the patient record was erased)');
    // A withdrawn simulation consent is honoured for images already made, too.
    await this.consents.require(actor, row.patient_id, 'simulate_outcome');
    const { bytes } = await this.scope.vault.read(actor.organisationId, row.patient_id, row.file_id);
    const label = await readLabel(bytes);
    if (!label.ok) {
      await this.scope.record(actor, 'R', 'simulation.image.read', { ...target, patientId: row.patient_id, detail: { error: 'label missing' } }, 'failure');
      throw integrityFailure(`This simulation no longer carries its "${SIMULATION_LABEL}" label, so it is not shown or exported.`);
    }
    await this.scope.record(actor, 'R', 'simulation.image.read', { ...target, patientId: row.patient_id });
    return bytes;
  }

  /** Whether simulations may be shown for the patient now (their simulation consent in force). */
  async consentFor(actor: Actor, patientId: string): Promise<boolean> {
    return (await this.consents.check(actor, patientId, 'simulate_outcome')).allowed;
  }

  /** For the plan summary: the version's latest simulation per variant, decrypted (no audit entry of its own). */
  async forPlanVersion(organisationId: string, patientId: string, planId: string, version: number): Promise<{ variant: string; jpeg: Buffer; width: number; height: number; createdAt: Date }[]> {
    const rows = await this.scope.db
      .selectFrom('simulation')
      .innerJoin('plan_version', 'plan_version.id', 'simulation.plan_version_id')
      .select(['simulation.variant', 'simulation.file_id', 'simulation.width', 'simulation.height', 'simulation.created_at'])
      .where('simulation.organisation_id', '=', organisationId)
      .where('plan_version.plan_id', '=', planId)
      .where('plan_version.version', '=', version)
      .where('simulation.file_id', 'is not', null)
      .orderBy('simulation.created_at', 'desc')
      .execute();
    const latest = new Map<string, (typeof rows)[number]>();
    for (const row of rows) if (!latest.has(row.variant)) latest.set(row.variant, row);
    const order = ['conservative', 'expected', 'upper'];
    const chosen = [...latest.values()].sort((a, b) => order.indexOf(a.variant) - order.indexOf(b.variant));
    return Promise.all(
      chosen.map(async (row) => ({
        variant: row.variant,
        jpeg: (await this.scope.vault.read(organisationId, patientId, row.file_id as string)).bytes,
        width: row.width,
        height: row.height,
        createdAt: row.created_at,
      })),
    );
  }
}
