import { sql } from 'kysely';
import { monthsEnding, photoCompliance, type MonthlyCompliance, type SessionPhotos } from '@contour/domain';
import { protocolFor } from './photo-protocols.js';
import type { Scope } from './scope.js';

/** Aggregates only: counts by category, never a row that identifies a patient. */
export interface Overview {
  patients: { total: number; active: number; archived: number };
  byChannel: { channel: string; count: number }[];
  newByMonth: { month: string; count: number }[];
  consentsInForce: { type: string; count: number }[];
}

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
}
