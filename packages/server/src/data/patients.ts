import { randomUUID } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import {
  emptyMedicalHistory,
  isAllowed,
  parsePatientSearch,
  patientSearchText,
  type Actor,
  type MedicalHistory,
} from '@contour/domain';
import type { PatientTable } from '../db/schema.js';
import { badRequest, forbidden, gone, notFound } from '../errors.js';
import type { Scope, Trx } from './scope.js';

export interface PatientInput {
  givenName: string;
  familyName: string;
  preferredName?: string | null;
  dateOfBirth?: string | null;
  sex: string;
  email?: string | null;
  phone?: string | null;
  address?: string | null;
  acquisitionChannel: string;
  locationId?: string | null;
  medicalHistory?: MedicalHistory;
  clinicalNotes?: string;
}

export interface PatientSummary {
  id: string;
  givenName: string;
  familyName: string;
  preferredName: string | null;
  dateOfBirth: string | null;
  email: string | null;
  phone: string | null;
  archived: boolean;
  erased: boolean;
  createdAt: Date;
}

export interface Patient extends PatientSummary {
  sex: string;
  address: string | null;
  acquisitionChannel: string;
  locationId: string | null;
  medicalHistory: MedicalHistory;
  clinicalNotes?: string;
  archivedAt: Date | null;
  erasedAt: Date | null;
  updatedAt: Date;
}

type PatientRow = Selectable<PatientTable>;

function toSummary(row: PatientRow): PatientSummary {
  return {
    id: row.id,
    givenName: row.given_name,
    familyName: row.family_name,
    preferredName: row.preferred_name,
    dateOfBirth: row.date_of_birth,
    email: row.email,
    phone: row.phone,
    archived: row.archived_at !== null,
    erased: row.erased_at !== null,
    createdAt: row.created_at,
  };
}

/** Field-level policy: clinical notes only reach roles allowed to read them. */
function toPatient(row: PatientRow, actor: Actor): Patient {
  const patient: Patient = {
    ...toSummary(row),
    sex: row.sex,
    address: row.address,
    acquisitionChannel: row.acquisition_channel,
    locationId: row.location_id,
    medicalHistory: { ...emptyMedicalHistory(), ...(row.medical_history as Partial<MedicalHistory>) },
    archivedAt: row.archived_at,
    erasedAt: row.erased_at,
    updatedAt: row.updated_at,
  };
  if (isAllowed(actor.role, 'patient.clinicalNotes.read')) patient.clinicalNotes = row.clinical_notes;
  return patient;
}

const clean = (value: string | null | undefined): string | null => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
};

function checkDateOfBirth(dateOfBirth: string | null | undefined): void {
  if (!dateOfBirth) return;
  const dob = new Date(`${dateOfBirth}T00:00:00Z`);
  const now = new Date();
  if (Number.isNaN(dob.getTime()) || dob > now || now.getUTCFullYear() - dob.getUTCFullYear() > 130) {
    throw badRequest('The date of birth is not plausible.', [{ path: '/dateOfBirth', message: 'must be a past date' }]);
  }
}

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, '\\$&');

export class PatientRecords {
  constructor(private readonly scope: Scope) {}

