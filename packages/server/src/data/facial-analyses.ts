/**
 * Facial analyses of frontal photos (stored by the analysis job, photo-analysis.ts) and clinicians' 0–4 grades
 * of their zones. Reading needs `analysis.read`; grading is a clinical judgement and needs `analysis.grade`
 * (clinicians only). One grade per clinician per zone and side per photo: grading again replaces it.
 */
import { randomUUID } from 'node:crypto';
import type { Measurement, NotMeasurable, PixelScale, Side, ZoneFinding, ZoneId } from '@contour/domain';
import { FACIAL_ANALYSIS_METHOD, FACIAL_ANALYSIS_VIEWS, type FacialFindings } from '@contour/vision';
import type { GradeModality } from '../db/schema.js';
import { Problem, badRequest, notFound } from '../errors.js';
import type { AuditTarget, Scope, Trx } from './scope.js';

export interface ZoneGrade {
  zoneId: ZoneId;
  side: Side;
  grade: number;
  modality: GradeModality;
  scale: string;
  gradedBy: string;
  gradedByName: string;
  gradedAt: Date;
}

export interface FacialAnalysis {
  photoId: string;
  /** The analysis method the findings were made with (null: stored before methods were recorded), and whether it is the current one. */
  method: string | null;
  methodCurrent: boolean;
  width: number;
  height: number;
  landmarks: [number, number, number][];
  scale: PixelScale | null;
  measurements: Measurement[];
  notMeasurable: NotMeasurable[];
  zones: ZoneFinding[];
  grades: ZoneGrade[];
}

export interface ZoneGradeInput {
  zoneId: ZoneId;
  side: Side;
  grade: number;
  modality: GradeModality;
}

const notMeasurable = (detail: string): Problem => new Problem(409, 'not-measurable', 'Not measurable', detail);

/** The clinician's scale for a zone: the AI estimate's scale family without the "AI photo estimate" label. */
export function clinicianScale(finding: ZoneFinding): string {
  if (finding.scale) return finding.scale.replace(/,\s*AI photo estimate/i, '');
  return `${finding.id.replace(/_/g, ' ')}, clinician grade, 0–4`;
}

interface AnalysedPhoto {
  patientId: string;
  width: number;
  height: number;
  landmarks: [number, number, number][];
  facial: FacialFindings;
}

export class FacialAnalyses {
  constructor(private readonly scope: Scope) {}

  /** The photo's facial analysis: 404 for another clinic's photo or until analysed, 409 when it cannot have one. */
  private async analysedPhoto(organisationId: string, photoId: string, executor: Trx | Scope['db'] = this.scope.db): Promise<AnalysedPhoto> {
    const row = await executor
      .selectFrom('photo')
      .select(['patient_id', 'status', 'view', 'width', 'height', 'landmarks', 'facial_analysis'])
      .where('organisation_id', '=', organisationId)
      .where('id', '=', photoId)
      .executeTakeFirst();
    if (!row) throw notFound('The photo');
    if (!FACIAL_ANALYSIS_VIEWS.includes(row.view)) {
      throw notMeasurable(`Facial analysis is made from the frontal view at rest; this photo is the "${row.view}" view, so its scale, measurements and zones are not measured.`);
    }
    const facial = row.facial_analysis as FacialFindings | null;
    if (row.status !== 'analysed' || !facial) throw notFound('The facial analysis of this photo (it has not been analysed yet)');
    const face = row.landmarks as { landmarks: [number, number, number][] } | null;
    if (!face) {
      const why = facial.notMeasurable.map((m) => m.reason).join('; ') || 'no single face was found';
      throw notMeasurable(`This photo's face could not be analysed: ${why}.`);
    }
    return { patientId: row.patient_id, width: row.width, height: row.height, landmarks: face.landmarks, facial };
  }

