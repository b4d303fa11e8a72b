/**
 * Photo analysis, off the request path. An upload (or a re-analysis request) sets the photo to 'queued'
 * with a fresh token and queues a job carrying ids only; the job decrypts the photo, runs the face model
 * and the protocol's checks, compares a frontal photo with the patient's baseline, and stores the results;
 * for a frontal photo also its facial analysis (scale, measurements, what is not measurable, zone findings),
 * computed in the same worker (`LandmarkPool.analyzeFace`) so none of it runs on the event loop.
 * A job whose token is no longer the photo's (a newer request came in) does nothing, so duplicates and
 * re-deliveries are harmless. Photos left 'queued' or 'analysing' by a stop are queued again at start.
 */
import { canonicalJson, compareWithBaseline, type Actor, type ConsistencyBasis, type ConsistencyReport, type PhotoProtocol } from '@contour/domain';
import { ImageRejected, decodePhoto, interPupilDistance, landmarkBounds, type PhotoAnalysis } from '@contour/vision';
import type { Db } from '../db/database.js';
import { Problem } from '../errors.js';
import type { FaceFinderProvider } from '../jobs/face-finder.js';
import type { JobLog, JobQueue } from '../jobs/queue.js';
import type { AuditLog } from './audit-log.js';
import { ConsentRecords } from './consents.js';
import { PatientRecords } from './patients.js';
import type { PatientVault } from './patient-vault.js';
import { protocolFor, viewSpecFor } from './photo-protocols.js';
import { Scope } from './scope.js';

export const PHOTO_ANALYSIS_JOB = 'photo-analysis';

export interface AnalysisRequest {
  organisationId: string;
  photoId: string;
  /** The photo's analysis_token when it was queued. */
  token: string;
  /** Who asked (uploaded or re-queued); the audit entry names them. */
  requestedBy: string;
}

/** What is kept of the measurements: the protocol's inputs plus what the baseline comparison needs. */
export interface StoredMeasurements extends Record<string, unknown> {
  interPupilPx: number;
  faceCentre: { x: number; y: number };
  eyeWhiteBrightness: number | null;
  lightingBalance: number | null;
  darkerSide: 'right' | 'left' | null;
}

export function consistencyBasis(photoId: string, row: { width: number; height: number; pose: unknown; measurements: unknown }): ConsistencyBasis | null {
  const m = row.measurements as StoredMeasurements | null;
  const pose = row.pose as ConsistencyBasis['pose'] | null;
  if (!m || !pose || typeof m.interPupilPx !== 'number' || !m.faceCentre) return null;
  return {
    photoId,
    width: row.width,
    height: row.height,
    interPupilPx: m.interPupilPx,
    faceCentre: m.faceCentre,
    pose,
    eyeWhiteBrightness: m.eyeWhiteBrightness,
    lightingBalance: m.lightingBalance,
    darkerSide: m.darkerSide,
  };
}

function storedMeasurements(analysis: PhotoAnalysis): StoredMeasurements | null {
  if (!analysis.face) return null;
  const bounds = landmarkBounds(analysis.face.landmarks);
  return {
    ...analysis.measurements,
    interPupilPx: Number(interPupilDistance(analysis.face.landmarks).toFixed(2)),
    faceCentre: { x: Number(((bounds.x0 + bounds.x1) / 2).toFixed(1)), y: Number(((bounds.y0 + bounds.y1) / 2).toFixed(1)) },
  };
}

/** A protocol that knows the photo's view even if the clinic removed it since (judged by the default spec). */
function protocolForView(protocol: PhotoProtocol, viewId: string): PhotoProtocol {
  const spec = viewSpecFor(protocol, viewId);
  if (!spec || protocol.views.some((v) => v.id === viewId)) return protocol;
  return { ...protocol, views: [...protocol.views, spec] };
}

export class PhotoAnalysisJobs {
  private stopping = false;

  constructor(
    private readonly db: Db,
    private readonly auditLog: AuditLog,
    private readonly vault: PatientVault,
    private readonly jobs: JobQueue,
    /** The face model's worker pool, shared with outcome simulations. */
    readonly faces: FaceFinderProvider,
    private readonly log: JobLog,
  ) {}

  /**
   * Queues the analysis of a photo already marked 'queued' with `request.token`. Never throws: a photo
   * that could not be queued stays 'queued' and is queued again at the next start.
   */
  async request(request: AnalysisRequest): Promise<void> {
    try {
      await this.jobs.enqueue(PHOTO_ANALYSIS_JOB, { ...request }, { key: `${request.photoId}:${request.token}` });
    } catch (error) {
      this.log.error({ photoId: request.photoId, error: (error as Error).message }, 'could not queue a photo for analysis; it is queued again at the next start');
    }
  }

