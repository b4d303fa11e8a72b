import { randomUUID } from 'node:crypto';
import {
  PURPOSE_NAMES,
  isInForce,
  mayWeDo,
  type Actor,
  type ConsentDecision,
  type ConsentRecord,
  type ConsentType,
  type Purpose,
} from '@contour/domain';
import { pngSize, sniffFileType } from '@contour/vision';
import { badRequest, conflict, consentMissing, notFound } from '../errors.js';
import type { PatientRecords } from './patients.js';
import type { Scope, Trx } from './scope.js';

export interface ConsentTemplate {
  id: string;
  type: string;
  version: number;
  title: string;
  body: string;
  validForMonths: number | null;
  createdAt: Date;
  current: boolean;
}

export interface Consent {
  id: string;
  type: string;
  templateId: string;
  templateVersion: number;
  title: string;
  signedName: string;
  signedAt: Date;
  recordedBy: string;
  withdrawnAt: Date | null;
  withdrawalReason: string | null;
  inForce: boolean;
  hasSignature: boolean;
}

export interface ConsentStatus {
  purpose: Purpose;
  allowed: boolean;
  missing: ConsentType[];
  reason: string | null;
}

const MAX_SIGNATURE_BYTES = 512 * 1024;
const DATA_URL_PREFIX = 'data:image/png;base64,';

/** The drawn signature as PNG bytes, or a 400 explaining what is wrong with it. */
export function decodeSignature(dataUrl: string): Buffer {
  if (!dataUrl.startsWith(DATA_URL_PREFIX)) {
    throw badRequest('The signature must be a PNG data URL.', [{ path: '/signature', message: 'expected data:image/png;base64,…' }]);
  }
  const bytes = Buffer.from(dataUrl.slice(DATA_URL_PREFIX.length), 'base64');
  const size = pngSize(bytes);
  if (sniffFileType(bytes) !== 'image/png' || !size || size.width < 50 || size.height < 20 || size.width * size.height > 4_000_000) {
    throw badRequest('The signature image is not a valid drawing.', [{ path: '/signature', message: 'not a PNG of a plausible size' }]);
  }
  if (bytes.length > MAX_SIGNATURE_BYTES) {
    throw badRequest('The signature image is too large.', [{ path: '/signature', message: 'at most 512 KB' }]);
  }
  return bytes;
}

/** Letters only, lower-cased, accents removed: "Zoë  O'Neil" and "zoe oneil" are the same name. */
const nameKey = (name: string): string =>
  name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^\p{L}]/gu, '');

export class ConsentRecords {
  constructor(
    private readonly scope: Scope,
    private readonly patients: PatientRecords,
  ) {}

  async templates(): Promise<ConsentTemplate[]> {
    const actor = await this.scope.authorize('consentTemplate.read', 'consentTemplate.list');
    const rows = await this.scope.db
      .selectFrom('consent_template')
      .selectAll()
      .where('organisation_id', '=', actor.organisationId)
      .orderBy('type')
      .orderBy('version', 'desc')
      .execute();
    const newest = new Map<string, number>();
    for (const row of rows) newest.set(row.type, Math.max(newest.get(row.type) ?? 0, row.version));
    return rows.map((row) => ({
      id: row.id,
      type: row.type,
      version: row.version,
      title: row.title,
      body: row.body,
      validForMonths: row.valid_for_months,
      createdAt: row.created_at,
      current: newest.get(row.type) === row.version,
    }));
  }

