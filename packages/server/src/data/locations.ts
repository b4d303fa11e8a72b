import { randomUUID } from 'node:crypto';
import type { Scope, Trx } from './scope.js';

export interface Location {
  id: string;
  name: string;
  address: string | null;
  timezone: string;
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The calendar date (YYYY-MM-DD) in a time zone at `at` (UTC if the zone is unknown). */
export function localDate(timeZone: string, at: Date = new Date()): string {
  const zone = isTimeZone(timeZone) ? timeZone : 'UTC';
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/**
 * The clinic's time zone for a patient (or for the clinic, without one): the patient's location's, else the
 * clinic's first location's, else UTC.
 */
export async function clinicTimeZone(executor: Scope['db'] | Trx, organisationId: string, patientId: string | null): Promise<string> {
  const patient = patientId
    ? await executor.selectFrom('patient').select('location_id').where('organisation_id', '=', organisationId).where('id', '=', patientId).executeTakeFirst()
    : undefined;
  let query = executor.selectFrom('location').select('timezone').where('organisation_id', '=', organisationId);
  if (patient?.location_id) query = query.where('id', '=', patient.location_id);
  const location = await query.orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
  return location?.timezone ?? 'UTC';
}

/**
 * The clinic's calendar date for a patient (or for the clinic, without one) at `at`, in `clinicTimeZone`. At 9 am
 * in Sydney it is still the day before in UTC, so "today" in UTC refused a treatment given that morning as one "in
 * the future".
 */
export async function clinicDate(executor: Scope['db'] | Trx, organisationId: string, patientId: string | null, at: Date = new Date()): Promise<string> {
  return localDate(await clinicTimeZone(executor, organisationId, patientId), at);
}

export class Locations {
  constructor(private readonly scope: Scope) {}

  async list(): Promise<Location[]> {
    const actor = await this.scope.authorize('location.read', 'location.list');
    return this.scope.db
      .selectFrom('location')
      .select(['id', 'name', 'address', 'timezone'])
      .where('organisation_id', '=', actor.organisationId)
      .orderBy('name')
      .execute();
  }

  async create(input: { name: string; address?: string | null; timezone?: string }): Promise<Location> {
    const actor = await this.scope.authorize('location.manage', 'location.create', { entityType: 'location' });
    return this.scope.write(actor, 'C', 'location.create', async (trx) => {
      const location = {
        id: randomUUID(),
        name: input.name.trim(),
        address: input.address?.trim() || null,
        timezone: input.timezone ?? 'UTC',
      };
      await trx.insertInto('location').values({ ...location, organisation_id: actor.organisationId }).execute();
      return { result: location, target: { entityType: 'location', entityId: location.id } };
    });
  }
}