  /** Registers the worker and re-queues whatever a previous run left unfinished. */
  async start(): Promise<void> {
    await this.jobs.work(PHOTO_ANALYSIS_JOB, (payload) => this.run(payload as unknown as AnalysisRequest));
    const pending = await this.db
      .selectFrom('photo')
      .select(['id', 'organisation_id', 'analysis_token', 'created_by'])
      .where('status', 'in', ['queued', 'analysing'])
      .orderBy('created_at')
      .execute();
    for (const row of pending) {
      if (!row.analysis_token) continue;
      await this.request({ organisationId: row.organisation_id, photoId: row.id, token: row.analysis_token, requestedBy: row.created_by });
    }
  }

  /** From now on an interrupted job leaves its photo for the next start instead of marking it failed. */
  stop(): void {
    this.stopping = true;
  }

  private async actor(organisationId: string, userId: string): Promise<Actor> {
    const user = await this.db
      .selectFrom('app_user')
      .select(['role'])
      .where('organisation_id', '=', organisationId)
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    return { userId, organisationId, role: user.role as Actor['role'] };
  }

  /** The patient's first compliant frontal photo in a session before this one. */
  private async baseline(organisationId: string, patientId: string, sessionId: string): Promise<ConsistencyBasis | null> {
    const current = await this.db
      .selectFrom('photo_session')
      .select(['visit_date', 'created_at'])
      .where('organisation_id', '=', organisationId)
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();
    const row = await this.db
      .selectFrom('photo')
      .innerJoin('photo_session', 'photo_session.id', 'photo.session_id')
      .select(['photo.id', 'photo.width', 'photo.height', 'photo.pose', 'photo.measurements'])
      .where('photo.organisation_id', '=', organisationId)
      .where('photo.patient_id', '=', patientId)
      .where('photo.view', '=', 'frontal')
      .where('photo.status', '=', 'analysed')
      .where('photo.quality_passed', '=', true)
      .where('photo.superseded_at', 'is', null)
      .where('photo.session_id', '<>', sessionId)
      .where((eb) =>
        eb.or([
          eb('photo_session.visit_date', '<', current.visit_date),
          eb.and([eb('photo_session.visit_date', '=', current.visit_date), eb('photo_session.created_at', '<', current.created_at)]),
        ]),
      )
      .orderBy('photo_session.visit_date')
      .orderBy('photo_session.created_at')
      .orderBy('photo.created_at')
      .limit(1)
      .executeTakeFirst();
    return row ? consistencyBasis(row.id, row) : null;
  }

  /**
   * The consistency of the patient's other frontal photos, compared again where their baseline is now another photo
   * (a retake in the baseline's session replaced it, or a photo in an earlier session became it) or is the photo just
   * analysed again (`analysed`: its measurements may have changed). From the stored measurements (no image is read);
   * each change is audited.
   */
  private async refreshConsistency(scope: Scope, actor: Actor, patientId: string, analysed: string): Promise<void> {
    const photos = await this.db
      .selectFrom('photo')
      .select(['id', 'session_id', 'width', 'height', 'pose', 'measurements', 'consistency'])
      .where('organisation_id', '=', actor.organisationId)
      .where('patient_id', '=', patientId)
      .where('view', '=', 'frontal')
      .where('status', '=', 'analysed')
      .where('superseded_at', 'is', null)
      .execute();
    for (const photo of photos.filter((p) => p.id !== analysed)) {
      const baseline = await this.baseline(actor.organisationId, patientId, photo.session_id);
      const stored = photo.consistency as ConsistencyReport | null;
      const sameBaseline = (baseline?.photoId ?? null) === (stored?.baselinePhotoId ?? null);
      if (sameBaseline && baseline?.photoId !== analysed) continue;
      const basis = consistencyBasis(photo.id, photo);
      const report = baseline && basis ? compareWithBaseline(baseline, basis) : null;
      // Key order aside (PostgreSQL's jsonb keeps its own), an unchanged report is left alone.
      if (canonicalJson(report) === canonicalJson(stored)) continue;
      await this.db.transaction().execute(async (trx) => {
        await trx.updateTable('photo').set({ consistency: report ? JSON.stringify(report) : null }).where('id', '=', photo.id).execute();
        const detail = { baselinePhotoId: report?.baselinePhotoId ?? null, consistent: report ? report.checks.every((c) => c.passed) : null };
        await this.auditLog.append([scope.draft(actor, 'U', 'photo.consistency', { entityType: 'photo', entityId: photo.id, patientId, detail }, 'success')], trx);
      });
    }
  }

