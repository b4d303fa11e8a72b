/**
 * Photo sessions and their photos. A session is one visit of one patient; each photo is tagged with its
 * view of the clinic's protocol, and a retake of a view supersedes the photo before it. The image is
 * checked before anything is stored (type from the bytes, size and pixel limits before decoding), stored
 * upright with every metadata block removed, encrypted in the patient's vault with a thumbnail, and
 * analysed off the request path when the patient consents to AI analysis.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import {
  VIEW_IDS,
  isSessionComplete,
  type Actor,
  type ConsistencyReport,
  type PhotoProtocol,
  type Purpose,
  type QualityResult,
  type ViewSpec,
} from '@contour/domain';
import { FACIAL_ANALYSIS_METHOD, ImageRejected, PHOTO_LIMITS, cleanPhotoForStorage, inspectPhoto, sniffFileType } from '@contour/vision';
import type { PhotoSessionTable, PhotoStatus, PhotoTable } from '../db/schema.js';
import { Problem, badRequest, notFound, unsupportedMedia } from '../errors.js';
import type { ConsentRecords } from './consents.js';
import { localDate } from './locations.js';
import type { PhotoAnalysisJobs } from './photo-analysis.js';
import { protocolFor, viewSpecFor } from './photo-protocols.js';
import type { PatientRecords } from './patients.js';
import type { AuditTarget, Scope, Trx } from './scope.js';

/** How many photos one request to analyse an earlier method's photos again queues at most. */
export const EARLIER_METHOD_BATCH = 100;
export const MAX_PHOTO_BYTES = PHOTO_LIMITS.maxBytes;

type PhotoRow = Selectable<PhotoTable>;
type SessionRow = Selectable<PhotoSessionTable>;

export interface Photo {
  id: string;
  sessionId: string;
  view: string;
  status: PhotoStatus;
  statusReason: string | null;
  width: number;
  height: number;
  contentType: string;
  byteSize: number;
  sha256: string;
  createdAt: Date;
  superseded: boolean;
  quality: QualityResult | null;
  pose: { yaw: number; pitch: number; roll: number } | null;
  consistency: ConsistencyReport | null;
}

export interface PhotoSession {
  id: string;
  patientId: string;
  visitDate: string;
  locationId: string | null;
  notes: string;
  createdAt: Date;
  createdBy: string;
  views: { view: ViewSpec; photo: Photo | null; attempts: number }[];
  complete: boolean;
  consistency: ConsistencyReport | null;
}

export interface PhotoLandmarks {
  width: number;
  height: number;
  landmarks: [number, number, number][];
  box: [number, number, number, number];
}

/** Columns a Photo is built from (never the landmarks: they are only read for the overlay route). */
const PHOTO_COLUMNS = [
  'id',
  'session_id',
  'patient_id',
  'view',
  'status',
  'status_reason',
  'file_id',
  'thumbnail_file_id',
  'width',
  'height',
  'content_type',
  'byte_size',
  'sha256',
  'quality',
  'quality_passed',
  'pose',
  'consistency',
  'superseded_at',
  'created_at',
] as const;
type PhotoSummaryRow = Pick<PhotoRow, (typeof PHOTO_COLUMNS)[number]>;

function toPhoto(row: PhotoSummaryRow): Photo {
  return {
    id: row.id,
    sessionId: row.session_id,
    view: row.view,
    status: row.status,
    statusReason: row.status_reason,
    width: row.width,
    height: row.height,
    contentType: row.content_type,
    byteSize: row.byte_size,
    sha256: row.sha256,
    createdAt: row.created_at,
    superseded: row.superseded_at !== null,
    quality: (row.quality as QualityResult | null) ?? null,
    pose: (row.pose as Photo['pose']) ?? null,
    consistency: (row.consistency as ConsistencyReport | null) ?? null,
  };
}

const isPassing = (row: PhotoSummaryRow): boolean => row.superseded_at === null && row.quality_passed === true;