  /** Publishes the next version of a consent type; earlier signatures keep pointing at their version. */
  async publishTemplate(input: { type: ConsentType; title: string; body: string; validForMonths: number | null }): Promise<ConsentTemplate> {
    const actor = await this.scope.authorize('consentTemplate.manage', 'consentTemplate.publish', { entityType: 'consent_template' });
    return this.scope.write(actor, 'C', 'consentTemplate.publish', async (trx) => {
      const latest = await trx
        .selectFrom('consent_template')
        .select((eb) => eb.fn.max('version').as('v'))
        .where('organisation_id', '=', actor.organisationId)
        .where('type', '=', input.type)
        .executeTakeFirst();
      const version = Number(latest?.v ?? 0) + 1;
      const id = randomUUID();
      const row = await trx
        .insertInto('consent_template')
        .values({
          id,
          organisation_id: actor.organisationId,
          type: input.type,
          version,
          title: input.title.trim(),
          body: input.body.trim(),
          valid_for_months: input.validForMonths,
          created_by: actor.userId,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return {
        result: { id, type: row.type, version, title: row.title, body: row.body, validForMonths: row.valid_for_months, createdAt: row.created_at, current: true },
        target: { entityType: 'consent_template', entityId: id, detail: { type: input.type, version } },
      };
    });
  }

  private async history(organisationId: string, patientId: string, executor: Trx | Scope['db'] = this.scope.db) {
    return executor
      .selectFrom('consent')
      .innerJoin('consent_template', 'consent_template.id', 'consent.template_id')
      .select([
        'consent.id',
        'consent.type',
        'consent.template_id',
        'consent.template_version',
        'consent.signed_name',
        'consent.signature_file_id',
        'consent.signed_at',
        'consent.recorded_by',
        'consent.withdrawn_at',
        'consent.withdrawal_reason',
        'consent_template.title',
        'consent_template.valid_for_months',
      ])
      .where('consent.organisation_id', '=', organisationId)
      .where('consent.patient_id', '=', patientId)
      .orderBy('consent.signed_at', 'desc')
      .execute();
  }

  private static toRecord(row: Awaited<ReturnType<ConsentRecords['history']>>[number]): ConsentRecord {
    return {
      type: row.type as ConsentType,
      templateVersion: row.template_version,
      signedAt: row.signed_at,
      withdrawnAt: row.withdrawn_at,
      validForMonths: row.valid_for_months,
    };
  }

  private static toConsent(row: Awaited<ReturnType<ConsentRecords['history']>>[number], now: Date): Consent {
    return {
      id: row.id,
      type: row.type,
      templateId: row.template_id,
      templateVersion: row.template_version,
      title: row.title,
      signedName: row.signed_name,
      signedAt: row.signed_at,
      recordedBy: row.recorded_by,
      withdrawnAt: row.withdrawn_at,
      withdrawalReason: row.withdrawal_reason,
      inForce: isInForce(ConsentRecords.toRecord(row), now),
      hasSignature: row.signature_file_id !== null,
    };
  }

  async list(patientId: string): Promise<{ items: Consent[]; status: ConsentStatus[] }> {
    const target = { entityType: 'consent', patientId };
    const actor = await this.scope.authorize('consent.read', 'consent.list', target);
    const patient = await this.patients.row(actor, patientId);
    const rows = await this.history(actor.organisationId, patientId);
    const now = new Date();
    const records = rows.map(ConsentRecords.toRecord);
    const status = PURPOSE_NAMES.map((purpose) =>
      statusOf(mayWeDo(purpose, { archived: patient.archived_at !== null, erased: patient.erased_at !== null }, records, now)),
    );
    await this.scope.record(actor, 'R', 'consent.list', { ...target, detail: { count: rows.length } });
    return { items: rows.map((row) => ConsentRecords.toConsent(row, now)), status };
  }

  /**
   * The check every later feature calls before acting on a patient (photos, analysis, simulation,
   * marketing). Throws a 403 consent-required problem naming what is missing.
   */
  async require(actor: Actor, patientId: string, purpose: Purpose, executor: Trx | Scope['db'] = this.scope.db): Promise<void> {
    const decision = await this.check(actor, patientId, purpose, executor);
    if (!decision.allowed) throw consentMissing(decision.reason);
  }

  /** The same decision as `require`, returned rather than thrown (e.g. to queue analysis only when allowed). */
  async check(actor: Actor, patientId: string, purpose: Purpose, executor: Trx | Scope['db'] = this.scope.db): Promise<ConsentDecision> {
    const patient = await this.patients.row(actor, patientId, executor);
    const rows = await this.history(actor.organisationId, patientId, executor);
    return mayWeDo(purpose, { archived: patient.archived_at !== null, erased: patient.erased_at !== null }, rows.map(ConsentRecords.toRecord), new Date());
  }

  async record(patientId: string, input: { templateId: string; signedName: string; signature: string }): Promise<Consent> {
    const actor = await this.scope.authorize('consent.record', 'consent.record', { entityType: 'consent', patientId });
    const signature = decodeSignature(input.signature);
    return this.scope.write(actor, 'C', 'consent.record', async (trx) => {
      const patient = await this.patients.writableRow(actor, patientId, trx);
      const template = await trx
        .selectFrom('consent_template')
        .selectAll()
        .where('organisation_id', '=', actor.organisationId)
        .where('id', '=', input.templateId)
        .executeTakeFirst();
      if (!template) throw badRequest('Unknown consent form.', [{ path: '/templateId', message: 'no such consent form in this clinic' }]);
      const typed = nameKey(input.signedName);
      const names = [patient.given_name, patient.preferred_name ?? patient.given_name].map((g) => nameKey(`${g}${patient.family_name}`));
      if (!names.includes(typed)) {
        throw badRequest("The typed name must be the patient's full name.", [{ path: '/signedName', message: 'does not match the patient' }]);
      }
      const file = await this.scope.vault.store(trx, actor.organisationId, patientId, {
        kind: 'consent-signature',
        contentType: 'image/png',
        bytes: signature,
        createdBy: actor.userId,
      });
      const id = randomUUID();
      await trx
        .insertInto('consent')
        .values({
          id,
          organisation_id: actor.organisationId,
          patient_id: patientId,
          template_id: template.id,
          type: template.type,
          template_version: template.version,
          signed_name: input.signedName.trim(),
          signature_file_id: file.id,
          signed_at: new Date(),
          recorded_by: actor.userId,
        })
        .execute();
      const row = (await this.history(actor.organisationId, patientId, trx)).find((r) => r.id === id);
      if (!row) throw notFound('The consent');
      return {
        result: ConsentRecords.toConsent(row, new Date()),
        target: { entityType: 'consent', entityId: id, patientId, detail: { type: template.type, version: template.version } },
      };
    });
  }

  async withdraw(patientId: string, consentId: string, reason: string): Promise<Consent> {
    const target = { entityType: 'consent', entityId: consentId, patientId };
    const actor = await this.scope.authorize('consent.withdraw', 'consent.withdraw', target);
    return this.scope.write(actor, 'U', 'consent.withdraw', async (trx) => {
      await this.patients.row(actor, patientId, trx);
      const withdrawal = { withdrawn_at: new Date(), withdrawn_by: actor.userId, withdrawal_reason: reason.trim() };
      const updated = await trx
        .updateTable('consent')
        .set(withdrawal)
        .where('organisation_id', '=', actor.organisationId)
        .where('patient_id', '=', patientId)
        .where('id', '=', consentId)
        .where('withdrawn_at', 'is', null)
        .returning('type')
        .executeTakeFirst();
      if (!updated) {
        const exists = await trx
          .selectFrom('consent')
          .select('id')
          .where('organisation_id', '=', actor.organisationId)
          .where('patient_id', '=', patientId)
          .where('id', '=', consentId)
          .executeTakeFirst();
        throw exists ? conflict('This consent was already withdrawn.') : notFound('The consent');
      }
      // A withdrawal is the patient's word on what the consent is for, not on one form: every other signature of the
      // same type still standing (an earlier version signed, the same form signed twice) is withdrawn with it.
      const alsoWithdrawn = await trx
        .updateTable('consent')
        .set(withdrawal)
        .where('organisation_id', '=', actor.organisationId)
        .where('patient_id', '=', patientId)
        .where('type', '=', updated.type)
        .where('withdrawn_at', 'is', null)
        .returning('id')
        .execute();
      const row = (await this.history(actor.organisationId, patientId, trx)).find((r) => r.id === consentId);
      if (!row) throw notFound('The consent');
      const detail = { type: updated.type, ...(alsoWithdrawn.length > 0 ? { alsoWithdrawn: alsoWithdrawn.map((c) => c.id) } : {}) };
      return { result: ConsentRecords.toConsent(row, new Date()), target: { ...target, detail } };
    });
  }

  async signature(patientId: string, consentId: string): Promise<Buffer> {
    const target = { entityType: 'consent', entityId: consentId, patientId };
    const actor = await this.scope.authorize('consent.read', 'consent.signature.read', target);
    const row = await this.scope.db
      .selectFrom('consent')
      .select('signature_file_id')
      .where('organisation_id', '=', actor.organisationId)
      .where('patient_id', '=', patientId)
      .where('id', '=', consentId)
      .executeTakeFirst();
    if (!row?.signature_file_id) throw notFound('The signature');
    const { bytes } = await this.scope.vault.read(actor.organisationId, patientId, row.signature_file_id);
    await this.scope.record(actor, 'R', 'consent.signature.read', target);
    return bytes;
  }
}

function statusOf(decision: ConsentDecision): ConsentStatus {
  return decision.allowed
    ? { purpose: decision.purpose, allowed: true, missing: [], reason: null }
    : { purpose: decision.purpose, allowed: false, missing: decision.missing, reason: decision.reason };
}