  /** One job. Exported for tests through `start`; errors never escape (the photo records them). */
  async run(request: AnalysisRequest): Promise<void> {
    const { organisationId, photoId, token } = request;
    const photo = await this.db
      .updateTable('photo')
      .set({ status: 'analysing', status_reason: null })
      .where('organisation_id', '=', organisationId)
      .where('id', '=', photoId)
      .where('analysis_token', '=', token)
      .where('status', 'in', ['queued', 'analysing'])
      .returningAll()
      .executeTakeFirst();
    if (!photo) return; // a newer request replaced this one, or it is done already
    const actor = await this.actor(organisationId, request.requestedBy);
    const scope = new Scope(this.db, this.auditLog, this.vault, { actor, sourceIp: null });
    const target = { entityType: 'photo', entityId: photoId, patientId: photo.patient_id, detail: { sessionId: photo.session_id, view: photo.view } };

    const finish = async (
      set: { status: 'analysed' | 'failed' | 'not_analysed'; status_reason: string | null } & Record<string, unknown>,
      outcome: 'success' | 'failure',
      detail: Record<string, unknown>,
    ): Promise<void> => {
      await this.db.transaction().execute(async (trx) => {
        const updated = await trx
          .updateTable('photo')
          .set(set)
          .where('id', '=', photoId)
          .where('analysis_token', '=', token)
          .where('status', '=', 'analysing')
          .returning('id')
          .executeTakeFirst();
        if (!updated) return;
        await this.auditLog.append([scope.draft(actor, 'E', 'photo.analyse', { ...target, detail: { ...target.detail, status: set.status, ...detail } }, outcome)], trx);
      });
    };

    try {
      // Consent may have been withdrawn since the photo was queued: it is checked again now.
      const consents = new ConsentRecords(scope, new PatientRecords(scope));
      const decision = await consents.check(actor, photo.patient_id, 'analyse_photos');
      if (!decision.allowed) {
        await finish({ status: 'not_analysed', status_reason: `Not analysed: ${decision.reason}` }, 'failure', { reason: 'consent' });
        return;
      }
      const protocol = protocolForView(await protocolFor(this.db, organisationId), photo.view);
      const { bytes } = await this.vault.read(organisationId, photo.patient_id, photo.file_id);
      const image = await decodePhoto(bytes);
      const { analysis, facial, steadyFace } = await (await this.faces.get()).analyzeFace(image, photo.view, protocol);
      const measurements = storedMeasurements(analysis);
      const pose = analysis.face ? analysis.face.pose : null;
      let consistency: ConsistencyReport | null = null;
      const basis = measurements ? consistencyBasis(photoId, { width: analysis.width, height: analysis.height, pose, measurements }) : null;
      if (basis && photo.view === 'frontal') {
        const baseline = await this.baseline(organisationId, photo.patient_id, photo.session_id);
        if (baseline) consistency = compareWithBaseline(baseline, basis);
      }
      await finish(
        {
          status: 'analysed',
          status_reason: null,
          quality: JSON.stringify(analysis.quality),
          quality_passed: analysis.quality.passed,
          pose: pose ? JSON.stringify(pose) : null,
          measurements: JSON.stringify(measurements ?? analysis.measurements),
          // The steady landmarks the facial findings were measured on go with them: a simulation starts from them.
          landmarks: analysis.face ? JSON.stringify({ box: analysis.face.box, landmarks: analysis.face.landmarks, ...(steadyFace ? { steady: steadyFace } : {}) }) : null,
          consistency: consistency ? JSON.stringify(consistency) : null,
          facial_analysis: facial ? JSON.stringify(facial) : null,
          analysed_at: new Date(),
        },
        'success',
        {
          passed: analysis.quality.passed,
          faces: analysis.faces,
          failedChecks: analysis.quality.checks.filter((c) => !c.passed).map((c) => c.id),
          ...(facial ? { facialAnalysis: { zones: facial.zones.length, measurements: facial.measurements.length } } : {}),
          ...(consistency ? { baselinePhotoId: consistency.baselinePhotoId, consistent: consistency.checks.every((c) => c.passed) } : {}),
        },
      );
      // This photo may have become (or stopped being) the baseline of the patient's later ones.
      if (photo.view === 'frontal') {
        await this.refreshConsistency(scope, actor, photo.patient_id, photoId).catch((error: unknown) =>
          this.log.error({ photoId, error: (error as Error).message }, "could not compare the patient's other frontal photos with their baseline again"),
        );
      }
    } catch (error) {
      if (this.stopping) return; // left 'analysing': the next start queues it again
      const known = error instanceof ImageRejected || error instanceof Problem;
      if (!known) this.log.error({ photoId, error: (error as Error).message }, 'photo analysis failed');
      const reason =
        error instanceof ImageRejected
          ? `The stored image could not be analysed: ${error.message}`
          : error instanceof Problem
            ? `The stored image could not be read: ${error.detail}`
            : 'Analysis failed because of a server error. Try again; if it keeps failing, report it.';
      await finish({ status: 'failed', status_reason: reason }, 'failure', { reason: error instanceof ImageRejected ? error.reason : known ? 'storage' : 'error' }).catch(
        (finishError: unknown) => this.log.error({ photoId, error: (finishError as Error).message }, 'could not record a failed analysis'),
      );
    }
  }
}