  /** Loads a patient row of the actor's organisation; another clinic's id is simply not found. */
  async row(actor: Actor, id: string, executor: Trx | Scope['db'] = this.scope.db): Promise<PatientRow> {
    const row = await executor
      .selectFrom('patient')
      .selectAll()
      .where('organisation_id', '=', actor.organisationId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound('The patient');
    return row;
  }

  /** For writes: the patient must exist in this clinic and not be erased. */
  async writableRow(actor: Actor, id: string, trx: Trx): Promise<PatientRow> {
    const row = await this.row(actor, id, trx);
    if (row.erased_at) throw gone('This patient record has been erased.');
    return row;
  }

  async search(query: { q: string; includeArchived: boolean; limit: number; offset: number }): Promise<{ items: PatientSummary[]; total: number }> {
    const actor = await this.scope.authorize('patient.search', 'patient.search', { entityType: 'patient' });
    const { words, dateOfBirth } = parsePatientSearch(query.q);
    let base = this.scope.db
      .selectFrom('patient')
      .where('organisation_id', '=', actor.organisationId)
      .where('erased_at', 'is', null);
    if (!query.includeArchived) base = base.where('archived_at', 'is', null);
    for (const word of words) base = base.where('search_text', 'like', `%${escapeLike(word)}%`);
    if (dateOfBirth) base = base.where('date_of_birth', '=', dateOfBirth);
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('family_name').orderBy('given_name').orderBy('id').limit(query.limit).offset(query.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    const items = rows.map(toSummary);
    // Who saw which patients: the ids listed, never the search words (they may be names).
    await this.scope.record(actor, 'R', 'patient.search', {
      entityType: 'patient',
      detail: { resultCount: items.length, patientIds: items.map((p) => p.id) },
    });
    return { items, total: Number(count.n) };
  }

  async get(id: string): Promise<Patient> {
    const actor = await this.scope.authorize('patient.read', 'patient.read', { entityType: 'patient', entityId: id, patientId: id });
    const row = await this.row(actor, id).catch(async (error: unknown) => {
      await this.scope.record(actor, 'R', 'patient.read', { entityType: 'patient', entityId: id, detail: { reason: 'not_found' } }, 'failure');
      throw error;
    });
    await this.scope.record(actor, 'R', 'patient.read', { entityType: 'patient', entityId: id, patientId: id });
    return toPatient(row, actor);
  }

  private async checkLocation(actor: Actor, locationId: string | null | undefined, trx: Trx): Promise<void> {
    if (!locationId) return;
    const found = await trx
      .selectFrom('location')
      .select('id')
      .where('organisation_id', '=', actor.organisationId)
      .where('id', '=', locationId)
      .executeTakeFirst();
    if (!found) throw badRequest('Unknown location.', [{ path: '/locationId', message: 'no such location in this clinic' }]);
  }

  async create(input: PatientInput): Promise<Patient> {
    const actor = await this.scope.authorize('patient.create', 'patient.create', { entityType: 'patient' });
    if (input.clinicalNotes && !isAllowed(actor.role, 'patient.clinicalNotes.write')) {
      throw forbidden('Your role may not write clinical notes.');
    }
    checkDateOfBirth(input.dateOfBirth);
    const id = randomUUID();
    return this.scope.write(actor, 'C', 'patient.create', async (trx) => {
      await this.checkLocation(actor, input.locationId, trx);
      const fields = {
        given_name: input.givenName.trim(),
        family_name: input.familyName.trim(),
        preferred_name: clean(input.preferredName),
        email: clean(input.email)?.toLowerCase() ?? null,
        phone: clean(input.phone),
      };
      const row = await trx
        .insertInto('patient')
        .values({
          id,
          organisation_id: actor.organisationId,
          location_id: input.locationId ?? null,
          ...fields,
          date_of_birth: input.dateOfBirth ?? null,
          sex: input.sex,
          address: clean(input.address),
          acquisition_channel: input.acquisitionChannel,
          medical_history: JSON.stringify({ ...emptyMedicalHistory(), ...input.medicalHistory }),
          clinical_notes: input.clinicalNotes ?? '',
          search_text: patientSearchText({
            givenName: fields.given_name,
            familyName: fields.family_name,
            preferredName: fields.preferred_name,
            email: fields.email,
            phone: fields.phone,
          }),
          created_by: actor.userId,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { result: toPatient(row, actor), target: { entityType: 'patient', entityId: id, patientId: id } };
    });
  }

  async update(id: string, input: Partial<PatientInput>): Promise<Patient> {
    const target = { entityType: 'patient', entityId: id, patientId: id };
    const actor = await this.scope.authorize('patient.update', 'patient.update', target);
    if (input.clinicalNotes !== undefined && !isAllowed(actor.role, 'patient.clinicalNotes.write')) {
      throw forbidden('Your role may not write clinical notes.');
    }
    checkDateOfBirth(input.dateOfBirth);
    return this.scope.write(actor, 'U', 'patient.update', async (trx) => {
      const current = await this.writableRow(actor, id, trx);
      await this.checkLocation(actor, input.locationId, trx);
      const next = {
        given_name: input.givenName?.trim() ?? current.given_name,
        family_name: input.familyName?.trim() ?? current.family_name,
        preferred_name: input.preferredName !== undefined ? clean(input.preferredName) : current.preferred_name,
        email: input.email !== undefined ? (clean(input.email)?.toLowerCase() ?? null) : current.email,
        phone: input.phone !== undefined ? clean(input.phone) : current.phone,
      };
      const row = await trx
        .updateTable('patient')
        .set({
          ...next,
          ...(input.dateOfBirth !== undefined ? { date_of_birth: input.dateOfBirth } : {}),
          ...(input.sex !== undefined ? { sex: input.sex } : {}),
          ...(input.address !== undefined ? { address: clean(input.address) } : {}),
          ...(input.acquisitionChannel !== undefined ? { acquisition_channel: input.acquisitionChannel } : {}),
          ...(input.locationId !== undefined ? { location_id: input.locationId } : {}),
          ...(input.medicalHistory !== undefined
            ? { medical_history: JSON.stringify({ ...emptyMedicalHistory(), ...input.medicalHistory }) }
            : {}),
          ...(input.clinicalNotes !== undefined ? { clinical_notes: input.clinicalNotes } : {}),
          search_text: patientSearchText({
            givenName: next.given_name,
            familyName: next.family_name,
            preferredName: next.preferred_name,
            email: next.email,
            phone: next.phone,
          }),
          updated_at: new Date(),
        })
        .where('id', '=', id)
        .where('organisation_id', '=', actor.organisationId)
        .returningAll()
        .executeTakeFirstOrThrow();
      // Which fields changed, never their values.
      return { result: toPatient(row, actor), target: { ...target, detail: { fields: Object.keys(input).sort() } } };
    });
  }

  async setArchived(id: string, archived: boolean): Promise<Patient> {
    const event = archived ? 'patient.archive' : 'patient.restore';
    const target = { entityType: 'patient', entityId: id, patientId: id };
    const actor = await this.scope.authorize('patient.archive', event, target);
    return this.scope.write(actor, 'U', event, async (trx) => {
      await this.writableRow(actor, id, trx);
      const row = await trx
        .updateTable('patient')
        .set({ archived_at: archived ? new Date() : null, updated_at: new Date() })
        .where('id', '=', id)
        .where('organisation_id', '=', actor.organisationId)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { result: toPatient(row, actor), target };
    });
  }

  /**
   * Erasure on request: identifying fields are blanked, the patient's file key is destroyed so every
   * photo and signature becomes unreadable, and the audit trail (which holds ids only) records it.
   */
  async erase(id: string, confirmFamilyName: string): Promise<{ erasedAt: Date; filesShredded: number }> {
    const target = { entityType: 'patient', entityId: id, patientId: id };
    const actor = await this.scope.authorize('patient.erase', 'patient.erase', target);
    let storageKeys: string[] = [];
    const erasedAt = new Date();
    await this.scope.write(actor, 'D', 'patient.erase', async (trx) => {
      const row = await this.writableRow(actor, id, trx);
      if (confirmFamilyName.trim().toLowerCase() !== row.family_name.trim().toLowerCase()) {
        throw badRequest('Type the patient\'s family name to confirm erasure.', [
          { path: '/confirmFamilyName', message: 'does not match' },
        ]);
      }
      storageKeys = await this.scope.vault.shred(trx, actor.organisationId, id);
      await trx
        .updateTable('patient')
        .set({
          given_name: 'Erased',
          family_name: 'patient',
          preferred_name: null,
          date_of_birth: null,
          email: null,
          phone: null,
          address: null,
          medical_history: JSON.stringify(emptyMedicalHistory()),
          clinical_notes: '',
          search_text: '',
          erased_at: erasedAt,
          updated_at: erasedAt,
        })
        .where('id', '=', id)
        .where('organisation_id', '=', actor.organisationId)
        .execute();
      // The typed name, and a withdrawal's free-text reason (it can name or describe the patient); that and when a
      // consent was withdrawn stay.
      await trx.updateTable('consent').set({ signed_name: '' }).where('patient_id', '=', id).execute();
      await trx.updateTable('consent').set({ withdrawal_reason: '' }).where('patient_id', '=', id).where('withdrawal_reason', 'is not', null).execute();
      // The patient's own words at consultations and the notes of treatments can name or describe them.
      await trx
        .updateTable('consultation')
        .set({ intake: sql`jsonb_set(jsonb_set(intake, '{concerns}', '""'), '{upcomingEvent}', 'null')` })
        .where('organisation_id', '=', actor.organisationId)
        .where('patient_id', '=', id)
        .execute();
      await trx.updateTable('treatment_record').set({ notes: '' }).where('organisation_id', '=', actor.organisationId).where('patient_id', '=', id).execute();
      // Simulated images are shredded with the other files; their measurements of the face go too.
      await trx
        .updateTable('simulation')
        .set({ file_id: null, parameters: JSON.stringify({ erased: true }) })
        .where('organisation_id', '=', actor.organisationId)
        .where('patient_id', '=', id)
        .execute();
      // Face landmarks, measurements and facial analyses are biometric data: they go with the photos they came from.
      await trx
        .updateTable('photo')
        .set({ landmarks: null, measurements: null, pose: null, quality: null, consistency: null, facial_analysis: null, analysis_token: null })
        .where('organisation_id', '=', actor.organisationId)
        .where('patient_id', '=', id)
        .execute();
      // Clinicians' zone grades of those photos go with them.
      await trx
        .deleteFrom('zone_grade')
        .where('organisation_id', '=', actor.organisationId)
        .where('photo_id', 'in', (eb) => eb.selectFrom('photo').select('photo.id').where('photo.organisation_id', '=', actor.organisationId).where('photo.patient_id', '=', id))
        .execute();
      await trx
        .updateTable('photo')
        .set({ status: 'not_analysed', status_reason: 'Not analysed: the patient record was erased.' })
        .where('organisation_id', '=', actor.organisationId)
        .where('patient_id', '=', id)
        .where('status', 'in', ['queued', 'analysing'])
        .execute();
      await trx.updateTable('photo_session').set({ notes: '' }).where('organisation_id', '=', actor.organisationId).where('patient_id', '=', id).execute();
      return { result: undefined, target: { ...target, detail: { filesShredded: storageKeys.length } } };
    });
    await this.scope.vault.deleteBlobs(storageKeys);
    return { erasedAt, filesShredded: storageKeys.length };
  }
}