function toSession(row: SessionRow, photos: PhotoSummaryRow[], protocol: PhotoProtocol): PhotoSession {
  const specs: ViewSpec[] = [...protocol.views];
  // Photos of a view the clinic has since removed from its protocol stay visible, as optional views.
  for (const photo of photos) {
    if (!specs.some((v) => v.id === photo.view)) {
      const spec = viewSpecFor(protocol, photo.view);
      if (spec) specs.push(spec);
    }
  }
  const views = specs.map((view) => {
    const ofView = photos.filter((p) => p.view === view.id);
    const current = ofView.find((p) => p.superseded_at === null);
    return { view, photo: current ? toPhoto(current) : null, attempts: ofView.length };
  });
  const passing = photos.filter(isPassing).map((p) => p.view);
  const frontal = views.find((v) => v.view.id === 'frontal')?.photo ?? null;
  return {
    id: row.id,
    patientId: row.patient_id,
    visitDate: row.visit_date,
    locationId: row.location_id,
    notes: row.notes,
    createdAt: row.created_at,
    createdBy: row.created_by,
    views,
    complete: isSessionComplete(
      protocol.views.filter((v) => v.required).map((v) => v.id),
      passing,
    ),
    consistency: frontal?.consistency ?? null,
  };
}

function checkVisitDate(visitDate: string): void {
  const date = new Date(`${visitDate}T00:00:00Z`);
  // A day of slack for time zones ahead of UTC.
  const latest = Date.now() + 36 * 3_600_000;
  if (Number.isNaN(date.getTime()) || date.getTime() > latest || date.getUTCFullYear() < 1990) {
    throw badRequest('The visit date is not plausible.', [{ path: '/visitDate', message: 'must be a date, not in the future' }]);
  }
}

const heicUnsupported = (): Problem =>
  unsupportedMedia(
    "HEIC photos are not supported by this build of Contour: its image library cannot decode this HEIC file. Set the camera to JPEG ('Most Compatible') or export the photo as JPEG, then upload it again.",
  );

/** The upload's image problems as HTTP problems: 413 too large, 415 not a photo, 400 damaged. */
function rejection(error: ImageRejected): Problem {
  switch (error.reason) {
    case 'too-large':
    case 'too-many-pixels':
      return new Problem(413, 'photo-too-large', 'Photo too large', error.message);
    case 'unsupported-type':
      return unsupportedMedia(error.message);
    case 'empty':
    case 'unreadable':
      return badRequest(error.message);
  }
}

/**
 * Checks, uprights and strips an uploaded photo; throws a 4xx Problem for anything that is not a sound
 * photo. The header is checked (type, size, pixel count) before any pixel is decoded.
 */
export async function preparePhoto(bytes: Buffer): Promise<Awaited<ReturnType<typeof cleanPhotoForStorage>>> {
  const heic = sniffFileType(bytes) === 'image/heic';
  try {
    await inspectPhoto(bytes);
  } catch (error) {
    if (!(error instanceof ImageRejected)) throw error;
    throw heic && error.reason === 'unreadable' ? heicUnsupported() : rejection(error);
  }
  try {
    return await cleanPhotoForStorage(bytes);
  } catch {
    // HEIC from phone cameras is HEVC inside, which sharp's prebuilt libvips cannot decode (AV1 HEIF it can).
    throw heic ? heicUnsupported() : badRequest('The image cannot be decoded: the file is damaged or truncated.');
  }
}

export class Photos {
  constructor(
    private readonly scope: Scope,
    private readonly patients: PatientRecords,
    private readonly consents: ConsentRecords,
    private readonly analysis: PhotoAnalysisJobs,
  ) {}

  private async sessionRow(actor: Actor, sessionId: string, executor: Trx | Scope['db'] = this.scope.db): Promise<SessionRow> {
    const row = await executor
      .selectFrom('photo_session')
      .selectAll()
      .where('organisation_id', '=', actor.organisationId)
      .where('id', '=', sessionId)
      .executeTakeFirst();
    if (!row) throw notFound('The photo session');
    return row;
  }

  private async photoRow(actor: Actor, photoId: string, executor: Trx | Scope['db'] = this.scope.db): Promise<PhotoSummaryRow> {
    const row = await executor
      .selectFrom('photo')
      .select(PHOTO_COLUMNS)
      .where('organisation_id', '=', actor.organisationId)
      .where('id', '=', photoId)
      .executeTakeFirst();
    if (!row) throw notFound('The photo');
    return row;
  }

