import { sql } from 'kysely';
import {
  ZONE_IDS,
  monthsEnding,
  photoCompliance,
  weightedKappa,
  type MonthlyCompliance,
  type SessionPhotos,
  type ZoneFinding,
  type ZoneId,
} from '@contour/domain';
import { FACIAL_ANALYSIS_METHOD } from '@contour/vision';
import { protocolFor } from './photo-protocols.js';
import type { Scope } from './scope.js';

/** Aggregates only: counts by category, never a row that identifies a patient. */
export interface Overview {
  patients: { total: number; active: number; archived: number };
  byChannel: { channel: string; count: number }[];
  newByMonth: { month: string; count: number }[];
  consentsInForce: { type: string; count: number }[];
}

export interface GradingAgreement {
  /** The analysis method whose estimates are compared (the current one). */
  method: string;
  overall: { kappa: number | null; n: number };
  zones: { zoneId: ZoneId; kappa: number | null; n: number }[];
  /** Grades left out because their photo's analysis was made by an earlier method. */
  earlierMethod: number;
}

/** The AI's 0–4 severity as a grade: rounded to the nearest whole grade, within the scale. */
export const aiGrade = (severity: number): number => Math.min(4, Math.max(0, Math.round(severity)));

export class Stats {
  constructor(private readonly scope: Scope) {}

  async overview(): Promise<Overview> {
    const actor = await this.scope.authorize('stats.read', 'stats.overview');
    const org = actor.organisationId;
    const db = this.scope.db;
    const live = db.selectFrom('patient').where('organisation_id', '=', org).where('erased_at', 'is', null);
    const [totals, byChannel, newByMonth, consents] = await Promise.all([
      live
        .select((eb) => [
          eb.fn.countAll<number>().as('total'),
          eb.fn.count<number>('archived_at').as('archived'),
        ])
        .executeTakeFirstOrThrow(),
      live
        .select((eb) => ['acquisition_channel as channel', eb.fn.countAll<number>().as('count')])
        .groupBy('acquisition_channel')
        .orderBy('count', 'desc')
        .execute(),
      live
        .select((eb) => [sql<string>`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM')`.as('month'), eb.fn.countAll<number>().as('count')])
        .where(sql<boolean>`created_at >= date_trunc('month', now()) - interval '11 months'`)
        .groupBy(sql`1`)
        .orderBy(sql`1`)
        .execute(),
      db
        .selectFrom('consent')
        .innerJoin('consent_template', 'consent_template.id', 'consent.template_id')
        .select((eb) => ['consent.type as type', eb.fn.count<number>('consent.patient_id').distinct().as('count')])
        .where('consent.organisation_id', '=', org)
        .where('consent.withdrawn_at', 'is', null)
        .where((eb) =>
          eb.or([
            eb('consent_template.valid_for_months', 'is', null),
            eb(sql`consent.signed_at + make_interval(months => consent_template.valid_for_months)`, '>', sql`now()`),
          ]),
        )
        .groupBy('consent.type')
        .orderBy('consent.type')
        .execute(),
    ]);
    await this.scope.record(actor, 'R', 'stats.overview');
    const total = Number(totals.total);
    const archived = Number(totals.archived);
    return {
      patients: { total, active: total - archived, archived },
      byChannel: byChannel.map((r) => ({ channel: r.channel, count: Number(r.count) })),
      newByMonth: newByMonth.map((r) => ({ month: r.month, count: Number(r.count) })),
      consentsInForce: consents.map((r) => ({ type: r.type, count: Number(r.count) })),
    };
  }