  private async grades(organisationId: string, photoId: string, executor: Trx | Scope['db'] = this.scope.db, gradedBy?: string): Promise<ZoneGrade[]> {
    let query = executor
      .selectFrom('zone_grade')
      .innerJoin('app_user', 'app_user.id', 'zone_grade.graded_by')
      .select([
        'zone_grade.zone_id',
        'zone_grade.side',
        'zone_grade.grade',
        'zone_grade.modality',
        'zone_grade.scale',
        'zone_grade.graded_by',
        'zone_grade.graded_at',
        'app_user.display_name',
      ])
      .where('zone_grade.organisation_id', '=', organisationId)
      .where('zone_grade.photo_id', '=', photoId);
    if (gradedBy) query = query.where('zone_grade.graded_by', '=', gradedBy);
    const rows = await query.orderBy('zone_grade.zone_id').orderBy('zone_grade.side').orderBy('zone_grade.graded_at').execute();
    return rows.map((r) => ({
      zoneId: r.zone_id as ZoneId,
      side: r.side as Side,
      grade: r.grade,
      modality: r.modality,
      scale: r.scale,
      gradedBy: r.graded_by,
      gradedByName: r.display_name,
      gradedAt: r.graded_at,
    }));
  }

  async get(photoId: string): Promise<FacialAnalysis> {
    const target: AuditTarget = { entityType: 'photo', entityId: photoId };
    const actor = await this.scope.authorize('analysis.read', 'photo.facialAnalysis.read', target);
    const photo = await this.analysedPhoto(actor.organisationId, photoId);
    const grades = await this.grades(actor.organisationId, photoId);
    await this.scope.record(actor, 'R', 'photo.facialAnalysis.read', { ...target, patientId: photo.patientId, detail: { grades: grades.length } });
    const { method, scale, measurements, notMeasurable: unmeasured, zones } = photo.facial;
    return {
      photoId,
      method: method ?? null,
      methodCurrent: method === FACIAL_ANALYSIS_METHOD,
      width: photo.width,
      height: photo.height,
      landmarks: photo.landmarks,
      scale,
      measurements,
      notMeasurable: unmeasured,
      zones,
      grades,
    };
  }

  /** Records (or replaces) the caller's grade of one zone of the photo; the write and its audit entry land together. */
  async grade(photoId: string, input: ZoneGradeInput): Promise<ZoneGrade> {
    const target: AuditTarget = { entityType: 'photo', entityId: photoId, detail: { zoneId: input.zoneId, side: input.side } };
    const actor = await this.scope.authorize('analysis.grade', 'photo.zoneGrade', target);
    return this.scope.write(actor, 'U', 'photo.zoneGrade', async (trx) => {
      const photo = await this.analysedPhoto(actor.organisationId, photoId, trx);
      const finding = photo.facial.zones.find((z) => z.id === input.zoneId && z.side === input.side);
      if (!finding) {
        throw badRequest(`This photo's analysis has no ${input.side} ${input.zoneId} zone.`, [
          { path: '/zoneId', message: `one of the analysed zones: ${photo.facial.zones.map((z) => `${z.id} (${z.side})`).join(', ')}` },
        ]);
      }
      const existing = await trx
        .selectFrom('zone_grade')
        .select('grade')
        .where('photo_id', '=', photoId)
        .where('zone_id', '=', input.zoneId)
        .where('side', '=', input.side)
        .where('graded_by', '=', actor.userId)
        .executeTakeFirst();
      const scale = clinicianScale(finding);
      const gradedAt = new Date();
      await trx
        .insertInto('zone_grade')
        .values({
          id: randomUUID(),
          organisation_id: actor.organisationId,
          photo_id: photoId,
          zone_id: input.zoneId,
          side: input.side,
          grade: input.grade,
          modality: input.modality,
          scale,
          graded_by: actor.userId,
          graded_at: gradedAt,
        })
        .onConflict((oc) =>
          oc.columns(['photo_id', 'zone_id', 'side', 'graded_by']).doUpdateSet({ grade: input.grade, modality: input.modality, scale, graded_at: gradedAt }),
        )
        .execute();
      const saved = (await this.grades(actor.organisationId, photoId, trx, actor.userId)).find((g) => g.zoneId === input.zoneId && g.side === input.side);
      if (!saved) throw new Error('the zone grade was not stored');
      return {
        result: saved,
        target: {
          ...target,
          patientId: photo.patientId,
          detail: { zoneId: input.zoneId, side: input.side, grade: input.grade, modality: input.modality, replaced: existing !== undefined },
        },
      };
    });
  }
}
