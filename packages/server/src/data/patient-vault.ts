/**
 * Sealing and opening patient files. Owns the patient_key and patient_file rows and the blob store;
 * it does not decide access (callers authorize first) and does not audit (callers do, in the same transaction).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '../db/database.js';
import { gone, integrityFailure, notFound } from '../errors.js';
import type { BlobStore } from '../storage/blob-store.js';
import { DecryptionError, newDataKey, open, seal } from '../storage/envelope.js';
import type { Trx } from './scope.js';

export interface StoredFile {
  id: string;
  kind: string;
  contentType: string;
  byteSize: number;
  sha256: string;
  createdAt: Date;
}

const keyContext = (organisationId: string, patientId: string): string => `patient-key:${organisationId}:${patientId}`;
const fileContext = (organisationId: string, patientId: string, fileId: string): string =>
  `patient-file:${organisationId}:${patientId}:${fileId}`;

export class PatientVault {
  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
    private readonly masterKey: Buffer,
  ) {}

  get storageKind(): string {
    return this.blobs.kind;
  }

  private async dataKey(trx: Trx | Db, organisationId: string, patientId: string, createIfMissing: boolean): Promise<Buffer> {
    const row = await trx
      .selectFrom('patient_key')
      .select(['wrapped_key', 'destroyed_at'])
      .where('patient_id', '=', patientId)
      .where('organisation_id', '=', organisationId)
      .executeTakeFirst();
    if (row?.destroyed_at || (row && !row.wrapped_key)) throw gone("This patient's files were erased.");
    if (row?.wrapped_key) {
      try {
        return open(this.masterKey, row.wrapped_key, keyContext(organisationId, patientId));
      } catch (error) {
        if (error instanceof DecryptionError) throw integrityFailure("The patient's file key failed its integrity check.");
        throw error;
      }
    }
    if (!createIfMissing) throw notFound('The file');
    const key = newDataKey();
    const inserted = await trx
      .insertInto('patient_key')
      .values({ patient_id: patientId, organisation_id: organisationId, wrapped_key: seal(this.masterKey, key, keyContext(organisationId, patientId)) })
      .onConflict((oc) => oc.column('patient_id').doNothing())
      .returning('patient_id')
      .executeTakeFirst();
    // A concurrent request (two first uploads, an upload and a consent) created the key first: use theirs.
    if (!inserted) return this.dataKey(trx, organisationId, patientId, false);
    return key;
  }

  /** Encrypts and stores a file for the patient inside the caller's transaction. */
  async store(
    trx: Trx,
    organisationId: string,
    patientId: string,
    file: { kind: string; contentType: string; bytes: Buffer; createdBy: string },
  ): Promise<StoredFile> {
    const key = await this.dataKey(trx, organisationId, patientId, true);
    const id = randomUUID();
    const storageKey = `${organisationId}/${patientId}/${id}`;
    const sha256 = createHash('sha256').update(file.bytes).digest('hex');
    await this.blobs.put(storageKey, seal(key, file.bytes, fileContext(organisationId, patientId, id)));
    const row = await trx
      .insertInto('patient_file')
      .values({
        id,
        organisation_id: organisationId,
        patient_id: patientId,
        kind: file.kind,
        content_type: file.contentType,
        byte_size: file.bytes.length,
        sha256,
        storage_key: storageKey,
        created_by: file.createdBy,
      })
      .returning(['created_at'])
      .executeTakeFirstOrThrow();
    return { id, kind: file.kind, contentType: file.contentType, byteSize: file.bytes.length, sha256, createdAt: row.created_at };
  }

  async list(organisationId: string, patientId: string): Promise<StoredFile[]> {
    const rows = await this.db
      .selectFrom('patient_file')
      .select(['id', 'kind', 'content_type', 'byte_size', 'sha256', 'created_at'])
      .where('organisation_id', '=', organisationId)
      .where('patient_id', '=', patientId)
      .where('shredded_at', 'is', null)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map((r) => ({ id: r.id, kind: r.kind, contentType: r.content_type, byteSize: r.byte_size, sha256: r.sha256, createdAt: r.created_at }));
  }

  /** Decrypts a file and checks it against the SHA-256 recorded when it was stored. */
  async read(organisationId: string, patientId: string, fileId: string): Promise<{ file: StoredFile; bytes: Buffer }> {
    const row = await this.db
      .selectFrom('patient_file')
      .selectAll()
      .where('organisation_id', '=', organisationId)
      .where('patient_id', '=', patientId)
      .where('id', '=', fileId)
      .executeTakeFirst();
    if (!row) throw notFound('The file');
    if (row.shredded_at) throw gone('This file was erased.');
    const key = await this.dataKey(this.db, organisationId, patientId, false);
    const sealed = await this.blobs.get(row.storage_key);
    if (!sealed) throw integrityFailure('The stored file is missing.');
    let bytes: Buffer;
    try {
      bytes = open(key, sealed, fileContext(organisationId, patientId, fileId));
    } catch (error) {
      if (error instanceof DecryptionError) throw integrityFailure('The stored file was altered or damaged.');
      throw error;
    }
    if (createHash('sha256').update(bytes).digest('hex') !== row.sha256) {
      throw integrityFailure('The stored file does not match its recorded checksum.');
    }
    return {
      file: { id: row.id, kind: row.kind, contentType: row.content_type, byteSize: row.byte_size, sha256: row.sha256, createdAt: row.created_at },
      bytes,
    };
  }

  /**
   * Crypto-shredding: destroys the patient's wrapped key in the caller's transaction. The ciphertext is
   * deleted afterwards by `deleteShredded`, but is already unreadable once the key is gone.
   */
  async shred(trx: Trx, organisationId: string, patientId: string): Promise<string[]> {
    // Upsert, so a patient who never had a file also ends with a destroyed key and can never get a new one.
    const destroyed = { wrapped_key: null, destroyed_at: new Date() };
    await trx
      .insertInto('patient_key')
      .values({ patient_id: patientId, organisation_id: organisationId, ...destroyed })
      .onConflict((oc) => oc.column('patient_id').doUpdateSet(destroyed))
      .execute();
    const files = await trx
      .updateTable('patient_file')
      .set({ shredded_at: new Date() })
      .where('organisation_id', '=', organisationId)
      .where('patient_id', '=', patientId)
      .where('shredded_at', 'is', null)
      .returning(['storage_key'])
      .execute();
    return files.map((f) => f.storage_key);
  }

  async deleteBlobs(storageKeys: string[]): Promise<void> {
    for (const key of storageKeys) await this.blobs.delete(key);
  }
}