  private async photosOf(actor: Actor, sessionIds: string[]): Promise<PhotoSummaryRow[]> {
    if (sessionIds.length === 0) return [];
    return this.scope.db
      .selectFrom('photo')
      .select(PHOTO_COLUMNS)
      .where('organisation_id', '=', actor.organisationId)
      .where('session_id', 'in', sessionIds)
      .orderBy('created_at', 'desc')
      .execute();
  }

  /** A consent refusal is a denied attempt on the patient's record: audited, then thrown. */
  private async requireConsent(actor: Actor, patientId: string, purpose: Purpose, event: string, target: AuditTarget): Promise<void> {
    try {
      await this.consents.require(actor, patientId, purpose);
    } catch (error) {
      if (error instanceof Problem && error.slug === 'consent-required') {
        await this.scope.record(actor, 'E', event, { ...target, detail: { ...target.detail, purpose } }, 'denied');
      }
      throw error;
    }
  }

  async createSession(patientId: string, input: { visitDate?: string; locationId?: string | null; notes?: string }): Promise<PhotoSession> {
    const target = { entityType: 'photo_session', patientId };
    const actor = await this.scope.authorize('photo.capture', 'photoSession.create', target);
    if (input.visitDate) checkVisitDate(input.visitDate);
    return this.scope.write(actor, 'C', 'photoSession.create', async (trx) => {
      await this.patients.writableRow(actor, patientId, trx);
      let timeZone = 'UTC';
      if (input.locationId) {
        const location = await trx
          .selectFrom('location')
          .select('timezone')
          .where('organisation_id', '=', actor.organisationId)
          .where('id', '=', input.locationId)
          .executeTakeFirst();
        if (!location) throw badRequest('Unknown location.', [{ path: '/locationId', message: 'no such location in this clinic' }]);
        timeZone = location.timezone;
      }
      const row = await trx
        .insertInto('photo_session')
        .values({
          id: randomUUID(),
          organisation_id: actor.organisationId,
          patient_id: patientId,
          visit_date: input.visitDate ?? localDate(timeZone),
          location_id: input.locationId ?? null,
          notes: input.notes?.trim() ?? '',
          created_by: actor.userId,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const protocol = await protocolFor(trx, actor.organisationId);
      return { result: toSession(row, [], protocol), target: { ...target, entityId: row.id, detail: { visitDate: row.visit_date } } };
    });
  }

  async listSessions(patientId: string): Promise<PhotoSession[]> {
    const target = { entityType: 'photo_session', patientId };
    const actor = await this.scope.authorize('photo.read', 'photoSession.list', target);
    await this.patients.row(actor, patientId);
    const rows = await this.scope.db
      .selectFrom('photo_session')
      .selectAll()
      .where('organisation_id', '=', actor.organisationId)
      .where('patient_id', '=', patientId)
      .orderBy('visit_date', 'desc')
      .orderBy('created_at', 'desc')
      .execute();
    const [photos, protocol] = await Promise.all([this.photosOf(actor, rows.map((r) => r.id)), protocolFor(this.scope.db, actor.organisationId)]);
    const sessions = rows.map((row) => toSession(row, photos.filter((p) => p.session_id === row.id), protocol));
    await this.scope.record(actor, 'R', 'photoSession.list', { ...target, detail: { count: sessions.length } });
    return sessions;
  }

  async getSession(sessionId: string): Promise<PhotoSession> {
    const actor = await this.scope.authorize('photo.read', 'photoSession.read', { entityType: 'photo_session', entityId: sessionId });
    const row = await this.sessionRow(actor, sessionId);
    const [photos, protocol] = await Promise.all([this.photosOf(actor, [row.id]), protocolFor(this.scope.db, actor.organisationId)]);
    await this.scope.record(actor, 'R', 'photoSession.read', { entityType: 'photo_session', entityId: sessionId, patientId: row.patient_id });
    return toSession(row, photos, protocol);
  }

  async upload(sessionId: string, viewId: string, bytes: Buffer): Promise<Photo> {
    const actor = await this.scope.authorize('photo.capture', 'photo.upload', { entityType: 'photo', detail: { sessionId, view: viewId } });
    const session = await this.sessionRow(actor, sessionId);
    const patientId = session.patient_id;
    const target: AuditTarget = { entityType: 'photo', patientId, detail: { sessionId, view: viewId } };
    await this.requireConsent(actor, patientId, 'capture_photos', 'photo.upload', target);
    const protocol = await protocolFor(this.scope.db, actor.organisationId);
    if (!(VIEW_IDS as readonly string[]).includes(viewId) || !protocol.views.some((v) => v.id === viewId)) {
      throw badRequest(`The clinic's photo protocol has no view "${viewId}".`, [
        { path: '/view', message: `one of ${protocol.views.map((v) => v.id).join(', ')}` },
      ]);
    }
    // The image work happens before the transaction: nothing is written for a file that is refused.
    const prepared = await preparePhoto(bytes);
    const { row, token } = await this.scope.write(actor, 'C', 'photo.upload', async (trx) => {
      await this.patients.writableRow(actor, patientId, trx);
      // Uploads to one session take turns, so two retakes of a view cannot both stay current.
      await trx.selectFrom('photo_session').select('id').where('id', '=', sessionId).forUpdate().executeTakeFirstOrThrow();
      await this.consents.require(actor, patientId, 'capture_photos', trx);
      const analyse = await this.consents.check(actor, patientId, 'analyse_photos', trx);
      const owner = { createdBy: actor.userId };
      const photo = await this.scope.vault.store(trx, actor.organisationId, patientId, { kind: 'photo', contentType: 'image/jpeg', bytes: prepared.photo, ...owner });
      const thumbnail = await this.scope.vault.store(trx, actor.organisationId, patientId, {
        kind: 'photo-thumbnail',
        contentType: 'image/jpeg',
        bytes: prepared.thumbnail,
        ...owner,
      });
      const id = randomUUID();
      const now = new Date();
      const previous = await trx
        .updateTable('photo')
        .set({ superseded_at: now })
        .where('organisation_id', '=', actor.organisationId)
        .where('session_id', '=', sessionId)
        .where('view', '=', viewId)
        .where('superseded_at', 'is', null)
        .returning('id')
        .execute();
      const token = analyse.allowed ? randomUUID() : null;
      const inserted = await trx
        .insertInto('photo')
        .values({
          id,
          organisation_id: actor.organisationId,
          patient_id: patientId,
          session_id: sessionId,
          view: viewId,
          status: analyse.allowed ? 'queued' : 'not_analysed',
          status_reason: analyse.allowed ? null : `Not analysed: AI-analysis consent is missing. ${analyse.reason}`,
          file_id: photo.id,
          thumbnail_file_id: thumbnail.id,
          width: prepared.width,
          height: prepared.height,
          content_type: photo.contentType,
          byte_size: photo.byteSize,
          sha256: photo.sha256,
          analysis_token: token,
          created_by: actor.userId,
          created_at: now,
        })
        .returning(PHOTO_COLUMNS)
        .executeTakeFirstOrThrow();
      if (previous.length > 0) {
        await trx
          .updateTable('photo')
          .set({ superseded_by: id })
          .where('id', 'in', previous.map((p) => p.id))
          .execute();
      }
      return {
        result: { row: inserted, token },
        target: {
          ...target,
          entityId: id,
          detail: { sessionId, view: viewId, status: inserted.status, supersedes: previous[0]?.id ?? null, byteSize: inserted.byte_size },
        },
      };
    });
    if (token) await this.analysis.request({ organisationId: actor.organisationId, photoId: row.id, token, requestedBy: actor.userId });
    return toPhoto(row);
  }

  /**
   * Queues the clinic's current frontal photos whose facial analysis an earlier method made (a newer Contour changed
   * how the analysis measures: `FACIAL_ANALYSIS_METHOD`), oldest first, at most `EARLIER_METHOD_BATCH` per call so a
   * request stays short. Each goes through `analyse` (AI-analysis consent now, audited); those without it are skipped
   * and stay as they are. `remaining`: not tried in this call.
   */
  async analyseEarlierMethod(): Promise<{ queued: number; skipped: number; remaining: number }> {
    const actor = await this.scope.authorize('photo.capture', 'photo.analyse.earlierMethod');
    const earlier = await this.scope.db
      .selectFrom('photo')
      .select('id')
      .where('organisation_id', '=', actor.organisationId)
      .where('status', '=', 'analysed')
      .where('superseded_at', 'is', null)
      .where('facial_analysis', 'is not', null)
      .where(sql<boolean>`facial_analysis ->> 'method' IS DISTINCT FROM ${FACIAL_ANALYSIS_METHOD}`)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    let queued = 0, skipped = 0, tried = 0;
    for (const { id } of earlier) {
      if (queued === EARLIER_METHOD_BATCH) break;
      tried += 1;
      try {
        await this.analyse(id);
        queued += 1;
      } catch (error) {
        // No AI-analysis consent in force now (`analyse` records the refusal). An erased record's photos have no analysis.
        if (!(error instanceof Problem && error.status < 500)) throw error;
        skipped += 1;
      }
    }
    const result = { queued, skipped, remaining: earlier.length - tried };
    await this.scope.record(actor, 'E', 'photo.analyse.earlierMethod', { entityType: 'photo', detail: { ...result, method: FACIAL_ANALYSIS_METHOD } });
    return result;
  }

  /** Queues the photo for (another) analysis; needs AI-analysis consent now. */
  async analyse(photoId: string): Promise<Photo> {
    const actor = await this.scope.authorize('photo.capture', 'photo.analyse.request', { entityType: 'photo', entityId: photoId });
    const current = await this.photoRow(actor, photoId);
    const target: AuditTarget = { entityType: 'photo', entityId: photoId, patientId: current.patient_id, detail: { view: current.view } };
    await this.requireConsent(actor, current.patient_id, 'analyse_photos', 'photo.analyse.request', target);
    const token = randomUUID();
    const row = await this.scope.write(actor, 'U', 'photo.analyse.request', async (trx) => {
      await this.patients.writableRow(actor, current.patient_id, trx);
      const updated = await trx
        .updateTable('photo')
        .set({ status: 'queued', status_reason: null, analysis_token: token })
        .where('organisation_id', '=', actor.organisationId)
        .where('id', '=', photoId)
        .returning(PHOTO_COLUMNS)
        .executeTakeFirstOrThrow();
      return { result: updated, target };
    });
    await this.analysis.request({ organisationId: actor.organisationId, photoId, token, requestedBy: actor.userId });
    return toPhoto(row);
  }

  async get(photoId: string): Promise<Photo> {
    const target = { entityType: 'photo', entityId: photoId };
    const actor = await this.scope.authorize('photo.read', 'photo.read', target);
    const row = await this.photoRow(actor, photoId);
    await this.scope.record(actor, 'R', 'photo.read', { ...target, patientId: row.patient_id });
    return toPhoto(row);
  }

  /** The stored JPEG or its thumbnail, decrypted and integrity-checked. */
  async image(photoId: string, which: 'image' | 'thumbnail'): Promise<Buffer> {
    const event = which === 'image' ? 'photo.image.read' : 'photo.thumbnail.read';
    const target = { entityType: 'photo', entityId: photoId };
    const actor = await this.scope.authorize('photo.read', event, target);
    const row = await this.photoRow(actor, photoId);
    try {
      const { bytes } = await this.scope.vault.read(actor.organisationId, row.patient_id, which === 'image' ? row.file_id : row.thumbnail_file_id);
      await this.scope.record(actor, 'R', event, { ...target, patientId: row.patient_id });
      return bytes;
    } catch (error) {
      await this.scope.record(actor, 'R', event, { ...target, patientId: row.patient_id, detail: { error: (error as Error).message } }, 'failure');
      throw error;
    }
  }

  async landmarks(photoId: string): Promise<PhotoLandmarks> {
    const target = { entityType: 'photo', entityId: photoId };
    const actor = await this.scope.authorize('photo.read', 'photo.landmarks.read', target);
    const row = await this.scope.db
      .selectFrom('photo')
      .select(['patient_id', 'status', 'width', 'height', 'landmarks'])
      .where('organisation_id', '=', actor.organisationId)
      .where('id', '=', photoId)
      .executeTakeFirst();
    if (!row) throw notFound('The photo');
    const face = row.landmarks as { box: PhotoLandmarks['box']; landmarks: PhotoLandmarks['landmarks'] } | null;
    if (row.status !== 'analysed' || !face) throw notFound('Landmarks for this photo (it has not been analysed, or no single face was found)');
    await this.scope.record(actor, 'R', 'photo.landmarks.read', { ...target, patientId: row.patient_id });
    return { width: row.width, height: row.height, landmarks: face.landmarks, box: face.box };
  }
}
