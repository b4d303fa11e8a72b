import { sniffFileType } from '@contour/vision';
import { Problem, badRequest, unsupportedMedia } from '../errors.js';
import type { StoredFile } from './patient-vault.js';
import type { PatientRecords } from './patients.js';
import type { Scope } from './scope.js';

/** Documents a clinic may attach to a record (referral letters, scanned forms, external photos). */
export const ACCEPTED_DOCUMENT_TYPES = ['image/jpeg', 'image/png', 'application/pdf'] as const;
export const MAX_DOCUMENT_BYTES = 25 * 1024 * 1024;

export class PatientFiles {
  constructor(
    private readonly scope: Scope,
    private readonly patients: PatientRecords,
  ) {}

  async list(patientId: string): Promise<StoredFile[]> {
    const target = { entityType: 'patient_file', patientId };
    const actor = await this.scope.authorize('patientFile.read', 'patientFile.list', target);
    await this.patients.row(actor, patientId);
    const files = await this.scope.vault.list(actor.organisationId, patientId);
    await this.scope.record(actor, 'R', 'patientFile.list', { ...target, detail: { count: files.length } });
    return files;
  }

  async upload(patientId: string, kind: string, declaredType: string, bytes: Buffer): Promise<StoredFile> {
    const actor = await this.scope.authorize('patientFile.upload', 'patientFile.upload', { entityType: 'patient_file', patientId });
    if (bytes.length === 0) throw badRequest('The file is empty.');
    const actual = sniffFileType(bytes);
    if (!actual || !(ACCEPTED_DOCUMENT_TYPES as readonly string[]).includes(actual)) {
      throw unsupportedMedia('Only JPEG, PNG and PDF files can be attached.');
    }
    if (actual !== declaredType) {
      throw unsupportedMedia(`The file's content is ${actual}, not ${declaredType} as declared.`);
    }
    return this.scope.write(actor, 'C', 'patientFile.upload', async (trx) => {
      await this.patients.writableRow(actor, patientId, trx);
      const file = await this.scope.vault.store(trx, actor.organisationId, patientId, {
        kind,
        contentType: actual,
        bytes,
        createdBy: actor.userId,
      });
      return { result: file, target: { entityType: 'patient_file', entityId: file.id, patientId, detail: { kind, byteSize: file.byteSize } } };
    });
  }

  async download(patientId: string, fileId: string): Promise<{ file: StoredFile; bytes: Buffer }> {
    const target = { entityType: 'patient_file', entityId: fileId, patientId };
    const actor = await this.scope.authorize('patientFile.read', 'patientFile.read', target);
    try {
      const result = await this.scope.vault.read(actor.organisationId, patientId, fileId);
      await this.scope.record(actor, 'R', 'patientFile.read', target);
      return result;
    } catch (error) {
      // An integrity failure belongs on the patient's record; a miss (perhaps another clinic's id) does not.
      const missed = error instanceof Problem && error.status === 404;
      await this.scope.record(
        actor,
        'R',
        'patientFile.read',
        { entityType: 'patient_file', entityId: fileId, patientId: missed ? null : patientId, detail: { error: (error as Error).message } },
        'failure',
      );
      throw error;
    }
  }
}