  /**
   * Per month: patients photographed (a session that month with at least one photo) and how many of them
   * had a session that month with a passing, current photo for every view the protocol requires.
   */
  async photoCompliance(months: number): Promise<{ items: MonthlyCompliance[] }> {
    const actor = await this.scope.authorize('stats.read', 'stats.photoCompliance');
    const org = actor.organisationId;
    const range = monthsEnding(new Date(), months);
    const rows = await this.scope.db
      .selectFrom('photo_session')
      .innerJoin('photo', 'photo.session_id', 'photo_session.id')
      .innerJoin('patient', 'patient.id', 'photo_session.patient_id')
      .select([
        'photo_session.id as sessionId',
        'photo_session.patient_id as patientId',
        sql<string>`to_char(photo_session.visit_date, 'YYYY-MM')`.as('month'),
        'photo.view as view',
        sql<boolean>`bool_or(photo.superseded_at IS NULL AND photo.quality_passed IS TRUE)`.as('passing'),
      ])
      .where('photo_session.organisation_id', '=', org)
      .where('photo.organisation_id', '=', org)
      .where('patient.erased_at', 'is', null)
      .where('photo_session.visit_date', '>=', `${range[0]}-01`)
      .groupBy(['photo_session.id', 'photo_session.patient_id', 'photo_session.visit_date', 'photo.view'])
      .execute();
    const sessions = new Map<string, SessionPhotos & { passingViews: string[] }>();
    for (const row of rows) {
      const session = sessions.get(row.sessionId) ?? { month: row.month, patientId: row.patientId, sessionId: row.sessionId, passingViews: [] };
      if (row.passing) session.passingViews.push(row.view);
      sessions.set(row.sessionId, session);
    }
    const protocol = await protocolFor(this.scope.db, org);
    const items = photoCompliance([...sessions.values()], protocol.views.filter((v) => v.required).map((v) => v.id), range);
    await this.scope.record(actor, 'R', 'stats.photoCompliance', { detail: { months } });
    return { items };
  }

  /**
   * Agreement between the AI severity estimates and clinicians' grades: quadratic-weighted kappa over
   * [AI grade, clinician grade] pairs, one pair per clinician grade of a zone the AI estimated, per zone (both
   * sides together) and overall. Zones graded only where the AI has no estimate count n = 0. Only the current
   * analysis method's estimates are compared: an earlier method's say nothing about how the current one agrees
   * (grades of photos analysed by one are counted apart, until the photo is analysed again).
   */
  async gradingAgreement(): Promise<GradingAgreement> {
    const actor = await this.scope.authorize('stats.read', 'stats.gradingAgreement');
    const org = actor.organisationId;
    const grades = await this.scope.db
      .selectFrom('zone_grade')
      .innerJoin('photo', 'photo.id', 'zone_grade.photo_id')
      .select(['zone_grade.photo_id as photoId', 'zone_grade.zone_id as zoneId', 'zone_grade.side as side', 'zone_grade.grade as grade'])
      .where('zone_grade.organisation_id', '=', org)
      .where('photo.organisation_id', '=', org)
      .where('photo.facial_analysis', 'is not', null)
      .execute();
    const photoIds = [...new Set(grades.map((g) => g.photoId))];
    const photos =
      photoIds.length === 0
        ? []
        : await this.scope.db
            .selectFrom('photo')
            .select(['id', sql<ZoneFinding[] | null>`facial_analysis -> 'zones'`.as('zones'), sql<string | null>`facial_analysis ->> 'method'`.as('method')])
            .where('organisation_id', '=', org)
            .where('id', 'in', photoIds)
            .execute();
    const severities = new Map<string, number | null>();
    const earlier = new Set(photos.filter((p) => p.method !== FACIAL_ANALYSIS_METHOD).map((p) => p.id));
    for (const photo of photos) {
      if (earlier.has(photo.id)) continue;
      for (const zone of photo.zones ?? []) severities.set(`${photo.id}/${zone.id}/${zone.side}`, zone.severity);
    }
    const overall: [number, number][] = [];
    const byZone = new Map<string, [number, number][]>();
    for (const g of grades.filter((x) => !earlier.has(x.photoId))) {
      const pairs = byZone.get(g.zoneId) ?? [];
      byZone.set(g.zoneId, pairs);
      const severity = severities.get(`${g.photoId}/${g.zoneId}/${g.side}`);
      if (typeof severity !== 'number') continue;
      const pair: [number, number] = [aiGrade(severity), g.grade];
      pairs.push(pair);
      overall.push(pair);
    }
    const zones = ZONE_IDS.filter((id) => byZone.has(id)).map((zoneId) => {
      const pairs = byZone.get(zoneId) ?? [];
      return { zoneId, kappa: weightedKappa(pairs), n: pairs.length };
    });
    const earlierMethod = grades.filter((g) => earlier.has(g.photoId)).length;
    await this.scope.record(actor, 'R', 'stats.gradingAgreement', { detail: { n: overall.length, earlierMethod } });
    return { method: FACIAL_ANALYSIS_METHOD, overall: { kappa: weightedKappa(overall), n: overall.length }, zones, earlierMethod };
  }
}
